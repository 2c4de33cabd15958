// TUN through the real program: GUE and GRE as IPVS builds them (ip_vs_xmit.c
// ipvs_gue_encap, ipvs_gre_encap, ip_vs_tunnel_xmit[_v6]), exact output bytes from
// frames built independently (test/lib/tunnel-frames.ts); the outer IPv4 header's DF
// and identification; and the ICMP errors for packets too big for the tunnel: from the
// interface's own MAC, never to link-layer broadcast/multicast or to a source that is
// not one host, and for IPv6 under a tunnel MTU below 1280 too (the state is that of
// the packet-path fuzzing report: director 198.51.100.254, MAC 02:00:00:00:0d:01,
// TUN VIP 203.0.113.11, clients 10.0.0.x).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import {
  buildFrame, ethFrame, stripEther, encap, hex, macBytes, parseFrame, icmp4FragNeeded, icmp6PacketTooBig, BROADCAST_MAC, type FrameOpts,
} from '../lib/packet.js';
import { gue, gre } from '../lib/tunnel-frames.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, DesiredState, ServiceSpec, RealSpec } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import { flowDrawHash } from '../../src/core/sched/hash.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';

const CLIENT_MAC = '02:00:00:00:0c:01';
const DIR_MAC = '02:00:00:00:0d:01';
const REAL_MAC = '02:00:00:00:0a:0b';
const DIR4 = '198.51.100.254', DIR6 = '2001:db8:1::fe';

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());
beforeEach(() => { h.resetFlows(); writeIfMac(h.maps, 1, macBytes(DIR_MAC)); });

const hop = (mtu: number) => (a: { family: 4 | 6 }): NextHop => ({
  ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC), mtu, src: ip(a.family === 4 ? DIR4 : DIR6),
});

function tunService(vip: string, real: string, over: Partial<RealSpec> = {}, port = 80): ServiceSpec {
  return {
    vip, port, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'tun',
    reals: [{ address: real, port, method: 'tun', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...over }],
  };
}

function apply(mtu: number, ...services: ServiceSpec[]): void {
  const v = validateState({ services, timeouts: { ...DEFAULT_TIMEOUTS } } as DesiredState);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  h.apply(v.value, hop(mtu));
}

const v4 = (over: Partial<FrameOpts> = {}): FrameOpts => ({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '10.0.0.1', dst: '203.0.113.11', df: true, proto: 'tcp',
  tcp: { sport: 1001, dport: 80, flags: 'S' }, ...over,
});
const v6 = (over: Partial<FrameOpts> = {}): FrameOpts => ({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '2001:db8:c::1', dst: '2001:db8::11', proto: 'tcp',
  tcp: { sport: 1001, dport: 80, flags: 'S' }, ...over,
});

/** GUE's source port, as udp_flow_src_port spreads a flow hash over 32768-60999. */
const gueSport = (o: FrameOpts) => 32768 + Math.floor((flowDrawHash(ip(o.src).bytes, ip(o.dst).bytes, o.tcp!.sport, o.tcp!.dport) * 28232) / 2 ** 32);
const idOf = (out: Uint8Array) => (out[18]! << 8) | out[19]!;

function run(frame: Uint8Array, action: number, what: string) {
  const r = h.run(frame);
  assert.equal(XDP_NAME[r.action], XDP_NAME[action], what);
  return r;
}

// ---------------------------------------------------------------------------
// GUE and GRE, every family combination, with and without checksums.

const CASES = [
  { name: 'IPv4 in IPv4', vip: '203.0.113.11', real: '198.51.100.11', src: DIR4, frame: v4 },
  { name: 'IPv6 in IPv6', vip: '2001:db8::11', real: '2001:db8:1::11', src: DIR6, frame: v6 },
  { name: 'IPv6 in IPv4', vip: '2001:db8::11', real: '198.51.100.11', src: DIR4, frame: v6 },
  { name: 'IPv4 in IPv6', vip: '203.0.113.11', real: '2001:db8:1::11', src: DIR6, frame: v4 },
] as const;

for (const c of CASES) {
  for (const csum of ['nocsum', 'csum', 'remcsum'] as const) {
    test(`GUE ${c.name}, --tun-port 6080 --tun-${csum}: UDP + GUE header as ipvs_gue_encap, exact bytes`, () => {
      apply(1500, tunService(c.vip, c.real, { tunType: 'gue', tunPort: 6080, tunChecksum: csum }));
      const o = c.frame({ payload: 'gue payload, odd length' });
      const r = run(buildFrame(o), XDP.TX, 'forwarded');
      const outer4 = c.src === DIR4;
      // IPVS sets a UDP checksum for --tun-csum and --tun-remcsum alike (udp_set_csum(!check)):
      // the remote checksum option is only added to packets whose checksum is still partial.
      const inner = stripEther(buildFrame(o));
      const want = ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, gue({
        src: c.src, dst: c.real, sport: gueSport(o), dport: 6080, csum: csum !== 'nocsum', ttl: 64,
        ...(outer4 ? { id: idOf(r.out), df: c.frame === v4 } : {}),
      }, inner));
      assert.equal(hex(r.out), hex(want));
      // Over IPv6 without --tun-csum the UDP checksum is zero, as IPVS sends it (udp6_set_csum
      // with nocheck; RFC 6935 allows it for tunnels), which a plain UDP parser rejects.
      const zeroOk = !outer4 && csum === 'nocsum';
      assert.deepEqual(parseFrame(r.out).problems, zeroOk ? ['udp: checksum 0x0 does not verify'] : [], 'outer headers and the UDP checksum verify');
    });
  }
  for (const csum of ['nocsum', 'csum'] as const) {
    test(`GRE ${c.name}, --tun-${csum}: GRE header as ipvs_gre_encap, exact bytes`, () => {
      apply(1500, tunService(c.vip, c.real, { tunType: 'gre', tunChecksum: csum }));
      const o = c.frame({ payload: 'gre payload, odd length' });
      const r = run(buildFrame(o), XDP.TX, 'forwarded');
      const outer4 = c.src === DIR4;
      const want = ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC }, gre({
        src: c.src, dst: c.real, csum: csum === 'csum', ttl: 64, ...(outer4 ? { id: idOf(r.out), df: c.frame === v4 } : {}),
      }, stripEther(buildFrame(o))));
      assert.equal(hex(r.out), hex(want));
    });
  }
}

test('GUE checksum over a large packet (1,400 bytes, spanning many chunks) and a one-byte tail', () => {
  apply(1500, tunService('203.0.113.11', '198.51.100.11', { tunType: 'gue', tunPort: 6080, tunChecksum: 'csum' }));
  for (const n of [1400 - 40, 1, 127, 128, 129]) {
    const o = v4({ tcp: { sport: 2000 + n, dport: 80, flags: 'PA' }, payload: Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff) });
    const r = run(buildFrame(o), XDP.TX, `${n} bytes`);
    const want = ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC },
      gue({ src: DIR4, dst: '198.51.100.11', sport: gueSport(o), dport: 6080, csum: true, ttl: 64, id: idOf(r.out), df: true }, stripEther(buildFrame(o))));
    assert.equal(hex(r.out), hex(want), `${n} bytes of payload`);
  }
});

test('the tunnel MTU counts the GUE and GRE headers: 32 and 24/28 bytes more than IPv4 itself', () => {
  for (const [over, extra] of [[{ tunType: 'gue' as const, tunPort: 6080 }, 32], [{ tunType: 'gre' as const }, 24], [{ tunType: 'gre' as const, tunChecksum: 'csum' as const }, 28]] as const) {
    apply(1400, tunService('203.0.113.11', '198.51.100.11', over));
    const fits = v4({ tcp: { sport: 3000 + extra, dport: 80, flags: 'PA' }, payload: new Uint8Array(1400 - extra - 40) });
    const r = run(buildFrame(fits), XDP.TX, `${JSON.stringify(over)}: ${1400 - extra} bytes fit`);
    assert.equal(r.out.length, 14 + 1400, 'exactly the MTU');
    const big = v4({ tcp: { sport: 3100 + extra, dport: 80, flags: 'PA' }, payload: new Uint8Array(1400 - extra - 40 + 1) });
    const e = run(buildFrame(big), XDP.TX, 'one byte more: frag-needed');
    assert.equal(parseFrame(e.out).ip?.icmp?.mtu, 1400 - extra);
  }
});

// ---------------------------------------------------------------------------
// The outer IPv4 header: DF as IPVS sets it, and an identification of its own.

test('outer IPv4 DF copies the client\'s DF (ip_vs_prepare_tunneled_skb), and every outer header has its own identification', () => {
  apply(1500, tunService('203.0.113.11', '198.51.100.11'));
  const ids: number[] = [];
  for (const [i, df] of [true, true, false, false].entries()) {
    const o = v4({ df, tcp: { sport: 4000 + i, dport: 80, flags: 'S' } });
    const r = run(buildFrame(o), XDP.TX, `packet ${i}`);
    const want = ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC },
      encap({ src: DIR4, dst: '198.51.100.11', df, ttl: 64, id: idOf(r.out) }, stripEther(buildFrame(o))));
    assert.equal(hex(r.out), hex(want), `packet ${i} (client DF ${df})`);
    ids.push(idOf(r.out));
  }
  // Consecutive packets from one CPU: consecutive identifications (RFC 6864: never two alike in a row).
  for (let i = 1; i < ids.length; i++) assert.equal(ids[i], (ids[i - 1]! + 1) & 0xffff, `ids ${ids}`);
});

test('6in4: an IPv6 packet tunnelled over IPv4 has DF clear (IPVS: df = 0 for IPv6, IPv4 may fragment it) and an identification', () => {
  apply(1500, tunService('2001:db8::11', '198.51.100.11'));
  const a = run(buildFrame(v6({ tcp: { sport: 4100, dport: 80, flags: 'S' } })), XDP.TX, 'first');
  const b = run(buildFrame(v6({ tcp: { sport: 4101, dport: 80, flags: 'S' } })), XDP.TX, 'second');
  for (const r of [a, b]) {
    assert.equal(parseFrame(r.out).ip!.df, false, 'DF clear');
    assert.equal(hex(r.out), hex(ethFrame({ ethDst: REAL_MAC, ethSrc: DIR_MAC },
      encap({ src: DIR4, dst: '198.51.100.11', ttl: 64, id: idOf(r.out) }, stripEther(r.out).subarray(20)))));
  }
  assert.notEqual(idOf(a.out), idOf(b.out), 'two packets, two identifications');
});

// ---------------------------------------------------------------------------
// ICMP for packets too big for the tunnel.

test('frag-needed comes from the interface\'s own MAC and carries an identification', () => {
  apply(1400, tunService('203.0.113.11', '198.51.100.11'));
  const o = v4({ payload: new Uint8Array(1400 - 40) });
  const r = run(buildFrame(o), XDP.TX, 'answered');
  const want = ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC },
    icmp4FragNeeded({ src: '203.0.113.11', dst: '10.0.0.1', mtu: 1380, quoted: stripEther(buildFrame(o)).subarray(0, 28), ttl: 64, id: idOf(r.out) }));
  assert.equal(hex(r.out), hex(want));
  const again = run(buildFrame(v4({ tcp: { sport: 1002, dport: 80, flags: 'S' }, payload: new Uint8Array(1400 - 40) })), XDP.TX, 'answered again');
  assert.notEqual(idOf(again.out), idOf(r.out), 'each ICMP datagram its own identification');
});

test('no frag-needed or packet-too-big for a link-layer broadcast or multicast frame (RFC 1122 3.2.2, RFC 4443 2.4): passed untouched', () => {
  // Such frames are not for this host (IPVS serves PACKET_HOST only): the program passes
  // them before any tunnel work, so no ICMP error can come of them.
  apply(1400, tunService('203.0.113.11', '198.51.100.11'), tunService('2001:db8::11', '2001:db8:1::11'));
  const before = { passed: h.reason('pass_not_unicast'), answered: h.reason('tx_icmp_too_big') };
  const frames = [
    buildFrame(v4({ ethDst: BROADCAST_MAC, payload: new Uint8Array(1400 - 40) })),
    buildFrame(v4({ ethDst: '01:00:5e:00:00:01', payload: new Uint8Array(1400 - 40) })),
    buildFrame(v6({ ethDst: '33:33:00:00:00:01', payload: new Uint8Array(1400 - 60) })),
    buildFrame(v6({ ethDst: BROADCAST_MAC, payload: new Uint8Array(1400 - 60) })),
  ];
  for (const [i, f] of frames.entries()) {
    const r = run(f, XDP.PASS, `frame ${i}: not answered`);
    assert.equal(hex(r.out), hex(f), `frame ${i}: untouched`);
  }
  assert.equal(h.reason('pass_not_unicast') - before.passed, BigInt(frames.length));
  assert.equal(h.reason('tx_icmp_too_big') - before.answered, 0n);
});

test('no ICMP error to a source that is not one host (0/8, 127/8, multicast, class E, broadcast; ::, ::1, ff00::/8): dropped and counted', () => {
  apply(1400, tunService('203.0.113.11', '198.51.100.11'), tunService('2001:db8::11', '2001:db8:1::11'));
  const before = { unanswered: h.reason('drop_too_big_unanswered'), martian: h.reason('drop_martian'), answered: h.reason('tx_icmp_too_big') };
  // Martian sources are dropped before any flow work (drop_martian); class E is no martian
  // for Linux (it is served), but no host to send an ICMP error to.
  const martians4 = ['0.0.0.0', '0.1.2.3', '127.0.0.1', '224.0.0.5', '239.1.1.1', '255.255.255.255'];
  const classE = ['240.0.0.1', '250.1.2.3'];
  const martians6 = ['::', '::1', 'ff02::1', 'ff0e::1234'];
  for (const src of [...martians4, ...classE]) run(buildFrame(v4({ src, payload: new Uint8Array(1400 - 40) })), XDP.DROP, src);
  for (const src of martians6) run(buildFrame(v6({ src, payload: new Uint8Array(1400 - 60) })), XDP.DROP, src);
  assert.equal(h.reason('drop_too_big_unanswered') - before.unanswered, BigInt(classE.length));
  assert.equal(h.reason('drop_martian') - before.martian, BigInt(martians4.length + martians6.length));
  assert.equal(h.reason('tx_icmp_too_big') - before.answered, 0n);
  // A host is still answered.
  run(buildFrame(v4({ src: '10.0.0.2', payload: new Uint8Array(1400 - 40) })), XDP.TX, '10.0.0.2');
  run(buildFrame(v6({ src: '2001:db8:c::2', payload: new Uint8Array(1400 - 60) })), XDP.TX, '2001:db8:c::2');
});

test('without a known MAC of its own the program sends no ICMP (never the frame\'s destination as source)', () => {
  apply(1400, tunService('203.0.113.11', '198.51.100.11'));
  writeIfMac(h.maps, 1, undefined);
  const before = h.reason('drop_too_big_unanswered');
  run(buildFrame(v4({ payload: new Uint8Array(1400 - 40) })), XDP.DROP, 'unanswered');
  assert.equal(h.reason('drop_too_big_unanswered') - before, 1n);
});

test('IPv6 under a tunnel MTU below 1280 (6in4 over a 1,200-byte link): packet-too-big quoting the whole (short) packet', () => {
  apply(1200, tunService('2001:db8::11', '198.51.100.11'));
  const o = v6({ payload: new Uint8Array(1190 - 60) }); // 1,190 bytes: above the tunnel MTU of 1,180, below 1,232
  const r = run(buildFrame(o), XDP.TX, 'answered');
  const want = ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC },
    icmp6PacketTooBig({ src: '2001:db8::11', dst: '2001:db8:c::1', mtu: 1180, quoted: stripEther(buildFrame(o)), hopLimit: 64 }));
  assert.equal(hex(r.out), hex(want));
  assert.deepEqual(parseFrame(r.out).problems, []);
  // An odd length quoted whole, checksum right.
  const odd = v6({ tcp: { sport: 1002, dport: 80, flags: 'PA' }, payload: new Uint8Array(1191 - 60) });
  const r2 = run(buildFrame(odd), XDP.TX, 'odd length');
  assert.equal(hex(r2.out), hex(ethFrame({ ethDst: CLIENT_MAC, ethSrc: DIR_MAC },
    icmp6PacketTooBig({ src: '2001:db8::11', dst: '2001:db8:c::1', mtu: 1180, quoted: stripEther(buildFrame(odd)), hopLimit: 64 }))));
  assert.deepEqual(parseFrame(r2.out).problems, []);
});
