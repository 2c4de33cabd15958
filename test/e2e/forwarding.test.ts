// The director program end to end, without the daemon: a client, a director running
// the XDP program, real servers with real TCP listeners, in namespaces made here.
// For DR, TUN and NAT over IPv4 and IPv6: HTTP requests answered by the real (rr
// alternates), and a stream whose bytes arrive intact (sha256 on both ends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { Lab } from '../../src/lab/topology.js';
import { buildClassicLab, PLAN } from '../../src/lab/classic.js';
import type { Method, DesiredState } from '../../src/core/model.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

const url = (family: 4 | 6, host: string, port: number, path = '/') =>
  family === 4 ? `http://${host}:${port}${path}` : `http://[${host}]:${port}${path}`;

function desired(method: Method, port: number): DesiredState {
  const services = ([4, 6] as const).flatMap((fam) => [80, 9000].map((vport) => ({
    vip: PLAN[fam].vip, port: vport, protocol: 'tcp' as const, scheduler: 'rr' as const, flags: [], persistence: 0,
    persistenceMask: '', method,
    reals: [0, 1].map((i) => PLAN[fam].real(i)).map((address) => ({
      address, port: vport === 80 ? port : 9000, method, weight: 1, upperThreshold: 0, lowerThreshold: 0,
    })),
  })));
  return { services, timeouts: { ...DEFAULT_TIMEOUTS } };
}

for (const method of ['dr', 'tun', 'nat'] as const) {
  test(`${method}: requests reach the reals through the director and replies reach the client (IPv4, IPv6)`, async () => {
    const lab = await Lab.create('ipvxfw');
    try {
      // client --- director --- (bridge) --- rs1, rs2, as the demo and the daemon tests use it.
      const t = await buildClassicLab(lab, { method });
      const director = await lab.node(t.director, js('./fixtures/director.js'), [
        '--state', JSON.stringify(desired(method, t.httpPort)), '--interfaces', t.directorIfaces.join(','),
      ], { ready: 'ready', readyTimeoutMs: 30_000 });
      for (const fam of [4, 6] as const) {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) {
          answers.push((await lab.runNode(t.client, server('http-get'), ['--url', url(fam, PLAN[fam].vip, 80)])).trim());
        }
        assert.deepEqual(new Set(answers), new Set(['rs1', 'rs2']), `IPv${fam}: both reals answer`);
        for (let i = 1; i < answers.length; i++) assert.notEqual(answers[i], answers[i - 1], `IPv${fam}: rr alternates: ${answers}`);
        // The real sees the client's own address (not the director's).
        const seen = await lab.runNode(t.client, server('http-get'), ['--url', url(fam, PLAN[fam].vip, 80, '/client')]);
        assert.ok(seen.includes(PLAN[fam].client), `IPv${fam}: real saw ${seen}`);
        // 2 MB, hashed on both ends.
        const sent = JSON.parse(await lab.runNode(t.client, server('tcp-source'), ['--host', PLAN[fam].vip, '--port', '9000', '--bytes', '2000000', '--seed', String(fam)]));
        assert.equal(sent.bytes, 2_000_000);
        const got = JSON.parse(await Promise.any(t.sinks.map(([stream]) => stream!.waitForLine(new RegExp(sent.sha256), 20_000))));
        assert.equal(got.bytes, 2_000_000, `IPv${fam}: every byte arrived`);
        assert.ok(got.remote.includes(PLAN[fam].client), `IPv${fam}: from the client's address`);
      }
      await director.kill(5000);
      const counters = JSON.parse(director.lines.find((l) => l.startsWith('{'))!);
      assert.ok(BigInt(counters.global.flow_new) >= 14n, 'the XDP program created the flows');
      assert.equal(counters.global.drop_no_neigh, '0');
    } catch (e) {
      for (const h of lab.hosts) console.log('DBG', h.name, (await lab.exec(h, 'nstat', ['-az', 'TcpInCsumErrors', 'TcpRetransSegs', 'IcmpInDestUnreachs', 'TcpInSegs', 'IpInDiscards', 'IpInHdrErrors'])).replace(/\s+/g, ' '));
      for (const h of lab.hosts) console.log('DBG', h.name, (await lab.exec(h, 'ip', ['-s', 'link'])).replace(/\s+/g, ' ').slice(0, 1500));
      throw e;
    } finally {
      await lab.destroy();
    }
  });
}
