// What the director refuses or must get right beyond the happy path: frames to
// broadcast/multicast MACs, L4 headers that disagree with the IP length, IPv4 header
// checksums, L4 checksums through NAT, NAT replies on a VLAN, IPv6 extension headers,
// martian sources. The hex frames are the ones a fuzzing run of 8.4 million frames
// found (state: DR 203.0.113.10:80 and :53, TUN 203.0.113.11, NAT 203.0.113.12:80 ->
// :8080 and 203.0.113.21:53 -> 198.51.100.11:53, DR [2001:db8::10]:443; clients 10.0.0.x);
// each has counterparts for the other family and methods, built by test/lib/packet.ts.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import {
  buildFrame, parseFrame, fromHex, hex, macBytes, withMacs, FrameOpts, onesSum, inetChecksum, pseudoHeader, IPPROTO_TCP, IPPROTO_UDP,
  IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, stripEther, ethFrame, encap,
} from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, Method, Protocol, ServiceSpec } from '../../src/core/model.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';

const CLIENT_MAC = '02:00:00:00:0c:01';
const DIR_MAC = '02:00:00:00:0d:01';
/** A real's MAC: 02:00:00:00:0a: and the address's last byte (198.51.100.11 -> 0a:0b, as in the fuzzing frames). */
const realMac = (addr: string) => `02:00:00:00:0a:${ip(addr).bytes.at(-1)!.toString(16).padStart(2, '0')}`;

function svc(vip: string, port: number, protocol: Protocol, method: Method, reals: string[], rport = port): ServiceSpec {
  return {
    vip, port, protocol, scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method,
    reals: reals.map((address) => ({ address, port: rport, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
  };
}

const SERVICES: ServiceSpec[] = [
  svc('203.0.113.10', 80, 'tcp', 'dr', ['198.51.100.1', '198.51.100.2', '198.51.100.3']),
  svc('203.0.113.10', 53, 'udp', 'dr', ['198.51.100.1', '198.51.100.2', '198.51.100.3']),
  svc('203.0.113.11', 80, 'tcp', 'tun', ['198.51.100.4']),
  svc('203.0.113.12', 80, 'tcp', 'nat', ['198.51.100.6'], 8080),
  svc('203.0.113.21', 53, 'udp', 'nat', ['198.51.100.11']),
  svc('2001:db8::10', 443, 'tcp', 'dr', ['2001:db8:1::1']),
  svc('2001:db8::11', 80, 'tcp', 'tun', ['2001:db8:1::4']),
  svc('2001:db8::12', 80, 'tcp', 'nat', ['2001:db8:1::6'], 8080),
  svc('2001:db8::21', 53, 'udp', 'nat', ['2001:db8:1::b']),
];

const hop = (a: { text: string; family: 4 | 6 }): NextHop => ({
  ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(realMac(a.text)), mtu: 1500,
  src: ip(a.family === 4 ? '198.51.100.254' : '2001:db8:1::fe'),
});

let h: LbHarness;
before(() => {
  h = LbHarness.open();
  h.apply({ services: SERVICES, timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
});
after(() => h?.close());
beforeEach(() => {
  h.resetFlows();
  writeIfMac(h.maps, 1, macBytes(DIR_MAC)); // lo (ifindex 1) is where test runs arrive
});

function run(frame: Uint8Array) {
  const r = h.run(frame);
  return { ...r, name: XDP_NAME[r.action]! };
}

/** The frame passes (or drops) untouched, and exactly `reason` counts it. */
function refused(frame: Uint8Array, action: number, reason: Parameters<LbHarness['reason']>[0], what: string) {
  const before = h.reasons();
  const entries = flowCount();
  const r = run(frame);
  assert.equal(r.name, XDP_NAME[action], `${what}: action`);
  if (action === XDP.PASS) assert.equal(hex(r.out), hex(frame), `${what}: untouched`);
  const after = h.reasons();
  for (const [k, v] of Object.entries(after)) assert.equal(v - before[k]!, k === reason ? 1n : 0n, `${what}: counter ${k}`);
  assert.equal(flowCount(), entries, `${what}: no flow, NAT or persistence entry`);
}

const flowCount = () => [...h.maps.flows.keys()].length + [...h.maps.nat_rev.keys()].length + [...h.maps.persist.keys()].length;

// ---- 1. Link-layer broadcast and multicast --------------------------------------

test('a VIP packet to a broadcast or multicast MAC passes (IPVS: ip_vs_in ignores pkt_type != PACKET_HOST), and makes no NAT entry', () => {
  const bcast = fromHex('ffffffffffff020000000c0108004500001c00000000401134bb0a000001cb00711503e900350008b5a9');
  refused(bcast, XDP.PASS, 'pass_not_unicast', 'UDP to the NAT VIP, broadcast');
  // The real's reply finds no NAT entry: not ours.
  const reply = fromHex('020000000d01020000000a0b08004500001c0000000040114692c633640b0a000001003503e90008c780');
  refused(reply, XDP.PASS, 'pass_not_service', 'reply to the broadcast frame');
  const base: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: '01:00:5e:00:00:01', src: '10.0.0.3', dst: '203.0.113.10', proto: 'tcp', tcp: { sport: 1234, dport: 80, flags: 'S' } };
  refused(buildFrame(base), XDP.PASS, 'pass_not_unicast', 'IPv4 multicast MAC, DR');
  refused(buildFrame({ ...base, dst: '203.0.113.11' }), XDP.PASS, 'pass_not_unicast', 'IPv4 multicast MAC, TUN');
  refused(buildFrame({ ...base, ethDst: '33:33:00:00:00:01', src: '2001:db8:c::3', dst: '2001:db8::10', tcp: { sport: 1234, dport: 443, flags: 'S' } }),
    XDP.PASS, 'pass_not_unicast', 'IPv6 multicast MAC, DR');
  refused(buildFrame({ ...base, ethDst: 'ff:ff:ff:ff:ff:ff', src: '2001:db8:c::3', dst: '2001:db8::12' }), XDP.PASS, 'pass_not_unicast', 'IPv6 broadcast MAC, NAT');
  assert.equal(flowCount(), 0, 'no flow, NAT or persistence entry');
});

test('a NAT reply leaves with the client-side interface\'s own MAC as its source, IPv4 and IPv6', () => {
  // The request came in while the interface's MAC was not known (nothing is filtered then)
  // to some other MAC; the reply's source is the interface's own MAC all the same.
  for (const [client, vip, real] of [['10.0.0.1', '203.0.113.21', '198.51.100.11'], ['2001:db8:c::1', '2001:db8::21', '2001:db8:1::b']] as const) {
    writeIfMac(h.maps, 1, undefined);
    const req: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: '02:00:00:00:0d:99', src: client, dst: vip, proto: 'udp', udp: { sport: 1001, dport: 53 }, payload: 'q' };
    assert.equal(run(buildFrame(req)).name, 'TX');
    writeIfMac(h.maps, 1, macBytes(DIR_MAC));
    const rep = run(buildFrame({ ethSrc: realMac(real), ethDst: DIR_MAC, src: real, dst: client, proto: 'udp', udp: { sport: 53, dport: 1001 }, payload: 'a' }));
    assert.equal(rep.name, 'TX');
    const p = parseFrame(rep.out);
    assert.deepEqual([p.eth.src, p.eth.dst, p.ip!.src], [DIR_MAC, CLIENT_MAC, vip]);
    assert.deepEqual(p.problems, []);
  }
});

// ---- 3. L4 headers against the IP length -----------------------------------------

test('TCP data offset past the IP packet, UDP length past it, an L4 header in the Ethernet trailer: passed untouched, never forwarded', () => {
  refused(fromHex('020000000d01020000000c01080045000028000040004006f4c40a000001cb00710a9c4000500000000100000000f002ffffcd450000'),
    XDP.PASS, 'pass_malformed', 'TCP data offset 15 in a 20-byte segment (DR)');
  refused(fromHex('020000000d01020000000c01080045000020000040004011f4c00a000002cb00710a9c40003500c8588d61626364'),
    XDP.PASS, 'pass_malformed', 'UDP length 200 in a 12-byte datagram (DR)');
  for (const [vip, port, what] of [['203.0.113.10', 80, 'DR'], ['203.0.113.11', 80, 'TUN'], ['203.0.113.12', 80, 'NAT'], ['2001:db8::10', 443, 'DR v6'], ['2001:db8::12', 80, 'NAT v6']] as const) {
    const six = vip.includes(':');
    const o: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: six ? '2001:db8:c::5' : '10.0.0.5', dst: vip, proto: 'tcp', tcp: { sport: 40000, dport: port, flags: 'S' } };
    refused(buildFrame({ ...o, override: { tcpDataOffset: 15 } }), XDP.PASS, 'pass_malformed', `${what}: TCP data offset 15`);
    // The IP packet ends after its header; the TCP header sits in the trailer.
    const trailer = buildFrame(o);
    const ipHdr = six ? 40 : 20;
    const cut = Uint8Array.from(trailer);
    if (six) cut.set([0, 0], 14 + 4); else { cut.set([0, 20], 14 + 2); fixIpv4Checksum(cut); }
    refused(cut, XDP.PASS, 'pass_malformed', `${what}: TCP header in the trailer (IP length ${ipHdr})`);
  }
  for (const [vip, what] of [['203.0.113.21', 'NAT'], ['2001:db8::21', 'NAT v6'], ['203.0.113.10', 'DR']] as const) {
    const six = vip.includes(':');
    const o: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: six ? '2001:db8:c::6' : '10.0.0.6', dst: vip, proto: 'udp', udp: { sport: 40000, dport: 53 }, payload: 'abcd' };
    refused(buildFrame({ ...o, override: { udpLength: 200 } }), XDP.PASS, 'pass_malformed', `${what}: UDP length 200`);
    refused(buildFrame({ ...o, override: { udpLength: 7 } }), XDP.PASS, 'pass_malformed', `${what}: UDP length 7`);
    // A UDP length shorter than the IP payload: the receiver trims, IPVS forwards it.
    assert.equal(run(buildFrame({ ...o, override: { udpLength: 10 } })).name, 'TX', `${what}: UDP length 10 of 12 forwarded`);
  }
});

function fixIpv4Checksum(frame: Uint8Array): void {
  frame[24] = 0; frame[25] = 0;
  const c = inetChecksum(frame.subarray(14, 34));
  frame[24] = c >> 8; frame[25] = c & 0xff;
}

// ---- 4. Checksums -----------------------------------------------------------------

test('an IPv4 header with a bad checksum passes (the kernel drops it) for DR, TUN, NAT and NAT replies', () => {
  refused(fromHex('020000000d01020000000c01080045000028000040004006ae9e0a000001cb00710a9c40005000000001000000005002ffffcd450000'),
    XDP.PASS, 'pass_bad_csum', 'DR SYN with a bad header checksum');
  for (const [vip, what] of [['203.0.113.11', 'TUN'], ['203.0.113.12', 'NAT'], ['203.0.113.10', 'DR with options']] as const) {
    const o: FrameOpts = {
      ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '10.0.0.7', dst: vip, proto: 'tcp', tcp: { sport: 40001, dport: 80, flags: 'S' }, badChecksum: { ip: true },
      ...(what.includes('options') ? { ipOptions: Uint8Array.of(1, 1, 1, 0) } : {}),
    };
    refused(buildFrame(o), XDP.PASS, 'pass_bad_csum', what);
  }
  // A NAT reply: the flow exists, the reply's header is corrupt.
  const req: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '10.0.0.8', dst: '203.0.113.12', proto: 'tcp', tcp: { sport: 40002, dport: 80, flags: 'S' } };
  assert.equal(run(buildFrame(req)).name, 'TX');
  const reply: FrameOpts = { ethSrc: realMac('198.51.100.6'), ethDst: DIR_MAC, src: '198.51.100.6', dst: '10.0.0.8', proto: 'tcp', tcp: { sport: 8080, dport: 40002, flags: 'SA' } };
  refused(buildFrame({ ...reply, badChecksum: { ip: true } }), XDP.PASS, 'pass_bad_csum', 'NAT reply');
  assert.equal(run(buildFrame(reply)).name, 'TX', 'the same reply with a good checksum');
  // Good checksums with options are forwarded (the check covers options).
  assert.equal(run(buildFrame({ ...req, src: '10.0.0.9', ipOptions: Uint8Array.of(1, 1, 1, 0) })).name, 'TX');
});

/** How far a checksum field is from the right one, in one's complement (0 = right). */
function csumError(field: number, right: number): number {
  return onesSum(Uint8Array.of(field >> 8, field & 0xff, ~right >> 8 & 0xff, ~right & 0xff));
}

test('NAT keeps a wrong TCP/UDP checksum wrong by the same amount (incremental update), both ways, IPv4 and IPv6: the receiver drops it', () => {
  const cases = [
    { vip: '203.0.113.12', real: '198.51.100.6', rport: 8080, port: 80, proto: 'tcp' as const, client: '10.0.0.20' },
    { vip: '203.0.113.21', real: '198.51.100.11', rport: 53, port: 53, proto: 'udp' as const, client: '10.0.0.21' },
    { vip: '2001:db8::12', real: '2001:db8:1::6', rport: 8080, port: 80, proto: 'tcp' as const, client: '2001:db8:c::20' },
    { vip: '2001:db8::21', real: '2001:db8:1::b', rport: 53, port: 53, proto: 'udp' as const, client: '2001:db8:c::21' },
  ];
  for (const c of cases) {
    const l4 = (sport: number, dport: number) => (c.proto === 'tcp' ? { tcp: { sport, dport, flags: 'S' } } : { udp: { sport, dport } });
    const req: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: c.client, dst: c.vip, proto: c.proto, ...l4(40010, c.port), payload: 'hello', badChecksum: { l4: true } };
    const rep: FrameOpts = { ethSrc: realMac(c.real), ethDst: DIR_MAC, src: c.real, dst: c.client, proto: c.proto, ...l4(c.rport, 40010), payload: 'world', badChecksum: { l4: true } };
    for (const [o, what] of [[req, 'to the real'], [rep, 'back to the client']] as const) {
      const input = buildFrame(o), good = buildFrame({ ...o, badChecksum: {} });
      const inField = parseFrame(input).ip!.l4!.checksum, inRight = parseFrame(good).ip!.l4!.checksum;
      const r = run(input);
      assert.equal(r.name, 'TX', `${c.vip} ${c.proto} ${what}`);
      const out = parseFrame(r.out);
      assert.equal(out.l4ChecksumOk, false, `${c.vip} ${c.proto} ${what}: still wrong`);
      // The right checksum of the output, computed from scratch.
      const seg = Uint8Array.from(out.ip!.bytes.subarray(out.ip!.headerLength));
      const off = c.proto === 'tcp' ? 16 : 6;
      seg[off] = 0; seg[off + 1] = 0;
      let outRight = inetChecksum(pseudoHeader(ip(out.ip!.src).bytes, ip(out.ip!.dst).bytes, c.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP, seg.length), seg);
      if (c.proto === 'udp' && outRight === 0) outRight = 0xffff;
      assert.equal(csumError(out.ip!.l4!.checksum, outRight), csumError(inField, inRight), `${c.vip} ${c.proto} ${what}: wrong by the same amount`);
    }
  }
});

// ---- 7. VLAN tags on NAT replies -----------------------------------------------------

test('a NAT reply goes back with the VLAN tag the client\'s packets carried (pushed, kept or popped), IPv4 and IPv6', () => {
  const tagged = fromHex('020000000d01020000000c018100002a08004500001c00000000401134ba0a000002cb00711503ea00350008b5a7');
  assert.equal(run(tagged).name, 'TX');
  const reply = fromHex('020000000d01020000000a0b08004500001c0000000040114691c633640b0a000002003503ea0008c77e');
  const r = run(reply);
  assert.equal(r.name, 'TX');
  const p = parseFrame(r.out);
  assert.deepEqual([p.eth.vlan, p.eth.dst, p.eth.src, p.ip!.src, p.ip!.dst], [42, CLIENT_MAC, DIR_MAC, '203.0.113.21', '10.0.0.2']);
  assert.deepEqual(p.problems, []);
  // IPv6: tagged client, untagged reply; then an untagged client whose real's reply arrives tagged.
  const c6: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, vlan: 7, src: '2001:db8:c::2', dst: '2001:db8::21', proto: 'udp', udp: { sport: 1002, dport: 53 }, payload: 'q' };
  assert.equal(run(buildFrame(c6)).name, 'TX');
  const r6 = run(buildFrame({ ethSrc: realMac('2001:db8:1::b'), ethDst: DIR_MAC, src: '2001:db8:1::b', dst: '2001:db8:c::2', proto: 'udp', udp: { sport: 53, dport: 1002 }, payload: 'a' }));
  const p6 = parseFrame(r6.out);
  assert.deepEqual([p6.eth.vlan, p6.ip!.src], [7, '2001:db8::21']);
  assert.deepEqual(p6.problems, []);
  const untagged: FrameOpts = { ...c6, vlan: undefined, src: '2001:db8:c::3', udp: { sport: 1003, dport: 53 } };
  delete untagged.vlan;
  assert.equal(run(buildFrame(untagged)).name, 'TX');
  const r7 = run(buildFrame({ ethSrc: realMac('2001:db8:1::b'), ethDst: DIR_MAC, vlan: 99, src: '2001:db8:1::b', dst: '2001:db8:c::3', proto: 'tcp', tcp: { sport: 1, dport: 2 } }));
  assert.equal(r7.name, 'PASS', 'another flow\'s 5-tuple is not a reply');
  const r8 = run(buildFrame({ ethSrc: realMac('2001:db8:1::b'), ethDst: DIR_MAC, vlan: 99, src: '2001:db8:1::b', dst: '2001:db8:c::3', proto: 'udp', udp: { sport: 53, dport: 1003 }, payload: 'a' }));
  const p8 = parseFrame(r8.out);
  assert.equal(r8.name, 'TX');
  assert.deepEqual([p8.eth.vlans, p8.ip!.src], [[], '2001:db8::21']);
  assert.deepEqual(p8.problems, []);
});

// ---- 8. IPv6 extension headers ---------------------------------------------------------

test('IPv6: TCP behind hop-by-hop, routing (no segments left) and destination options headers is balanced; a routing header with segments left passes', () => {
  const hbh = fromHex('020000000d01020000000c0186dd60000000001c004020010db8000c0000000000000000000920010db800000000000000000000001006000104000000009c4001bb00000000000000005002ffffb6500000');
  const r = run(hbh);
  assert.equal(r.name, 'TX', 'DR SYN behind hop-by-hop');
  assert.equal(hex(r.out), hex(withMacs(hbh, realMac('2001:db8:1::1'), DIR_MAC)));
  const base: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '2001:db8:c::30', dst: '2001:db8::10', proto: 'tcp', tcp: { sport: 40030, dport: 443, flags: 'S' } };
  const chains = [
    [{ type: IPPROTO_HOPOPTS, body: new Uint8Array(6) }, { type: IPPROTO_DSTOPTS, body: new Uint8Array(14) }],
    [{ type: IPPROTO_ROUTING, body: Uint8Array.of(0, 0, 0, 0, 0, 0) }],
    [{ type: IPPROTO_DSTOPTS, body: new Uint8Array(6) }, { type: IPPROTO_ROUTING, body: Uint8Array.of(0, 0, 0, 0, 0, 0) }, { type: IPPROTO_DSTOPTS, body: new Uint8Array(6) }],
  ];
  for (const [i, v6Ext] of chains.entries()) {
    const f = buildFrame({ ...base, src: `2001:db8:c::3${i + 1}`, v6Ext });
    const out = run(f);
    assert.equal(out.name, 'TX', `chain ${i}`);
    assert.equal(hex(out.out), hex(withMacs(f, realMac('2001:db8:1::1'), DIR_MAC)), `chain ${i}: DR rewrote the MACs only`);
  }
  // TUN and NAT behind an extension header.
  const tun = buildFrame({ ...base, dst: '2001:db8::11', tcp: { sport: 40040, dport: 80, flags: 'S' }, v6Ext: [{ type: IPPROTO_HOPOPTS, body: new Uint8Array(6) }] });
  const t = run(tun);
  assert.equal(t.name, 'TX');
  assert.equal(hex(t.out), hex(ethFrame({ ethDst: realMac('2001:db8:1::4'), ethSrc: DIR_MAC },
    encap({ src: '2001:db8:1::fe', dst: '2001:db8:1::4', ttl: 64 }, stripEther(tun)))));
  const nat = buildFrame({ ...base, dst: '2001:db8::12', tcp: { sport: 40041, dport: 80, flags: 'S' }, v6Ext: [{ type: IPPROTO_DSTOPTS, body: new Uint8Array(6) }] });
  const n = parseFrame(run(nat).out);
  assert.deepEqual([n.ip!.dst, n.ip!.tcp?.dport, n.problems], ['2001:db8:1::6', 8080, []]);
  // The real's reply behind a destination options header is translated back.
  const rep = parseFrame(run(buildFrame({ ethSrc: realMac('2001:db8:1::6'), ethDst: DIR_MAC, src: '2001:db8:1::6', dst: '2001:db8:c::30', proto: 'tcp',
    tcp: { sport: 8080, dport: 40041, flags: 'SA' }, v6Ext: [{ type: IPPROTO_DSTOPTS, body: new Uint8Array(6) }] })).out);
  assert.deepEqual([rep.ip!.src, rep.ip!.tcp?.sport, rep.problems], ['2001:db8::12', 80, []]);
  // Segments left: the packet is for another hop first.
  refused(buildFrame({ ...base, v6Ext: [{ type: IPPROTO_ROUTING, body: Uint8Array.of(0, 1, 0, 0, 0, 0) }] }), XDP.PASS, 'pass_ipv6_routed', 'routing header, 1 segment left');
});

// ---- 9. Martian sources -------------------------------------------------------------------

test('martian sources (0/8, 127/8, 224/4, 255.255.255.255, ::, ::1, ff00::/8) are dropped and counted, and make no entries', () => {
  const v4 = ['0.0.0.0', '0.1.2.3', '127.0.0.1', '224.0.0.1', '239.255.255.255', '255.255.255.255'];
  for (const [vip, port] of [['203.0.113.10', 80], ['203.0.113.11', 80], ['203.0.113.12', 80]] as const) {
    for (const src of v4) {
      refused(buildFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src, dst: vip, proto: 'tcp', tcp: { sport: 1000, dport: port, flags: 'S' } }), XDP.DROP, 'drop_martian', `${src} -> ${vip}`);
    }
  }
  for (const src of ['::', '::1', 'ff02::1', 'ff0e::5']) {
    refused(buildFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src, dst: '2001:db8::10', proto: 'tcp', tcp: { sport: 1000, dport: 443, flags: 'S' } }), XDP.DROP, 'drop_martian', `${src} -> DR v6`);
    refused(buildFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src, dst: '2001:db8::21', proto: 'udp', udp: { sport: 1000, dport: 53 } }), XDP.DROP, 'drop_martian', `${src} -> NAT v6`);
  }
  assert.equal(flowCount(), 0);
  // 240/4 is not a martian source for Linux (class E became usable); forwarded.
  assert.equal(run(buildFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '240.0.0.1', dst: '203.0.113.10', proto: 'tcp', tcp: { sport: 1000, dport: 80, flags: 'S' } })).name, 'TX');
});
