// What is not ours passes untouched; malformed input never crashes or misroutes;
// fragments, oversized tunnel packets, unresolved neighbours and removed reals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import {
  buildFrame, parseFrame, arpRequest, hex, macBytes, FrameOpts, icmp4FragNeeded, icmp6PacketTooBig, ethFrame, stripEther,
} from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, DesiredState, Method, ServiceSpec, serviceId } from '../../src/core/model.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { ifMac, flowKey, flowVal } from '../../src/dataplane/codec.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';

const CLIENT_MAC = '02:00:00:00:0c:01';
const DIR_MAC = '02:00:00:00:0d:01';
const REAL_MAC = '02:00:00:00:0a:01';

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());

const hop = (mtu = 1500, ifindex = 1) => (a: { text: string; family: 4 | 6 }): NextHop => ({
  ifindex, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC), mtu,
  src: ip(a.family === 4 ? '198.51.100.254' : '2001:db8:1::fe'),
});

function svc(vip: string, real: string, method: Method, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    vip, port: 80, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method,
    reals: [{ address: real, port: 80, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 }], ...over,
  };
}
const state = (...services: ServiceSpec[]): DesiredState => ({ services, timeouts: { ...DEFAULT_TIMEOUTS } });

const v4 = (over: Partial<FrameOpts> = {}): FrameOpts => ({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '192.0.2.100', dst: '203.0.113.10', df: true, proto: 'tcp',
  tcp: { sport: 40000, dport: 80, flags: 'S' }, ...over,
});
const v6 = (over: Partial<FrameOpts> = {}): FrameOpts => ({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '2001:db8:c::100', dst: '2001:db8::10', proto: 'tcp',
  tcp: { sport: 40000, dport: 80, flags: 'S' }, ...over,
});

function expectUntouched(frame: Uint8Array, action: number, what: string) {
  const r = h.run(frame);
  assert.equal(XDP_NAME[r.action], XDP_NAME[action], what);
  assert.equal(hex(r.out), hex(frame), `${what}: unchanged`);
}

test('not ours: other address, other port, other protocol, ARP, ICMP to the VIP all pass unchanged', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr'), svc('2001:db8::10', '2001:db8:1::1', 'dr')), hop());
  const passBefore = h.reason('pass_not_service');
  expectUntouched(buildFrame(v4({ dst: '203.0.113.11' })), XDP.PASS, 'other IPv4 address');
  expectUntouched(buildFrame(v4({ tcp: { sport: 40000, dport: 22, flags: 'S' } })), XDP.PASS, 'other port');
  expectUntouched(buildFrame(v4({ proto: 'udp', tcp: undefined, udp: { sport: 1, dport: 80 } })), XDP.PASS, 'udp to a tcp service');
  expectUntouched(buildFrame(v6({ dst: '2001:db8::11' })), XDP.PASS, 'other IPv6 address');
  assert.equal(h.reason('pass_not_service') - passBefore, 4n);
  expectUntouched(arpRequest({ srcMac: CLIENT_MAC, srcIp: '192.0.2.100', targetIp: '203.0.113.10' }), XDP.PASS, 'ARP for the VIP');
  expectUntouched(buildFrame(v4({ proto: 'icmp', tcp: undefined, icmp: { type: 8, id: 1, seq: 1 } })), XDP.PASS, 'ping the VIP');
  expectUntouched(buildFrame(v6({ proto: 'icmp', tcp: undefined, icmp: { type: 128, id: 1, seq: 1 } })), XDP.PASS, 'ping6 the VIP');
});

test('truncated Ethernet, IP and L4 headers pass unchanged and are counted', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr'), svc('2001:db8::10', '2001:db8:1::1', 'dr')), hop());
  const full4 = buildFrame(v4()), full6 = buildFrame(v6());
  const before = h.reason('pass_malformed');
  // XDP test runs need at least an Ethernet header's worth of bytes.
  const cuts = [
    full4.subarray(0, 14 + 10), // IPv4 header cut
    full4.subarray(0, 14 + 20 + 10), // TCP header cut
    full6.subarray(0, 14 + 30), // IPv6 header cut
    full6.subarray(0, 14 + 40 + 12), // TCP header cut
    buildFrame(v4({ vlan: 7 })).subarray(0, 16), // VLAN tag cut
    buildFrame(v4({ override: { ihl: 4 } })), // IHL below 5
    buildFrame(v4({ override: { totalLength: 2000 } })), // longer than the frame
    buildFrame(v4({ override: { tcpDataOffset: 3 } })), // TCP data offset below 5
  ];
  for (const [i, c] of cuts.entries()) expectUntouched(Uint8Array.from(c), XDP.PASS, `malformed #${i}`);
  assert.equal(h.reason('pass_malformed') - before, BigInt(cuts.length));
});

test('a later fragment to a VIP whose first fragment was never seen is dropped and counted; fragments to other addresses pass', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr'), svc('2001:db8::10', '2001:db8:1::1', 'dr')), hop());
  h.resetFlows();
  const before = h.reason('drop_frag_no_flow');
  const rest = buildFrame(v4({ fragOffset: 10, df: false, proto: 6, tcp: undefined, payload: 'y'.repeat(32) }));
  const six = buildFrame(v6({ frag6: { offset: 8, more: false, id: 7 }, proto: 6, tcp: undefined, payload: 'z'.repeat(64) }));
  for (const f of [rest, six]) assert.equal(h.run(f).action, XDP.DROP);
  assert.equal(h.reason('drop_frag_no_flow') - before, 2n);
  expectUntouched(buildFrame(v4({ dst: '203.0.113.99', mf: true, df: false, payload: 'x'.repeat(64) })), XDP.PASS, 'fragment to another host');
  expectUntouched(buildFrame(v4({ dst: '203.0.113.99', fragOffset: 3, df: false, proto: 6, tcp: undefined, payload: 'x'.repeat(64) })), XDP.PASS, 'later fragment to another host');
});

test('TUN IPv4: a DF packet too big for the tunnel gets ICMP frag-needed back, from the VIP', (t) => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'tun')), hop(1400));
  writeIfMac(h.maps, 1, macBytes(DIR_MAC)); // the interface's own MAC, as the daemon writes it: the ICMP's source
  t.after(() => writeIfMac(h.maps, 1, undefined));
  const o = v4({ src: '192.0.2.120', payload: 'a'.repeat(1400 - 40) }); // 1400 bytes of IP: + 20 > 1400
  const frame = buildFrame(o);
  const r = h.run(frame);
  assert.equal(XDP_NAME[r.action], 'TX');
  const ipPkt = stripEther(frame);
  const quoted = ipPkt.subarray(0, 20 + 8);
  const want = ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC },
    icmp4FragNeeded({ src: '203.0.113.10', dst: '192.0.2.120', mtu: 1380, quoted, ttl: 64, id: (r.out[18]! << 8) | r.out[19]! }));
  assert.equal(hex(r.out), hex(want));
  assert.deepEqual(parseFrame(r.out).problems, []);
  // Without DF the packet cannot be answered with ICMP nor fragmented: dropped, counted.
  const before = h.reason('drop_too_big_nodf');
  assert.equal(h.run(buildFrame({ ...o, src: '192.0.2.121', df: false })).action, XDP.DROP);
  assert.equal(h.reason('drop_too_big_nodf') - before, 1n);
  // One byte less fits.
  const fits = h.run(buildFrame(v4({ src: '192.0.2.122', payload: 'a'.repeat(1380 - 40) })));
  assert.equal(XDP_NAME[fits.action], 'TX');
  assert.equal(parseFrame(fits.out).ip!.totalLength, 1400);
});

test('TUN IPv6: a packet too big for the tunnel gets ICMPv6 packet-too-big quoting 1232 bytes', (t) => {
  h.apply(state(svc('2001:db8::10', '2001:db8:1::1', 'tun')), hop(1500));
  writeIfMac(h.maps, 1, macBytes(DIR_MAC));
  t.after(() => writeIfMac(h.maps, 1, undefined));
  const o = v6({ src: '2001:db8:c::120', payload: 'b'.repeat(1500 - 60) }); // 1500 + 40 > 1500
  const frame = buildFrame(o);
  const r = h.run(frame);
  assert.equal(XDP_NAME[r.action], 'TX');
  const quoted = stripEther(frame).subarray(0, 1232);
  const want = ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC },
    icmp6PacketTooBig({ src: '2001:db8::10', dst: '2001:db8:c::120', mtu: 1460, quoted, hopLimit: 64 }));
  assert.equal(hex(r.out), hex(want));
  assert.deepEqual(parseFrame(r.out).problems, []);
});

test('an unresolved neighbour drops and counts: the VIP packet never reaches the kernel', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr')), () => undefined);
  const before = h.reason('drop_no_neigh');
  const r = h.run(buildFrame(v4({ src: '192.0.2.130' })));
  assert.equal(XDP_NAME[r.action], 'DROP');
  assert.equal(h.reason('drop_no_neigh') - before, 1n);
});

test('an egress interface that is not in tx_ports drops and counts instead of redirecting anywhere', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr')), hop(1500, 4242));
  const before = h.reason('drop_redirect');
  assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.131' }))).action], 'DROP');
  assert.equal(h.reason('drop_redirect') - before, 1n);
});

test('a service without a usable real drops and counts', () => {
  const s = svc('203.0.113.10', '198.51.100.1', 'dr');
  s.reals[0]!.weight = 0;
  h.apply(state(s), hop());
  const before = h.reason('drop_no_real');
  assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.132' }))).action], 'DROP');
  assert.equal(h.reason('drop_no_real') - before, 1n);
});

test('quiesced real keeps its flows; a removed real\'s flows are rescheduled', () => {
  const two = (w1: number, w2: number): ServiceSpec => ({
    ...svc('203.0.113.10', '198.51.100.1', 'dr'),
    reals: [
      { address: '198.51.100.1', port: 80, method: 'dr', weight: w1, upperThreshold: 0, lowerThreshold: 0 },
      { address: '198.51.100.2', port: 80, method: 'dr', weight: w2, upperThreshold: 0, lowerThreshold: 0 },
    ],
  });
  const macs = { '198.51.100.1': '02:00:00:00:0a:01', '198.51.100.2': '02:00:00:00:0a:02' } as Record<string, string>;
  const hops = (a: { text: string }): NextHop => ({ ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(macs[a.text]!), mtu: 1500 });
  h.apply(state(two(1, 0)), hops);
  const flow = v4({ src: '192.0.2.140' });
  assert.equal(parseFrame(h.run(buildFrame(flow)).out).eth.dst, macs['198.51.100.1']);
  // Quiesce real 1, open real 2: the existing flow stays, a new one goes to real 2.
  h.apply(state(two(0, 1)), hops);
  const later = { ...flow, tcp: { sport: 40000, dport: 80, flags: 'A' } };
  assert.equal(parseFrame(h.run(buildFrame(later)).out).eth.dst, macs['198.51.100.1'], 'established flow stays on the quiesced real');
  assert.equal(parseFrame(h.run(buildFrame(v4({ src: '192.0.2.141' }))).out).eth.dst, macs['198.51.100.2'], 'new flow avoids it');
  // Remove real 1: its flow moves to a live real.
  const gone = h.reason('flow_real_gone');
  h.apply(state({ ...two(0, 1), reals: [two(0, 1).reals[1]!] }), hops);
  assert.equal(parseFrame(h.run(buildFrame(later)).out).eth.dst, macs['198.51.100.2'], 'rescheduled');
  assert.equal(h.reason('flow_real_gone') - gone, 1n);
});

test('port 0 service takes every port of its VIP', () => {
  h.apply(state(svc('203.0.113.20', '198.51.100.1', 'dr', { port: 0, persistence: 300 })), hop());
  for (const port of [22, 443, 65000]) {
    const r = h.run(buildFrame(v4({ dst: '203.0.113.20', src: `192.0.2.${port % 200}`, tcp: { sport: 1234, dport: port, flags: 'S' } })));
    assert.equal(XDP_NAME[r.action], 'TX', `port ${port}`);
    assert.equal(parseFrame(r.out).eth.dst, REAL_MAC);
  }
});

test('unicast for another host\'s MAC passes untouched (a flooding switch, a standby director); ours is served, broadcast passes', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr')), hop());
  const lo = new Uint8Array([1, 0, 0, 0]); // test runs arrive on lo (ifindex 1)
  h.maps.if_macs.update(lo, ifMac.encode({ addr: macBytes(DIR_MAC) }));
  try {
    const before = h.reason('pass_other_host');
    expectUntouched(buildFrame(v4({ src: '192.0.2.140', ethDst: '02:00:00:00:0d:99' })), XDP.PASS, 'unicast to another MAC');
    expectUntouched(buildFrame(v6({ src: '2001:db8:c::140', ethDst: '02:00:00:00:0d:99' })), XDP.PASS, 'IPv6 unicast to another MAC');
    assert.equal(h.reason('pass_other_host') - before, 2n);
    assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.141' }))).action], 'TX', 'to our MAC: forwarded');
    expectUntouched(buildFrame(v4({ src: '192.0.2.142', ethDst: 'ff:ff:ff:ff:ff:ff' })), XDP.PASS, 'broadcast: not PACKET_HOST');
  } finally {
    h.maps.if_macs.delete(lo);
  }
  // Without an entry for the interface nothing is filtered.
  assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.143', ethDst: '02:00:00:00:0d:99' }))).action], 'TX');
});

test('flow first: an established packet follows its flow (counted under the flow\'s service); an expired flow is rescheduled; a removed service\'s flows pass untouched', () => {
  const wild = svc('203.0.113.30', '198.51.100.1', 'dr', { port: 0, persistence: 300 });
  h.apply(state(wild), hop());
  const syn = v4({ src: '192.0.2.150', dst: '203.0.113.30' });
  const ack = { ...syn, tcp: { sport: 40000, dport: 80, flags: 'A' } };
  assert.equal(XDP_NAME[h.run(buildFrame(syn)).action], 'TX');
  // A port-80 service appears on the same VIP: the flow stays where it is and counts where it began.
  const exact = svc('203.0.113.30', '198.51.100.2', 'dr');
  h.apply(state(wild, exact), hop());
  const wildBefore = h.serviceCounters(serviceId(wild)).service.pktsIn;
  const exactBefore = h.serviceCounters(serviceId(exact)).service.pktsIn;
  const r = h.run(buildFrame(ack));
  assert.equal(XDP_NAME[r.action], 'TX');
  assert.equal(parseFrame(r.out).eth.dst, REAL_MAC);
  assert.equal(h.serviceCounters(serviceId(wild)).service.pktsIn - wildBefore, 1n, 'counted under the flow\'s service');
  assert.equal(h.serviceCounters(serviceId(exact)).service.pktsIn - exactBefore, 0n);

  // Past its timeout the flow is scheduled again by the service the packet is for now.
  const key = [...h.maps.flows.keys()].find((k) => flowKey.decode(k).dport === 80 && ip('192.0.2.150').bytes.every((b, i) => flowKey.decode(k).src[i] === b))!;
  const v = flowVal.decode(h.maps.flows.lookup(key)!);
  h.maps.flows.update(key, flowVal.encode({ ...v, atime: 0n }));
  h.writer.writeTimeouts({ tcp: 1, tcpFin: 1, udp: 1 });
  try {
    const expired = h.reason('flow_expired');
    const r2 = h.run(buildFrame(ack));
    assert.equal(XDP_NAME[r2.action], 'TX');
    assert.equal(h.reason('flow_expired') - expired, 1n);
    assert.equal(flowVal.decode(h.maps.flows.lookup(key)!).svcId, h.writer.ids(serviceId(exact))!.svcId, 'rescheduled by the port-80 service');
  } finally {
    h.writer.writeTimeouts({ ...DEFAULT_TIMEOUTS });
  }

  // The services go away: their reals are no longer live, so the flow's packets are not ours any more.
  h.apply(state(), hop());
  const pass = h.reason('pass_not_service'), gone = h.reason('flow_real_gone');
  expectUntouched(buildFrame(ack), XDP.PASS, 'flow of a removed service');
  assert.equal(h.reason('pass_not_service') - pass, 1n);
  assert.equal(h.reason('flow_real_gone') - gone, 0n, 'not ours: nothing to reschedule');
});

// IPVS, conn_reuse_mode 1 (its default): a SYN that finds a connection in TIME_WAIT or CLOSE,
// not controlled by a persistence template, expires it and is scheduled as a new
// connection (ip_vs_in() and is_new_conn_expected() in net/netfilter/ipvs/ip_vs_core.c).
test('a SYN on a closed flow\'s 5-tuple (a reused client port) is a new connection, counted and scheduled anew; on a live flow or a persistent service it stays', () => {
  for (const fam of [4, 6] as const) {
    const vip = fam === 4 ? '203.0.113.31' : '2001:db8::31';
    const pair = fam === 4 ? ['198.51.100.1', '198.51.100.2'] : ['2001:db8:1::1', '2001:db8:1::2'];
    const frame = (flags: string, sport = 40100) => buildFrame((fam === 4 ? v4 : v6)({ dst: vip, tcp: { sport, dport: 80, flags } }));
    const two = (over: Partial<ServiceSpec> = {}) => ({
      ...svc(vip, pair[0]!, 'dr', over),
      reals: pair.map((address) => ({ address, port: 80, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
    });
    const conns = (s: ServiceSpec) => {
      const c = h.serviceCounters(serviceId(s));
      return { total: c.service.conns, each: [...c.reals.values()].map((r) => r.conns) };
    };

    const rr = two();
    h.apply(state(rr), hop());
    const reused = h.reason('flow_reused');
    assert.equal(XDP_NAME[h.run(frame('S')).action], 'TX');
    assert.deepEqual(conns(rr), { total: 1n, each: [1n, 0n] });
    // A retransmitted SYN and the connection's own packets: the same connection.
    h.run(frame('S')); h.run(frame('A')); h.run(frame('PA'));
    assert.deepEqual(conns(rr), { total: 1n, each: [1n, 0n] }, `IPv${fam}: SYN on a live flow`);
    h.run(frame('FA')); h.run(frame('A'));
    // The client reuses the port: a new connection, to the next real of rr.
    assert.equal(XDP_NAME[h.run(frame('S')).action], 'TX');
    assert.deepEqual(conns(rr), { total: 2n, each: [1n, 1n] }, `IPv${fam}: SYN on a closed flow`);
    assert.equal(h.reason('flow_reused') - reused, 1n);
    // After a reset, too.
    h.run(frame('A')); h.run(frame('R'));
    h.run(frame('S'));
    assert.deepEqual(conns(rr), { total: 3n, each: [2n, 1n] }, `IPv${fam}: SYN after a reset`);
    assert.equal(h.reason('flow_reused') - reused, 2n);
    // A SYN-ACK is no new connection.
    h.run(frame('A')); h.run(frame('FA'));
    h.run(frame('SA'));
    assert.deepEqual(conns(rr), { total: 3n, each: [2n, 1n] }, `IPv${fam}: SYN-ACK on a closed flow`);

    // Persistent: the flow keeps its real, no new connection (IPVS: a controlled connection).
    const sticky = two({ persistence: 300 });
    h.apply(state(sticky), hop());
    h.run(frame('S', 40200)); h.run(frame('FA', 40200));
    const before = h.reason('flow_reused'), was = conns(sticky);
    h.run(frame('S', 40200));
    assert.deepEqual(conns(sticky), was, `IPv${fam}: persistent service`);
    assert.equal(h.reason('flow_reused') - before, 0n);
    h.apply(state(), hop());
  }
});

test('own MAC from the if_macs_direct array (inlined lookup); a slot not written falls back to if_macs', () => {
  h.apply(state(svc('203.0.113.10', '198.51.100.1', 'dr')), hop());
  const lo = new Uint8Array([1, 0, 0, 0]); // test runs arrive on lo (ifindex 1)
  const OTHER_MAC = '02:00:00:00:0d:99';
  try {
    writeIfMac(h.maps, 1, macBytes(DIR_MAC));
    assert.equal(ifMac.decode(h.maps.if_macs_direct.lookup(lo)!).valid, 1, 'written to the array');
    const before = h.reason('pass_other_host');
    expectUntouched(buildFrame(v4({ src: '192.0.2.160', ethDst: OTHER_MAC })), XDP.PASS, 'unicast to another MAC');
    assert.equal(h.reason('pass_other_host') - before, 1n);
    assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.161' }))).action], 'TX', 'to our MAC: forwarded');
    // An empty array slot: the hash decides (here it says the other MAC is ours).
    h.maps.if_macs_direct.update(lo, new Uint8Array(ifMac.size));
    h.maps.if_macs.update(lo, ifMac.encode({ addr: macBytes(OTHER_MAC) }));
    expectUntouched(buildFrame(v4({ src: '192.0.2.162' })), XDP.PASS, 'to DIR_MAC, which the hash does not know');
    assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.163', ethDst: OTHER_MAC }))).action], 'TX', 'the hash\'s MAC');
  } finally {
    writeIfMac(h.maps, 1, undefined);
  }
  assert.equal(ifMac.decode(h.maps.if_macs_direct.lookup(lo)!).valid, 0, 'removal clears the array slot');
  assert.equal(h.maps.if_macs.lookup(lo), undefined, 'and the hash entry');
  assert.equal(XDP_NAME[h.run(buildFrame(v4({ src: '192.0.2.164', ethDst: OTHER_MAC }))).action], 'TX', 'no entry: not checked');
});
