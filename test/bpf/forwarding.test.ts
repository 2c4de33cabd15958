// The director program, packet by packet: DR, TUN and NAT x IPv4/IPv6 x TCP/UDP,
// first and later packets of flows, NAT replies. Every expected frame is built
// independently by test/lib/packet.ts (checksums computed from scratch), and every
// output is parsed and verified on its own as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import {
  buildFrame, parseFrame, withMacs, stripEther, ethFrame, encap, hex, macBytes, FrameOpts,
} from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, Method, Protocol, ServiceSpec, serviceId } from '../../src/core/model.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';

const CLIENT_MAC = '02:00:00:00:0c:01';
const DIR_MAC = '02:00:00:00:0d:01';
const REAL_MAC = ['02:00:00:00:0a:01', '02:00:00:00:0a:02'];
const FAM = {
  4: { vip: '203.0.113.10', dir: '198.51.100.254', reals: ['198.51.100.1', '198.51.100.2'], clients: ['192.0.2.100', '192.0.2.101'] },
  6: { vip: '2001:db8::10', dir: '2001:db8:1::fe', reals: ['2001:db8:1::1', '2001:db8:1::2'], clients: ['2001:db8:c::100', '2001:db8:c::101'] },
} as const;
const NAT_PORT = 8080;

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());

function nextHops(family: 4 | 6, mtu = 1500) {
  const f = FAM[family];
  return (a: { text: string }): NextHop | undefined => {
    const i = f.reals.indexOf(a.text as never);
    if (i < 0) return undefined;
    return { ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC[i]!), mtu, src: ip(f.dir) };
  };
}

function service(family: 4 | 6, protocol: Protocol, method: Method, over: Partial<ServiceSpec> = {}): ServiceSpec {
  const f = FAM[family];
  return {
    vip: f.vip, port: 80, protocol, scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method,
    reals: f.reals.map((address) => ({
      address, port: method === 'nat' ? NAT_PORT : 80, method, weight: 1, upperThreshold: 0, lowerThreshold: 0,
    })),
    ...over,
  };
}

function clientFrame(family: 4 | 6, protocol: Protocol, client: number, flags: string, payload = ''): FrameOpts {
  const f = FAM[family];
  const l4 = { sport: 40000 + client, dport: 80 };
  return {
    ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: f.clients[client]!, dst: f.vip, df: true, tos: 0x10,
    proto: protocol, ...(protocol === 'tcp' ? { tcp: { ...l4, flags, seq: 1000, ack: flags === 'S' ? 0 : 5000 } } : { udp: l4 }),
    payload,
  };
}

/** What the director must send for a client frame given to real `i` (`id`: the outer IPv4 header's identification). */
function expected(method: Method, family: 4 | 6, o: FrameOpts, i: number, id = 0): Uint8Array {
  const f = FAM[family];
  const input = buildFrame(o);
  switch (method) {
    case 'dr':
      return withMacs(input, REAL_MAC[i]!, DIR_MAC);
    case 'tun':
      return ethFrame({ ethDst: REAL_MAC[i]!, ethSrc: DIR_MAC },
        encap({ src: f.dir, dst: f.reals[i]!, df: true, tos: 0x10, ttl: 64, id }, stripEther(input)));
    case 'nat': {
      const l4 = { sport: o.tcp?.sport ?? o.udp!.sport, dport: NAT_PORT };
      return buildFrame({ ...o, ethDst: REAL_MAC[i]!, ethSrc: DIR_MAC, dst: f.reals[i]!,
        ...(o.tcp ? { tcp: { ...o.tcp, ...l4 } } : { udp: l4 }) });
    }
  }
}

function assertFrame(got: { action: number; out: Uint8Array }, action: number, want: Uint8Array, what: string) {
  assert.equal(XDP_NAME[got.action], XDP_NAME[action], `${what}: action`);
  assert.equal(hex(got.out), hex(want), `${what}: bytes`);
  const parsed = parseFrame(got.out);
  assert.deepEqual(parsed.problems, [], `${what}: the output parses and its checksums verify`);
}

for (const method of ['dr', 'tun', 'nat'] as const) {
  for (const family of [4, 6] as const) {
    for (const protocol of ['tcp', 'udp'] as const) {
      test(`${method} IPv${family} ${protocol}: first packets spread rr, later packets follow their flow`, () => {
        const svc = service(family, protocol, method);
        h.apply({ services: [svc], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(family));
        const first0 = clientFrame(family, protocol, 0, 'S');
        const first1 = clientFrame(family, protocol, 1, 'S');
        const later0 = clientFrame(family, protocol, 0, 'PA', 'GET / HTTP/1.0\r\n\r\n');
        const before = h.serviceCounters(serviceId(svc));
        const flowsBefore = h.reason('flow_new');
        // The cursor may start anywhere: find which real the first flow got, then
        // the second flow must get the other one, and later packets the first again.
        // An outer IPv4 header carries the program's own identification (edges.test.ts checks how it is chosen).
        const idOf = (out: Uint8Array) => (method === 'tun' && family === 4 ? (out[18]! << 8) | out[19]! : 0);
        const r0 = h.run(buildFrame(first0));
        const i0 = hex(r0.out) === hex(expected(method, family, first0, 0, idOf(r0.out))) ? 0 : 1;
        assertFrame(r0, XDP.TX, expected(method, family, first0, i0, idOf(r0.out)), 'first packet of flow 0');
        const r1 = h.run(buildFrame(first1));
        assertFrame(r1, XDP.TX, expected(method, family, first1, 1 - i0, idOf(r1.out)), 'first packet of flow 1');
        const r2 = h.run(buildFrame(later0));
        assertFrame(r2, XDP.TX, expected(method, family, later0, i0, idOf(r2.out)), 'later packet of flow 0');
        assert.equal(h.reason('flow_new') - flowsBefore, 2n, 'two flows created');
        const after = h.serviceCounters(serviceId(svc));
        assert.equal(after.service.conns - before.service.conns, 2n);
        assert.equal(after.service.pktsIn - before.service.pktsIn, 3n);
        const real0 = `${FAM[family].reals[i0]}|${method === 'nat' ? NAT_PORT : 80}`;
        assert.equal(after.reals.get(real0)!.pktsIn - (before.reals.get(real0)?.pktsIn ?? 0n), 2n);
        assert.equal(after.reals.get(real0)!.conns - (before.reals.get(real0)?.conns ?? 0n), 1n);
      });
    }
  }
}

for (const family of [4, 6] as const) {
  for (const protocol of ['tcp', 'udp'] as const) {
    test(`nat IPv${family} ${protocol}: the real's reply is rewritten back to VIP:port and sent to the client`, () => {
      const f = FAM[family];
      const svc = service(family, protocol, 'nat');
      h.apply({ services: [svc], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(family));
      // A fresh client so the flow is new.
      const o = { ...clientFrame(family, protocol, 0, 'S'), src: family === 4 ? '192.0.2.150' : '2001:db8:c::150' };
      const fwd = h.run(buildFrame(o));
      assert.equal(fwd.action, XDP.TX);
      const toReal = parseFrame(fwd.out);
      const real = toReal.ip!.dst;
      const i = f.reals.indexOf(real as never);
      const l4 = { sport: NAT_PORT, dport: 40000 };
      const reply: FrameOpts = {
        ethSrc: REAL_MAC[i]!, ethDst: DIR_MAC, src: real, dst: o.src, df: true, proto: protocol,
        ...(protocol === 'tcp' ? { tcp: { ...l4, flags: 'SA', seq: 5000, ack: 1001 } } : { udp: l4 }), payload: 'pong',
      };
      const want: FrameOpts = { ...reply, ethSrc: DIR_MAC, ethDst: CLIENT_MAC, src: f.vip,
        ...(protocol === 'tcp' ? { tcp: { ...reply.tcp!, sport: 80 } } : { udp: { sport: 80, dport: 40000 } }) };
      const before = h.serviceCounters(serviceId(svc)).service.pktsOut;
      assertFrame(h.run(buildFrame(reply)), XDP.TX, buildFrame(want), 'reply');
      assert.equal(h.serviceCounters(serviceId(svc)).service.pktsOut - before, 1n);
    });
  }
}

test('nat IPv4 udp without checksum stays without checksum', () => {
  const svc = service(4, 'udp', 'nat');
  h.apply({ services: [svc], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(4));
  const o: FrameOpts = { ...clientFrame(4, 'udp', 0, ''), src: '192.0.2.160', udpZeroChecksum: true, payload: 'q' };
  const r = h.run(buildFrame(o));
  assert.equal(r.action, XDP.TX);
  const p = parseFrame(r.out);
  assert.equal(p.ip!.udp!.checksum, 0);
  assert.equal(p.ip!.udp!.dport, NAT_PORT);
  assert.ok(p.ipv4HeaderChecksumOk);
});

test('IPv4 with options is forwarded (DR keeps them; NAT checksums stay right)', () => {
  const opts = Uint8Array.of(0x01, 0x01, 0x01, 0x00); // NOP NOP NOP EOL
  h.apply({ services: [service(4, 'tcp', 'dr')], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(4));
  const o: FrameOpts = { ...clientFrame(4, 'tcp', 0, 'S'), src: '192.0.2.170', ipOptions: opts };
  const r = h.run(buildFrame(o));
  assert.equal(r.action, XDP.TX);
  assert.equal(hex(r.out.subarray(12)), hex(buildFrame(o).subarray(12)), 'only the MACs change');
  h.apply({ services: [service(4, 'tcp', 'nat')], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(4));
  const n: FrameOpts = { ...o, src: '192.0.2.171' };
  const rn = h.run(buildFrame(n));
  assert.equal(rn.action, XDP.TX);
  const p = parseFrame(rn.out);
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.options.length, 4);
  assert.equal(p.ip!.tcp!.dport, NAT_PORT);
});

test('one 802.1Q tag: parsed, kept on the forwarded frame (DR and TUN)', () => {
  h.apply({ services: [service(4, 'tcp', 'dr')], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(4));
  const o: FrameOpts = { ...clientFrame(4, 'tcp', 0, 'S'), src: '192.0.2.180', vlan: 42 };
  const r = h.run(buildFrame(o));
  assert.equal(r.action, XDP.TX);
  const p = parseFrame(r.out);
  assert.equal(p.eth.vlan, 42);
  assert.ok(REAL_MAC.includes(p.eth.dst));
  h.apply({ services: [service(4, 'tcp', 'tun')], timeouts: { ...DEFAULT_TIMEOUTS } }, nextHops(4));
  const t = h.run(buildFrame({ ...o, src: '192.0.2.181' }));
  assert.equal(t.action, XDP.TX);
  const pt = parseFrame(t.out);
  assert.equal(pt.eth.vlan, 42);
  assert.deepEqual(pt.problems, []);
  assert.equal(pt.ip!.inner!.src, '192.0.2.181');
});
