// The whole product end to end, per forwarding method and family, each in its own fresh
// lab (src/lab/classic.ts): the real daemon on the director (native XDP), configured over
// gRPC; real servers set up with `ipvx realserver setup`; real HTTP/TCP/UDP servers.
//   - 200 sequential HTTP requests alternate exactly between the two reals (rr);
//   - a 50 MB stream arrives intact (sha256 on both ends);
//   - UDP request/response through the VIP, spread by rr;
//   - a connection open while a weight changes and a real is added finishes intact on its real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../../src/lab/topology.js';
import { buildClassicLab, startDirectorDaemon, serviceSpec, PLAN, PORTS, hostPort, type Family, type LabMethod, type ClassicLab } from '../../src/lab/classic.js';
import type { IpvxClient } from '../../src/api/client.js';
import { serverScript } from '../../src/lab/servers/index.js';

const STREAM_BYTES = 50_000_000;

for (const method of ['dr', 'tun', 'nat'] as const) {
  for (const fam of [4, 6] as const) {
    test(`${method} IPv${fam}: HTTP rr, 50 MB stream, UDP, changes under an open connection`, { timeout: 120_000 }, async () => {
      const lab = await Lab.create('ipvxm');
      try {
        await checkMethod(lab, method, fam);
      } finally {
        await lab.destroy();
      }
    });
  }
}

async function checkMethod(lab: Lab, method: LabMethod, fam: Family): Promise<void> {
  const c = await buildClassicLab(lab, { method });
  const d = await startDirectorDaemon(c);
  const api = d.client();
  const vip = PLAN[fam].vip;
  try {
    await checks(lab, c, api, method, fam, vip);
  } catch (e) {
    // Say what the director saw: a failure here is otherwise hard to place.
    const global = await api.getStats().then((s) => JSON.stringify(s.global)).catch((x: Error) => x.message);
    (e as Error).message += `\n  director global counters: ${global}`;
    throw e;
  } finally {
    api.close();
  }
}

async function checks(lab: Lab, c: ClassicLab, api: IpvxClient, method: LabMethod, fam: Family, vip: string): Promise<void> {
  {
    await api.addService(serviceSpec(fam, PORTS.http, 'tcp', method, 2, c.httpPort));
    await api.addService(serviceSpec(fam, PORTS.stream, 'tcp', method, 2));
    await api.addService(serviceSpec(fam, PORTS.udp, 'udp', method, 2));
    // The long connection's service starts with rs1 only: it must land there.
    await api.addService(serviceSpec(fam, PORTS.long, 'tcp', method, 1));

    // 200 short HTTP requests, one process, each on a new connection.
    const answers = (await lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(vip, PORTS.http)}/`, '--count', '200'], { timeoutMs: 60_000 }))
      .trim().split('\n');
    assert.equal(answers.length, 200);
    assert.equal(answers.filter((a) => a === 'rs1').length, 100, `rs1 answers half: ${answers.slice(0, 10)}`);
    assert.equal(answers.filter((a) => a === 'rs2').length, 100);
    for (let i = 1; i < answers.length; i++) assert.notEqual(answers[i], answers[i - 1], `rr alternates (request ${i + 1})`);
    // The real sees the client's own address, not the director's.
    const seen = await lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(vip, PORTS.http)}/client`]);
    assert.ok(seen.includes(PLAN[fam].client), `real saw ${seen}`);

    // 50 MB, hashed on both ends.
    const sent = JSON.parse(await lab.runNode(c.client, serverScript('tcp-source'),
      ['--host', vip, '--port', String(PORTS.stream), '--bytes', String(STREAM_BYTES), '--seed', String(fam)], { timeoutMs: 90_000 }));
    assert.equal(sent.bytes, STREAM_BYTES);
    const got = JSON.parse(await Promise.any(c.sinks.map((s) => s[0]!.waitForLine(new RegExp(sent.sha256), 20_000))));
    assert.equal(got.bytes, STREAM_BYTES, 'every byte arrived');
    assert.ok(got.remote.includes(PLAN[fam].client), `from the client's address: ${got.remote}`);

    // UDP: each request from a new source port is a new flow; rr spreads them.
    const udp = (await lab.runNode(c.client, serverScript('udp-client'), ['--host', vip, '--port', String(PORTS.udp), '--message', 'q', '--count', '10']))
      .trim().split('\n');
    assert.equal(udp.length, 10);
    for (const a of udp) assert.match(a, /^rs[12]:q$/);
    // Both reals answer. Not asserted as strict alternation: a datagram lost before its
    // flow existed (the client resends after 1 s) is scheduled anew and advances rr, which
    // happened in about 1 run in 6 for TUN (the TCP requests above check exact rr).
    const answeredBy = (n: string) => udp.filter((a) => a.startsWith(`${n}:`)).length;
    assert.ok(answeredBy('rs1') >= 3 && answeredBy('rs2') >= 3, `UDP spread over both reals: ${udp}`);

    // A long connection open while its real's weight changes and a real is added.
    const long = await lab.node(c.client, serverScript('tcp-source'),
      ['--host', vip, '--port', String(PORTS.long), '--bytes', '4000000', '--pause-at', '1000000', '--seed', '9'], { ready: 'paused' });
    const svc = { vip, port: PORTS.long, protocol: 'tcp' };
    await api.updateReal(svc, { address: PLAN[fam].real(0), port: PORTS.long, method, weight: 3 });
    await api.addReal(svc, { address: PLAN[fam].real(1), port: PORTS.long, method, weight: 1 });
    const cfg = await api.getConfig();
    const longSvc = cfg.services.find((s) => s.port === PORTS.long && s.vip === vip)!;
    assert.deepEqual(longSvc.reals.map((r) => [r.address, r.weight]), [[PLAN[fam].real(0), 3], [PLAN[fam].real(1), 1]]);
    // New connections now reach the added real too (rr ignores weights other than 0).
    for (let i = 0; i < 4; i++) {
      await lab.runNode(c.client, serverScript('tcp-source'), ['--host', vip, '--port', String(PORTS.long), '--bytes', '1000', '--seed', String(100 + i)]);
    }
    await c.sinks[1]![1]!.waitForLine(/"bytes":1000,/, 10_000);
    assert.ok(long.running, 'the long connection was still open during the changes');
    long.child.kill('SIGUSR1');
    await long.exited;
    assert.equal(long.exitCode, 0, `long connection failed: ${long.stderr}`);
    const longSent = JSON.parse(long.lines.at(-1)!);
    const longGot = JSON.parse(await c.sinks[0]![1]!.waitForLine(new RegExp(longSent.sha256), 20_000));
    assert.equal(longGot.bytes, 4_000_000, 'the long connection stayed on rs1 and arrived intact');

    // The daemon counted it all.
    const stats = await api.getStats();
    const http = stats.services.find((s) => s.service.endsWith(`|${PORTS.http}`) && s.service.includes(vip))!;
    assert.ok(Number(http.counters!.conns) >= 201, `HTTP service conns ${http.counters!.conns}`);
    assert.equal(stats.global.drop_no_neigh ?? '0', '0');
  }
}
