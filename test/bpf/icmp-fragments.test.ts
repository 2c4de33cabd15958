// ICMP errors about flows (IPVS ip_vs_in_icmp / ip_vs_out_icmp / ip_vs_in_icmp_v6) and
// fragments (every fragment where its first went), DR/TUN/NAT, IPv4 and IPv6. Expected
// frames are built independently by test/lib/packet.ts.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP_NAME } from '../lib/lb-harness.js';
import {
  buildFrame, parseFrame, hex, macBytes, withMacs, FrameOpts, ipPacket, ethFrame, encap, stripEther, concat, inetChecksum,
  pseudoHeader, IPPROTO_UDP, fragment,
} from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, Method, Protocol, ServiceSpec } from '../../src/core/model.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';

const CLIENT_MAC = '02:00:00:00:0c:01';
const DIR_MAC = '02:00:00:00:0d:01';
const ROUTER = { 4: '192.0.2.1', 6: '2001:db8:ff::1' } as const;
const realMac = (addr: string) => `02:00:00:00:0a:${ip(addr).bytes.at(-1)!.toString(16).padStart(2, '0')}`;
const DIR = { 4: '198.51.100.254', 6: '2001:db8:1::fe' } as const;

interface Case { family: 4 | 6; method: Method; vip: string; real: string; port: number; rport: number; client: string }
const CASES: Case[] = [
  { family: 4, method: 'dr', vip: '203.0.113.10', real: '198.51.100.1', port: 80, rport: 80, client: '192.0.2.50' },
  { family: 4, method: 'tun', vip: '203.0.113.11', real: '198.51.100.4', port: 80, rport: 80, client: '192.0.2.51' },
  { family: 4, method: 'nat', vip: '203.0.113.12', real: '198.51.100.6', port: 80, rport: 8080, client: '192.0.2.52' },
  { family: 6, method: 'dr', vip: '2001:db8::10', real: '2001:db8:1::1', port: 80, rport: 80, client: '2001:db8:c::50' },
  { family: 6, method: 'tun', vip: '2001:db8::11', real: '2001:db8:1::4', port: 80, rport: 80, client: '2001:db8:c::51' },
  { family: 6, method: 'nat', vip: '2001:db8::12', real: '2001:db8:1::6', port: 80, rport: 8080, client: '2001:db8:c::52' },
];

function services(protocol: Protocol): ServiceSpec[] {
  return CASES.map((c) => ({
    vip: c.vip, port: c.port, protocol, scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: c.method,
    reals: [{ address: c.real, port: c.rport, method: c.method, weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
  }));
}

const hop = (a: { text: string; family: 4 | 6 }): NextHop => ({
  ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(realMac(a.text)), mtu: 9000, src: ip(DIR[a.family]),
});

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());
beforeEach(() => {
  h.resetFlows();
  writeIfMac(h.maps, 1, macBytes(DIR_MAC));
});

const run = (f: Uint8Array) => { const r = h.run(f); return { ...r, name: XDP_NAME[r.action]! }; };

/**
 * What the director sends a real for an IP packet (DR: new MACs; TUN: wrapped; NAT: as
 * given). An outer IPv4 header's identification comes from a per-CPU counter: taken from
 * `got`, the frame that left (test/bpf/tunnel.test.ts checks the counter itself).
 */
function toReal(c: Case, pkt: Uint8Array, got: Uint8Array): Uint8Array {
  const eth = { ethDst: realMac(c.real), ethSrc: DIR_MAC };
  // The outer header keeps an IPv4 packet's DF (docs/dataplane.md).
  const df = pkt[0]! >> 4 === 4 ? (pkt[6]! & 0x40) !== 0 : false;
  const id = c.family === 4 ? (got[18]! << 8) | got[19]! : undefined;
  return c.method === 'tun' ? ethFrame(eth, encap({ src: DIR[c.family], dst: c.real, ttl: 64, df, id }, pkt)) : ethFrame(eth, pkt);
}

/** An ICMP error from a router, quoting the first bytes of `quoted` (an IP packet). */
function icmpError(c: Case, from: string, to: string, quoted: Uint8Array): Uint8Array {
  const body = quoted.subarray(0, c.family === 4 ? quoted[0]! % 16 * 4 + 8 : 48);
  return c.family === 4
    ? ipPacket({ src: from, dst: to, proto: 'icmp', icmp: { type: 3, code: 4, rest: Uint8Array.of(0, 0, 0x05, 0x78) }, payload: body })
    : ipPacket({ src: from, dst: to, proto: 'icmp', icmp: { type: 2, code: 0, rest: Uint8Array.of(0, 0, 0x05, 0x78) }, payload: body });
}

for (const c of CASES) {
  test(`ICMP ${c.family === 4 ? 'frag-needed' : 'packet-too-big'} about a ${c.method.toUpperCase()} IPv${c.family} flow's reply goes to the flow's real${c.method === 'nat' ? ', translated' : ''}`, () => {
    h.apply({ services: services('tcp'), timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
    const syn: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: c.client, dst: c.vip, proto: 'tcp', tcp: { sport: 40000, dport: c.port, flags: 'S' } };
    assert.equal(run(buildFrame(syn)).name, 'TX');
    // The VIP's reply (as it left the director or the real) met a smaller MTU.
    const reply = ipPacket({ src: c.vip, dst: c.client, ttl: 63, proto: 'tcp', tcp: { sport: c.port, dport: 40000, flags: 'A', seq: 7, ack: 9 }, payload: 'x'.repeat(1400) });
    const err = icmpError(c, ROUTER[c.family], c.vip, reply);
    const r = run(ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, err));
    assert.equal(r.name, 'TX');
    let want: Uint8Array;
    if (c.method !== 'nat') {
      want = toReal(c, err, r.out);
    } else {
      // What the real sent, quoted; the error addressed to the real.
      const realSent = ipPacket({ src: c.real, dst: c.client, ttl: 63, proto: 'tcp', tcp: { sport: c.rport, dport: 40000, flags: 'A', seq: 7, ack: 9 }, payload: 'x'.repeat(1400) });
      want = toReal(c, icmpError(c, ROUTER[c.family], c.real, realSent), r.out);
    }
    assert.equal(hex(r.out), hex(want));
    assert.deepEqual(parseFrame(r.out).problems, []);
    assert.equal(h.reason('icmp_to_real') > 0n, true);
  });
}

for (const c of CASES.filter((x) => x.method === 'nat')) {
  test(`an ICMP error from a NAT real about a packet it got is translated back to the VIP and sent to the client, IPv${c.family}`, () => {
    h.apply({ services: services('tcp'), timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
    const syn: FrameOpts = { ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: c.client, dst: c.vip, proto: 'tcp', tcp: { sport: 40001, dport: c.port, flags: 'S' } };
    assert.equal(run(buildFrame(syn)).name, 'TX');
    // The real (or a router behind it) answers the translated SYN with an error.
    const got = ipPacket({ src: c.client, dst: c.real, proto: 'tcp', tcp: { sport: 40001, dport: c.rport, flags: 'S' } });
    const err = c.family === 4
      ? ipPacket({ src: c.real, dst: c.client, proto: 'icmp', icmp: { type: 3, code: 1 }, payload: got.subarray(0, 28) })
      : ipPacket({ src: c.real, dst: c.client, proto: 'icmp', icmp: { type: 1, code: 3 }, payload: got.subarray(0, 48) });
    const r = run(ethFrame({ ethSrc: realMac(c.real), ethDst: DIR_MAC }, err));
    assert.equal(r.name, 'TX');
    const sent = ipPacket({ src: c.client, dst: c.vip, proto: 'tcp', tcp: { sport: 40001, dport: c.port, flags: 'S' } });
    const want = c.family === 4
      ? ipPacket({ src: c.vip, dst: c.client, proto: 'icmp', icmp: { type: 3, code: 1 }, payload: sent.subarray(0, 28) })
      : ipPacket({ src: c.vip, dst: c.client, proto: 'icmp', icmp: { type: 1, code: 3 }, payload: sent.subarray(0, 48) });
    assert.equal(hex(r.out), hex(ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC }, want)));
  });
}

test('ICMP errors quoting no flow, and pings to a VIP, go to the kernel untouched', () => {
  h.apply({ services: services('tcp'), timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
  for (const c of CASES.filter((x) => x.method === 'dr')) {
    const stray = ipPacket({ src: c.vip, dst: c.client, proto: 'tcp', tcp: { sport: c.port, dport: 50000, flags: 'A' } });
    const f = ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, icmpError(c, ROUTER[c.family], c.vip, stray));
    const before = h.reason('pass_icmp_no_flow');
    const r = run(f);
    assert.deepEqual([r.name, hex(r.out)], ['PASS', hex(f)]);
    assert.equal(h.reason('pass_icmp_no_flow') - before, 1n);
    const ping = buildFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: c.client, dst: c.vip, proto: 'icmp', icmp: { type: c.family === 4 ? 8 : 128, id: 1, seq: 1 } });
    assert.equal(run(ping).name, 'PASS');
  }
});

// ---- Fragments ----------------------------------------------------------------------

/** The UDP datagram put back together from fragments (frames), with its addresses. */
function reassemble(frames: Uint8Array[]): { src: string; dst: string; udp: Uint8Array } {
  const parts = frames.map((f) => parseFrame(f).ip!).map((p) => (p.inner ?? p));
  const pieces = parts.map((p) => ({ off: p.fragOffset * 8, data: p.bytes.subarray(p.headerLength) }));
  const len = Math.max(...pieces.map((x) => x.off + x.data.length));
  const udp = new Uint8Array(len);
  for (const x of pieces) udp.set(x.data, x.off);
  return { src: parts[0]!.src, dst: parts[0]!.dst, udp };
}

function udpChecksumOk(src: string, dst: string, udp: Uint8Array): boolean {
  return inetChecksum(pseudoHeader(ip(src).bytes, ip(dst).bytes, IPPROTO_UDP, udp.length), udp) === 0;
}

for (const c of CASES) {
  test(`a 3,000-byte UDP datagram in fragments: every fragment to the first's real (${c.method.toUpperCase()} IPv${c.family}), and the answer back`, () => {
    h.apply({ services: services('udp'), timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
    const dgram = ipPacket({ src: c.client, dst: c.vip, proto: 'udp', udp: { sport: 5000, dport: c.port }, payload: 'd'.repeat(3000) });
    const frags = fragment(dgram, 1400, 0x1234);
    assert.equal(frags.length, 3);
    const before = { first: h.reason('frag_first'), followed: h.reason('frag_followed') };
    const outs = frags.map((f) => run(ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, f)));
    for (const o of outs) assert.equal(o.name, 'TX');
    assert.equal(h.reason('frag_first') - before.first, 1n);
    assert.equal(h.reason('frag_followed') - before.followed, 2n);
    if (c.method !== 'nat') {
      outs.forEach((o, i) => assert.equal(hex(o.out), hex(toReal(c, frags[i]!, o.out)), `fragment ${i}`));
    } else {
      const got = reassemble(outs.map((o) => o.out));
      assert.deepEqual([got.src, got.dst, (got.udp[2]! << 8) | got.udp[3]!], [c.client, c.real, c.rport]);
      assert.ok(udpChecksumOk(got.src, got.dst, got.udp), 'the datagram\'s UDP checksum verifies after NAT');
      for (const o of outs) assert.equal(parseFrame(o.out).ipv4HeaderChecksumOk ?? true, true);
      // The real answers with a fragmented datagram: back to VIP:port.
      const answer = ipPacket({ src: c.real, dst: c.client, proto: 'udp', udp: { sport: c.rport, dport: 5000 }, payload: 'a'.repeat(3000) });
      const back = fragment(answer, 1400, 0x4321).map((f) => run(ethFrame({ ethSrc: realMac(c.real), ethDst: DIR_MAC }, f)));
      for (const o of back) assert.equal(o.name, 'TX');
      const b = reassemble(back.map((o) => o.out));
      assert.deepEqual([b.src, b.dst, (b.udp[0]! << 8) | b.udp[1]!], [c.vip, c.client, c.port]);
      assert.ok(udpChecksumOk(b.src, b.dst, b.udp));
      for (const o of back) assert.equal(parseFrame(o.out).eth.dst, CLIENT_MAC);
    }
  });
}

test('a later fragment arriving before its first is dropped and counted (nothing to balance on)', () => {
  h.apply({ services: services('udp'), timeouts: { ...DEFAULT_TIMEOUTS } }, hop);
  for (const c of CASES.filter((x) => x.method === 'dr')) {
    const frags = fragment(ipPacket({ src: c.client, dst: c.vip, proto: 'udp', udp: { sport: 5001, dport: c.port }, payload: 'e'.repeat(3000) }), 1400, 0x77);
    const before = h.reason('drop_frag_no_flow');
    assert.equal(run(ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, frags[2]!)).name, 'DROP');
    assert.equal(h.reason('drop_frag_no_flow') - before, 1n);
    // Once the first is seen, the rest follow.
    assert.equal(run(ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, frags[0]!)).name, 'TX');
    assert.equal(run(ethFrame({ ethSrc: CLIENT_MAC, ethDst: DIR_MAC }, frags[1]!)).name, 'TX');
  }
  void withMacs; void stripEther;
});
