// The director program end to end, without the daemon: a client, a director running
// the XDP program, real servers with real TCP listeners, in namespaces made here.
// For DR, TUN and NAT over IPv4 and IPv6: HTTP requests answered by the real (rr
// alternates), and a stream whose bytes arrive intact (sha256 on both ends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { Lab } from '../../src/lab/topology.js';
import type { Method, DesiredState } from '../../src/core/model.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

const V = {
  4: { vip: '203.0.113.10', client: '192.0.2.1', dirFront: '192.0.2.254', dirBack: '198.51.100.254', reals: ['198.51.100.1', '198.51.100.2'], plen: 24 },
  6: { vip: '2001:db8::10', client: '2001:db8:c::1', dirFront: '2001:db8:c::fe', dirBack: '2001:db8:1::fe', reals: ['2001:db8:1::1', '2001:db8:1::2'], plen: 64 },
} as const;
const url = (family: 4 | 6, host: string, port: number, path = '/') =>
  family === 4 ? `http://${host}:${port}${path}` : `http://[${host}]:${port}${path}`;

/**
 * client --- director --- (bridge) --- rs1, rs2
 * The client routes the VIP via the director; the reals route everything via the
 * director too (NAT replies must come back through it; DR/TUN replies are forwarded by
 * its kernel, from the VIP straight to the client).
 */
async function build(lab: Lab, method: Method) {
  const client = await lab.addHost('client');
  const dir = await lab.addHost('dir');
  const sw = await lab.addHost('sw');
  const rs = [await lab.addHost('rs1'), await lab.addHost('rs2')];
  // GRO on the receiving ends: frames XDP_TX'ed or redirected into a veth are dropped otherwise.
  const front = await lab.link(client, dir, { xdp: true });
  const back = await lab.link(dir, sw, { xdp: true });
  const ports: string[] = [back.b.ifname];
  const rsLinks = [];
  for (const r of rs) {
    const l = await lab.link(sw, r, { xdp: true });
    ports.push(l.a.ifname);
    rsLinks.push(l);
  }
  await lab.bridge(sw, 'br0', ports);
  for (const fam of [4, 6] as const) {
    const v = V[fam];
    await lab.addAddress(client, front.a.ifname, `${v.client}/${v.plen}`);
    await lab.addAddress(dir, front.b.ifname, `${v.dirFront}/${v.plen}`);
    await lab.addAddress(dir, back.a.ifname, `${v.dirBack}/${v.plen}`);
    await lab.addRoute(client, fam === 4 ? '203.0.113.0/24' : '2001:db8::/64', v.dirFront);
    for (const [i, r] of rs.entries()) {
      await lab.addAddress(r, rsLinks[i]!.b.ifname, `${v.reals[i]}/${v.plen}`);
      await lab.addRoute(r, fam === 4 ? 'default' : '::/0', v.dirBack);
    }
  }
  await lab.setSysctl(dir, 'net.ipv4.ip_forward', 1);
  await lab.setSysctl(dir, 'net.ipv6.conf.all.forwarding', 1);
  // DR/TUN replies come from the VIP, which the director has no route back to.
  await lab.setSysctl(dir, 'net.ipv4.conf.all.rp_filter', 0);
  await lab.setSysctl(dir, `net.ipv4.conf.${back.a.ifname}.rp_filter`, 0);
  const port = method === 'nat' ? 8080 : 80;
  const sinks = [];
  for (const [i, r] of rs.entries()) {
    if (method !== 'nat') {
      await lab.node(r, js('./fixtures/realserver.js'), ['--vip', `${V[4].vip},${V[6].vip}`, '--method', method], { ready: 'ready' });
    }
    await lab.node(r, server('http-name'), ['--name', `rs${i + 1}`, '--port', String(port), '--host', '::'], { ready: 'ready' });
    sinks.push(await lab.node(r, server('tcp-sink'), ['--port', '9000', '--host', '::'], { ready: 'ready' }));
  }
  return { client, dir, rs, sinks, port, ifaces: [front.b.ifname, back.a.ifname] };
}

function desired(method: Method, port: number): DesiredState {
  const services = ([4, 6] as const).flatMap((fam) => [80, 9000].map((vport) => ({
    vip: V[fam].vip, port: vport, protocol: 'tcp' as const, scheduler: 'rr' as const, flags: [], persistence: 0,
    persistenceMask: '', method,
    reals: V[fam].reals.map((address) => ({
      address, port: vport === 80 ? port : 9000, method, weight: 1, upperThreshold: 0, lowerThreshold: 0,
    })),
  })));
  return { services, timeouts: { ...DEFAULT_TIMEOUTS } };
}

for (const method of ['dr', 'tun', 'nat'] as const) {
  test(`${method}: requests reach the reals through the director and replies reach the client (IPv4, IPv6)`, async () => {
    const lab = await Lab.create('ipvxfw');
    try {
      const t = await build(lab, method);
      const director = await lab.node(t.dir, js('./fixtures/director.js'), [
        '--state', JSON.stringify(desired(method, t.port)), '--interfaces', t.ifaces.join(','),
      ], { ready: 'ready', readyTimeoutMs: 30_000 });
      for (const fam of [4, 6] as const) {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) {
          answers.push((await lab.runNode(t.client, server('http-get'), ['--url', url(fam, V[fam].vip, 80)])).trim());
        }
        assert.deepEqual(new Set(answers), new Set(['rs1', 'rs2']), `IPv${fam}: both reals answer`);
        for (let i = 1; i < answers.length; i++) assert.notEqual(answers[i], answers[i - 1], `IPv${fam}: rr alternates: ${answers}`);
        // The real sees the client's own address (not the director's).
        const seen = await lab.runNode(t.client, server('http-get'), ['--url', url(fam, V[fam].vip, 80, '/client')]);
        assert.ok(seen.includes(V[fam].client), `IPv${fam}: real saw ${seen}`);
        // 2 MB, hashed on both ends.
        const sent = JSON.parse(await lab.runNode(t.client, server('tcp-source'), ['--host', V[fam].vip, '--port', '9000', '--bytes', '2000000', '--seed', String(fam)]));
        assert.equal(sent.bytes, 2_000_000);
        const got = JSON.parse(await Promise.any(t.sinks.map((k) => k.waitForLine(new RegExp(sent.sha256), 20_000))));
        assert.equal(got.bytes, 2_000_000, `IPv${fam}: every byte arrived`);
        assert.ok(got.remote.includes(V[fam].client), `IPv${fam}: from the client's address`);
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
