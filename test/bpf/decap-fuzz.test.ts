// The real server's decap program (bpf/ipvx_decap.bpf.c) under random frames: valid
// IPIP, GUE and GRE packets (both outer and inner families, with and without checksums,
// GRE keys and sequence numbers) and the same with bytes changed, lengths lied about
// and tails cut off. Each frame is checked against what can be read off the frame
// itself:
//   - the verdict is PASS or DROP, and exactly one reason counter moves;
//   - a frame that is not decapsulated and passes is untouched;
//   - a decapsulated frame is the input without exactly the outer headers its fields
//     announce (outer IP + nothing, UDP + GUE, or GRE with its optional words), behind
//     the same MACs with the inner packet's ethertype, and only for a registered
//     address (and GUE port), an IPv4 outer without options or fragmentation, and a
//     tunnel header the program supports;
//   - where the lengths are honest, a GUE or GRE checksum that is present decides:
//     decapsulated when it verifies, dropped when it does not;
//   - an unchanged valid frame is decapsulated to exactly the client's packet.
// Seeded: IPVX_DECAP_FUZZ_SEED=N runs one seed again (the failure names it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BpfObject } from '../../src/bpf/index.js';
import { XDP, XDP_NAME } from '../lib/lb-harness.js';
import { openDecap, decapCount, DECAP_REASONS } from '../lib/decap-harness.js';
import { buildFrame, ethFrame, encap, stripEther, hex, inetChecksum, pseudoHeader, type FrameOpts } from '../lib/packet.js';
import { gue, gre } from '../lib/tunnel-frames.js';
import { Rng } from '../lib/fuzz/rng.js';
import { ip } from '../../src/core/addr.js';

const DIR_MAC = '02:00:00:00:0d:01', REAL_MAC = '02:00:00:00:0a:01';
const REAL4 = '198.51.100.1', REAL6 = '2001:db8:1::1', DIR4 = '198.51.100.254', DIR6 = '2001:db8:1::fe';
const GUE_PORT = 6080;
const REASONS = DECAP_REASONS;
const FRAMES = Number(process.env.IPVX_DECAP_FUZZ_FRAMES ?? 20_000);
const SEED = Number(process.env.IPVX_DECAP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let obj: BpfObject;
before(() => { obj = openDecap([REAL4, REAL6], [GUE_PORT]); });
after(() => obj?.close());

const counters = () => REASONS.map((n) => decapCount(obj, n));

const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const put16 = (b: Uint8Array, at: number, v: number) => { b[at] = (v >> 8) & 0xff; b[at + 1] = v & 0xff; };
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const addr = (b: Uint8Array) => (b.length === 4 ? [...b].join('.') : ip(Array.from({ length: 8 }, (_, i) => be16(b, i * 2).toString(16)).join(':')).text);

/** A client packet: TCP or UDP, IPv4 or IPv6, 0-600 bytes of payload. */
function clientPacket(r: Rng): Uint8Array {
  const v6 = r.chance(0.5);
  const o: FrameOpts = {
    src: v6 ? '2001:db8:c::7' : '192.0.2.7', dst: v6 ? '2001:db8::11' : '203.0.113.11', df: true,
    ...(r.chance(0.7) ? { proto: 'tcp' as const, tcp: { sport: r.range(1024, 65535), dport: 80, flags: 'PA' } } : { proto: 'udp' as const, udp: { sport: r.range(1024, 65535), dport: 53 } }),
    payload: 'x'.repeat(r.int(600)),
  };
  return stripEther(buildFrame(o));
}

/** GRE with the key (K) and sequence (S) words IPVS never sends but RFC 2890 allows. */
function greWithWords(outer: { src: string; dst: string; csum: boolean }, inner: Uint8Array, key: boolean, seq: boolean): Uint8Array {
  const base = gre({ src: outer.src, dst: outer.dst }, inner);
  const ohl = ip(outer.src).family === 4 ? 20 : 40;
  const words = (outer.csum ? 1 : 0) + (key ? 1 : 0) + (seq ? 1 : 0);
  const hdr = new Uint8Array(4 + 4 * words);
  put16(hdr, 0, (outer.csum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (seq ? 0x1000 : 0));
  hdr.set(base.subarray(ohl + 2, ohl + 4), 2);
  const out = new Uint8Array(ohl + hdr.length + inner.length);
  out.set(base.subarray(0, ohl));
  out.set(hdr, ohl);
  out.set(inner, ohl + hdr.length);
  for (let i = 4 + (outer.csum ? 4 : 0); i < hdr.length; i++) out[ohl + i] = (i * 37) & 0xff;
  if (outer.csum) put16(out, ohl + 4, inetChecksum(out.subarray(ohl)));
  fixOuterLength(out);
  return out;
}

/** Make the outer IP header's length (and IPv4 header checksum) honest for this packet. */
function fixOuterLength(b: Uint8Array): void {
  if (b[0]! >> 4 === 4) {
    put16(b, 2, b.length);
    put16(b, 10, 0);
    put16(b, 10, inetChecksum(b.subarray(0, 20)));
  } else {
    put16(b, 4, b.length - 40);
  }
}

/** A valid tunnelled frame to a registered address, and the client's packet inside. */
function validFrame(r: Rng): { frame: Uint8Array; inner: Uint8Array } {
  const inner = clientPacket(r);
  const v6 = r.chance(0.5);
  const outer = { src: v6 ? DIR6 : DIR4, dst: v6 ? REAL6 : REAL4 };
  const csum = r.chance(0.5);
  const kind = r.pick(['ipip', 'gue', 'gre', 'gre+words'] as const);
  const pkt = kind === 'ipip' ? encap(outer, inner)
    : kind === 'gue' ? gue({ ...outer, sport: r.range(32768, 60999), dport: GUE_PORT, csum }, inner)
      : kind === 'gre' ? gre({ ...outer, csum }, inner)
        : greWithWords({ ...outer, csum }, inner, r.chance(0.5), r.chance(0.5));
  return { frame: ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, pkt), inner };
}

/** One to three changes: a byte of the headers, a length field, the tail cut, the address or port. */
function mutate(r: Rng, f: Uint8Array): Uint8Array {
  let b = Uint8Array.from(f);
  const v4 = be16(b, 12) === 0x0800, ohl = v4 ? 20 : 40;
  for (let n = r.range(1, 3); n > 0; n--) {
    switch (r.int(6)) {
      case 0: { const at = r.int(Math.min(b.length, 14 + ohl + 24)); b[at] = r.u32() & 0xff; break; }
      case 1: if (v4) put16(b, 16, r.chance(0.5) ? r.int(0x10000) : be16(b, 16) + r.range(-24, 24)); else put16(b, 18, r.int(0x10000)); break;
      case 2: b = b.subarray(0, r.range(14, b.length)); break;
      case 3: if (b.length > 14 + ohl + 8) put16(b, 14 + ohl + 4, r.int(0x10000)); break; // UDP length, or GRE's second word
      case 4: if (b.length > 14 + ohl + 6) b[14 + ohl + r.int(6)] ^= 1 << r.int(8); break; // the tunnel header's first bytes
      default: b[14 + ohl - 1] ^= r.chance(0.5) ? 1 : 0; break; // the last byte of the destination address
    }
  }
  return b;
}

interface Reading { decapsulable: boolean; strip: number; inner?: number; honest: boolean; checksum?: 'good' | 'bad'; malformed?: boolean }

/** What the frame's own fields say: the outer headers a correct decap strips, if any. */
function read(f: Uint8Array): Reading {
  const no: Reading = { decapsulable: false, strip: 0, honest: false };
  if (f.length < 14) return no;
  const type = be16(f, 12), p = f.subarray(14);
  let next: number, ohl: number, payload: number, dst: Uint8Array, src: Uint8Array;
  if (type === 0x0800) {
    if (p.length < 20) return no;
    next = p[9]!;
    if ((p[0]! & 0xf) !== 5 || (be16(p, 6) & 0x3fff) !== 0) return no;
    ohl = 20; payload = be16(p, 2) - 20; src = p.subarray(12, 16); dst = p.subarray(16, 20);
  } else if (type === 0x86dd) {
    if (p.length < 40) return no;
    next = p[6]!; ohl = 40; payload = be16(p, 4); src = p.subarray(8, 24); dst = p.subarray(24, 40);
  } else {
    return no;
  }
  if (![4, 41, 17, 47].includes(next)) return no;
  if (![REAL4, REAL6].includes(addr(dst))) return no;
  const t = p.subarray(ohl), honest = payload === t.length;
  if (next === 4 || next === 41) return { decapsulable: true, strip: ohl, inner: next === 4 ? 0x0800 : 0x86dd, honest };
  if (next === 17) {
    if (t.length < 12 || be16(t, 2) !== GUE_PORT) return no;
    const udpLen = be16(t, 4);
    // The kernel's udp_rcv drops a datagram whose length does not fit its packet.
    if (udpLen < 12 || udpLen > (payload >>> 0)) return { ...no, malformed: true };
    if (t[8] !== 0 || t[10] !== 0 || t[11] !== 0 || (t[9] !== 4 && t[9] !== 41)) return no;
    const reading: Reading = { decapsulable: true, strip: ohl + 12, inner: t[9] === 4 ? 0x0800 : 0x86dd, honest: honest && udpLen === t.length };
    if (be16(t, 6) !== 0 && reading.honest) reading.checksum = inetChecksum(pseudoHeader(src, dst, 17, udpLen), t) === 0 ? 'good' : 'bad';
    return reading;
  }
  if (t.length < 4) return no;
  const flags = be16(t, 0), proto = be16(t, 2);
  if ((flags & 0x4000) || (flags & 0x0fff) || (proto !== 0x0800 && proto !== 0x86dd)) return no; // routing, other bits, version
  const hdr = 4 + 4 * ((flags & 0x8000 ? 1 : 0) + (flags & 0x2000 ? 1 : 0) + (flags & 0x1000 ? 1 : 0));
  const reading: Reading = { decapsulable: true, strip: ohl + hdr, inner: proto, honest: honest && t.length >= hdr };
  if ((flags & 0x8000) && reading.honest) reading.checksum = inetChecksum(t) === 0 ? 'good' : 'bad';
  return reading;
}

test(`decap under ${FRAMES} random frames (seed ${SEED}): untouched unless decapsulated, exactly the announced headers stripped, checksums decide`, { timeout: 120_000 }, () => {
  const r = new Rng(SEED);
  const tally = { decap: 0, pass: 0, drop: 0, checked: 0 };
  for (let i = 0; i < FRAMES; i++) {
    const { frame: valid, inner } = validFrame(r);
    const changed = r.chance(0.8);
    const frame = changed ? mutate(r, valid) : valid;
    const before = counters();
    const res = obj.program('decap_ingress').testRun({ data: frame, dataSizeOut: frame.length + 64 });
    const moved = counters().map((c, k) => c - before[k]!);
    const where = `seed ${SEED}, frame ${i}: ${hex(frame)}`;
    assert.equal(moved.reduce((a, b) => a + b, 0n), 1n, `one reason per frame (${where})`);
    const why = REASONS[moved.findIndex((m) => m === 1n)]!;
    const action = XDP_NAME[res.retval];
    const out = res.data;
    assert.ok(action === 'PASS' || action === 'DROP', `${action} (${where})`);
    const reading = read(frame);
    if (reading.malformed) assert.equal(why, 'malformed', `a UDP length that does not fit its packet (${where})`);
    if (why === 'decap') {
      tally.decap++;
      assert.equal(action, 'PASS', where);
      assert.ok(reading.decapsulable, `decapsulated a frame that is not a supported tunnel to us (${where})`);
      assert.equal(frame.length - out.length, reading.strip, `stripped bytes (${where})`);
      assert.ok(same(out.subarray(0, 12), frame.subarray(0, 12)), `MACs kept (${where})`);
      assert.equal(be16(out, 12), reading.inner, `inner ethertype (${where})`);
      assert.ok(same(out.subarray(14), frame.subarray(14 + reading.strip)), `the rest is the input's (${where})`);
      assert.notEqual(reading.checksum, 'bad', `a checksum that does not verify was accepted (${where})`);
      if (!changed) assert.equal(hex(out), hex(ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, inner)), `the client's packet (${where})`);
    } else if (action === 'PASS') {
      tally.pass++;
      assert.ok(same(out, frame), `passed without decap: untouched (${why}, ${where})`);
      assert.ok(why === 'pass' || why === 'unsupported', `${why} (${where})`);
      assert.ok(changed, `a valid frame was not decapsulated (${why}, ${where})`);
    } else {
      tally.drop++;
      assert.ok(why === 'malformed' || why === 'bad_csum', `${why} (${where})`);
      assert.notEqual(reading.checksum, 'good', `a verifying checksum was dropped (${where})`);
      assert.ok(changed, `a valid frame was dropped (${where})`);
    }
    if (reading.checksum) tally.checked++;
  }
  if (process.env.IPVX_DECAP_FUZZ_TALLY) console.log(JSON.stringify(tally));
  // The mix reaches every outcome, and checksums were judged many times.
  assert.ok(tally.decap > FRAMES / 10 && tally.pass > FRAMES / 20 && tally.drop > FRAMES / 100 && tally.checked > FRAMES / 20, JSON.stringify(tally));
});

// The random run checks this too; here each case by itself. Without a checksum such a
// datagram used to be decapsulated, where the kernel's udp_rcv drops it as malformed.
test('a GUE datagram whose UDP length exceeds its packet, or is shorter than UDP + GUE, is dropped as malformed, with or without a checksum', () => {
  const inner = stripEther(buildFrame({ src: '192.0.2.7', dst: '203.0.113.11', proto: 'udp', udp: { sport: 5000, dport: 53 }, payload: 'q' }));
  for (const csum of [false, true]) {
    for (const udpLen of [1400, 11, 0]) {
      const f = ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, gue({ src: DIR4, dst: REAL4, sport: 40000, dport: GUE_PORT, csum }, inner));
      put16(f, 14 + 20 + 4, udpLen);
      const before = counters()[REASONS.indexOf('malformed')]!;
      const r = obj.program('decap_ingress').testRun({ data: f, dataSizeOut: f.length + 64 });
      assert.equal(r.retval, XDP.DROP, `checksum ${csum}, UDP length ${udpLen}`);
      assert.equal(counters()[REASONS.indexOf('malformed')]! - before, 1n);
    }
  }
});
