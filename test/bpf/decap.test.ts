// The real server's decap program (bpf/ipvx_decap.bpf.c) through BPF_PROG_TEST_RUN:
// IPIP, GUE and GRE addressed to a registered address are stripped to the client's
// packet; checksums that are present are verified; anything else passes untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BpfObject } from '../../src/bpf/index.js';
import { XDP, XDP_NAME } from '../lib/lb-harness.js';
import { openDecap, decapCount, type DecapReason } from '../lib/decap-harness.js';
import { buildFrame, ethFrame, encap, stripEther, hex, type FrameOpts } from '../lib/packet.js';
import { gue, gre } from '../lib/tunnel-frames.js';
import { ip } from '../../src/core/addr.js';

const DIR_MAC = '02:00:00:00:0d:01', REAL_MAC = '02:00:00:00:0a:01';
const REAL4 = '198.51.100.1', REAL6 = '2001:db8:1::1', DIR4 = '198.51.100.254', DIR6 = '2001:db8:1::fe';

let obj: BpfObject;
before(() => { obj = openDecap([REAL4, REAL6], [6080]); });
after(() => obj?.close());

function run(frame: Uint8Array) {
  const r = obj.program('decap_ingress').testRun({ data: frame, dataSizeOut: frame.length + 64 });
  return { action: r.retval, out: r.data };
}
const reason = (name: DecapReason) => decapCount(obj, name);

const client4: FrameOpts = { src: '192.0.2.7', dst: '203.0.113.11', df: true, proto: 'tcp', tcp: { sport: 40000, dport: 80, flags: 'PA' }, payload: 'hello, real' };
const client6: FrameOpts = { src: '2001:db8:c::7', dst: '2001:db8::11', proto: 'tcp', tcp: { sport: 40000, dport: 80, flags: 'PA' }, payload: 'hello, real' };
const wrap = (outer: Uint8Array) => ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, outer);
/** What the kernel must get: the client's packet behind the same MACs. */
const inner = (o: FrameOpts) => ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, stripEther(buildFrame(o)));

const OUTERS = [
  { name: 'IPv4 outer', src: DIR4, dst: REAL4 },
  { name: 'IPv6 outer', src: DIR6, dst: REAL6 },
] as const;

for (const o of OUTERS) {
  for (const c of [client4, client6]) {
    const what = `${o.name}, IPv${ip(c.src).family} inside`;
    test(`${what}: IPIP, GUE (no checksum, checksum) and GRE (no checksum, checksum, key) are stripped to the client's packet`, () => {
      const pkt = stripEther(buildFrame(c));
      const frames = {
        ipip: encap({ src: o.src, dst: o.dst }, pkt),
        gue: gue({ src: o.src, dst: o.dst, sport: 40123, dport: 6080 }, pkt),
        'gue csum': gue({ src: o.src, dst: o.dst, sport: 40123, dport: 6080, csum: true }, pkt),
        gre: gre({ src: o.src, dst: o.dst }, pkt),
        'gre csum': gre({ src: o.src, dst: o.dst, csum: true }, pkt),
      };
      const before = reason('decap');
      for (const [k, f] of Object.entries(frames)) {
        const r = run(wrap(f));
        assert.equal(XDP_NAME[r.action], 'PASS', k);
        assert.equal(hex(r.out), hex(inner(c)), `${k}: the inner packet`);
      }
      assert.equal(reason('decap') - before, 5n);
    });
  }

  test(`${o.name}: a GUE or GRE checksum that does not verify drops the packet; GRE with a key is stripped too`, () => {
    const pkt = stripEther(buildFrame(client4));
    const bad = (f: Uint8Array, at: number) => { const b = Uint8Array.from(f); b[at] ^= 0x01; return b; };
    const ohl = o.src === DIR4 ? 20 : 40;
    const before = reason('bad_csum');
    assert.equal(run(wrap(bad(gue({ src: o.src, dst: o.dst, sport: 1, dport: 6080, csum: true }, pkt), ohl + 12 + 30))).action, XDP.DROP);
    assert.equal(run(wrap(bad(gre({ src: o.src, dst: o.dst, csum: true }, pkt), ohl + 8 + 30))).action, XDP.DROP);
    assert.equal(reason('bad_csum') - before, 2n);
    // GRE with a key (K bit): 4 more bytes before the packet.
    const keyed = gre({ src: o.src, dst: o.dst }, pkt);
    const withKey = new Uint8Array(keyed.length + 4);
    withKey.set(keyed.subarray(0, ohl + 4));
    withKey.set(Uint8Array.of(0, 0, 0, 42), ohl + 4);
    withKey.set(keyed.subarray(ohl + 4), ohl + 8);
    withKey[ohl] = 0x20; // K
    const fixLen = (b: Uint8Array) => {
      if (o.src === DIR4) { b[2] = (b.length >> 8) & 0xff; b[3] = b.length & 0xff; b[10] = 0; b[11] = 0; let s = 0; for (let i = 0; i < 20; i += 2) s += (b[i]! << 8) | b[i + 1]!; while (s > 0xffff) s = (s & 0xffff) + (s >> 16); s = ~s & 0xffff; b[10] = s >> 8; b[11] = s & 0xff; }
      else { const l = b.length - 40; b[4] = l >> 8; b[5] = l & 0xff; }
      return b;
    };
    const r = run(wrap(fixLen(withKey)));
    assert.equal(XDP_NAME[r.action], 'PASS');
    assert.equal(hex(r.out), hex(inner(client4)));
  });
}

test('not ours: another address, a UDP port nobody registered, GUE with optional fields, plain traffic: passed untouched', () => {
  const pkt = stripEther(buildFrame(client4));
  const untouched = [
    wrap(encap({ src: DIR4, dst: '198.51.100.2' }, pkt)),
    wrap(gue({ src: DIR4, dst: REAL4, sport: 1, dport: 6081 }, pkt)),
    buildFrame({ ...client4, ethDst: REAL_MAC, ethSrc: DIR_MAC, dst: REAL4 }),
    buildFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC, src: DIR4, dst: REAL4, proto: 'udp', udp: { sport: 53, dport: 6080 }, payload: 'short' }),
  ];
  // GUE with hlen 1 (an optional field): remote checksum offload, which this program does not do.
  const opt = gue({ src: DIR4, dst: REAL4, sport: 1, dport: 6080 }, pkt);
  opt[20 + 8] = 0x01;
  untouched.push(wrap(opt));
  const unsupported = reason('unsupported');
  for (const [i, f] of untouched.entries()) {
    const r = run(f);
    assert.equal(XDP_NAME[r.action], 'PASS', `#${i}`);
    assert.equal(hex(r.out), hex(f), `#${i} untouched`);
  }
  assert.equal(reason('unsupported') - unsupported, 2n, 'the datagram to the GUE port that is not GUE, and the GUE option, counted as unsupported');
});
