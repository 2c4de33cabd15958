// Schedulers through the real program with 100,000 synthetic flows per case: shares
// per weight (rr, wrr, sh, mh), least-connection picks against the pure reference,
// quiescing, persistence, Maglev disruption, expiry, timeouts, a full flow table.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP } from '../lib/lb-harness.js';
import { buildFrame, macBytes } from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, ServiceSpec, SchedulerName, DesiredState, serviceId, realId } from '../../src/core/model.js';
import { realConns, flowKey, flowVal, persistVal } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';
import { sweepFlows, monotonicNs } from '../../src/dataplane/sweep.js';
import { countPersistConns } from '../../src/dataplane/flowsync.js';
import { leastConnPick } from '../../src/core/sched/leastconn.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';

const N = 100_000;
const DIR_MAC = '02:00:00:00:0d:01';
const realMac = (i: number) => `02:00:00:00:0a:${(i + 1).toString(16).padStart(2, '0')}`;
const V4 = { vip: '203.0.113.10', real: (i: number) => `198.51.100.${i + 1}` };
const V6 = { vip: '2001:db8::10', real: (i: number) => `2001:db8:1::${(i + 1).toString(16)}` };

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());
// Each case starts with an empty flow table: only its own flows count.
beforeEach(() => h?.resetFlows());

const hops = (a: { text: string; family: 4 | 6 }): NextHop => {
  const last = a.family === 4 ? Number(a.text.split('.')[3]) : parseInt(a.text.split(':').pop()!, 16);
  return { ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(realMac(last - 1)), mtu: 1500 };
};

function svc(family: 4 | 6, scheduler: SchedulerName, weights: number[], over: Partial<ServiceSpec> = {}): ServiceSpec {
  const v = family === 4 ? V4 : V6;
  return {
    vip: v.vip, port: 80, protocol: 'tcp', scheduler, flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: weights.map((weight, i) => ({ address: v.real(i), port: 80, method: 'dr' as const, weight, upperThreshold: 0, lowerThreshold: 0 })),
    ...over,
  };
}
const state = (...services: ServiceSpec[]): DesiredState => ({ services, timeouts: { ...DEFAULT_TIMEOUTS } });

/** Client n: IPv4 from three documentation /24s x ports; IPv6 a distinct address each. */
function client(family: 4 | 6, n: number, salt = 0): { src: string; sport: number } {
  if (family === 6) {
    // Spread over the whole interface id so the address fold sees every bit vary.
    const x = Math.imul(n + 1, 0x9e3779b1) >>> 0, y = Math.imul(n + 7, 0x85ebca6b) >>> 0;
    return { src: `2001:db8:c::${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}:${(y >>> 16).toString(16)}:${(y & 0xffff).toString(16)}`, sport: 1024 + salt };
  }
  // Injective in n for n < 762 * 64000: (network, host) from n mod 762, port from n / 762.
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  const a = n % 762;
  return { src: `${nets[a % 3]}.${Math.floor(a / 3) + 1}`, sport: 1024 + ((Math.floor(n / 762) + salt) % 64000) };
}

function send(family: 4 | 6, c: { src: string; sport: number }, flags = 'S', dport = 80): number {
  const r = h.run(buildFrame({
    ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src: c.src, dst: family === 4 ? V4.vip : V6.vip, proto: 'tcp',
    tcp: { sport: c.sport, dport, flags },
  }));
  if (r.action !== XDP.TX) return -1;
  return r.out[5]! - 1; // index of the real from its MAC
}

function shares(family: 4 | 6, reals: number, n = N, salt = 0): number[] {
  const count = new Array(reals).fill(0);
  for (let i = 0; i < n; i++) {
    const r = send(family, client(family, i, salt));
    assert.ok(r >= 0 && r < reals, `flow ${i} forwarded to a configured real (got ${r})`);
    count[r]++;
  }
  return count;
}

test('rr: three equal reals share 100,000 new flows exactly (±1)', () => {
  h.apply(state(svc(4, 'rr', [1, 1, 1])), hops);
  const c = shares(4, 3);
  for (const x of c) assert.ok(Math.abs(x - N / 3) <= 1, `rr counts ${c}`);
});

test('wrr 4,3,2: shares are the weights exactly (within one period of 9)', () => {
  h.apply(state(svc(4, 'wrr', [4, 3, 2])), hops);
  const c = shares(4, 3, N, 1);
  [4, 3, 2].forEach((w, i) => assert.ok(Math.abs(c[i]! - (N * w) / 9) <= 9, `wrr counts ${c}`));
});

// Tolerance for hashed schedulers: the table's own share (exact) vs 100,000 hashed clients.
const HASH_TOLERANCE = 0.015;

test('sh 2,1: shares follow the 256-bucket table (171/256, 85/256) within 1.5 points', () => {
  h.apply(state(svc(6, 'sh', [2, 1])), hops);
  const c = shares(6, 2);
  assert.ok(Math.abs(c[0]! / N - 171 / 256) < HASH_TOLERANCE, `sh counts ${c}`);
  assert.ok(Math.abs(c[1]! / N - 85 / 256) < HASH_TOLERANCE, `sh counts ${c}`);
});

test('mh 3,2,1: shares follow the weights within 1.5 points; the same client always lands on the same real', () => {
  h.apply(state(svc(6, 'mh', [3, 2, 1])), hops);
  const c = shares(6, 3, N, 2);
  [3, 2, 1].forEach((w, i) => assert.ok(Math.abs(c[i]! / N - w / 6) < HASH_TOLERANCE, `mh counts ${c}`));
  for (let i = 0; i < 200; i++) assert.equal(send(6, client(6, i, 3)), send(6, client(6, i, 4)), 'a new flow of the same client');
});

for (const kind of ['lc', 'wlc', 'sed', 'nq'] as const) {
  test(`${kind}: each new flow goes where IPVS's rule (core reference) sends it, given preloaded counters`, () => {
    const weights = [1, 3, 2, 1];
    const s = svc(4, kind, weights);
    h.apply(state(s), hops);
    const ids = h.writer.ids(serviceId(s))!;
    const realIds = s.reals.map((r) => ids.reals.get(realId(r))!);
    const active = [4, 9, 3, 0], inactive = [10, 0, 30, 700];
    realIds.forEach((id, i) => h.maps.real_conns.update(u32Key(id), realConns.encode({ active: active[i]!, inactive: inactive[i]! })));
    for (let n = 0; n < 300; n++) {
      const want = leastConnPick(kind, weights.map((weight, i) => ({ weight, active: active[i]!, inactive: inactive[i]! })));
      const got = send(4, client(4, n, 100 + ['lc', 'wlc', 'sed', 'nq'].indexOf(kind)));
      assert.equal(got, want, `flow ${n}: counters active ${active} inactive ${inactive}`);
      inactive[got]!++; // a SYN counts as inactive until established, in the program too
      const c = realConns.decode(h.maps.real_conns.lookup(u32Key(realIds[got]!))!);
      assert.equal(c.inactive, inactive[got], 'the program counted the new connection');
      if (n % 50 === 49) { // some connections become established
        const est = n % 4;
        if (inactive[est]! > 0) { inactive[est]!--; active[est]!++; }
        h.maps.real_conns.update(u32Key(realIds[est]!), realConns.encode({ active: active[est]!, inactive: inactive[est]! }));
      }
    }
  });
}

test('quiesced real: no new flows among 100,000, while its old flows still reach it', () => {
  h.apply(state(svc(4, 'rr', [1, 1, 1])), hops);
  const old = Array.from({ length: 300 }, (_, i) => client(4, i, 500));
  const placed = old.map((c) => send(4, c));
  h.apply(state(svc(4, 'rr', [1, 1, 0])), hops);
  const c = shares(4, 3, N, 600);
  assert.equal(c[2], 0, `quiesced real got ${c[2]} new flows`);
  old.forEach((cl, i) => assert.equal(send(4, cl, 'A'), placed[i], 'established flow stays'));
});

test('persistence -p 300 -M 255.255.255.0: a /24 stays on one real until the timeout', () => {
  const s = svc(4, 'rr', [1, 1, 1], { persistence: 300, persistenceMask: '255.255.255.0' });
  h.apply(state(s), hops);
  const net = (n: number, p: number) => ({ src: `192.0.2.${n}`, sport: 2000 + p });
  const first = send(4, net(1, 0));
  for (let i = 1; i < 200; i++) assert.equal(send(4, net(1 + (i % 250), i)), first, 'same /24, same real');
  const other = send(4, { src: '198.51.100.7', sport: 3000 });
  assert.notEqual(other, first, 'rr moves on for another /24');
  // Age every persistence entry past its timeout: the next connection is scheduled again.
  for (const k of h.maps.persist.keys()) {
    const v = persistVal.decode(h.maps.persist.lookup(k)!);
    h.maps.persist.update(k, persistVal.encode({ ...v, atime: monotonicNs() - 301n * 1_000_000_000n }));
  }
  const hits = h.reason('persist_hit');
  const after = [0, 1, 2].map((i) => send(4, net(9, 900 + i)));
  assert.equal(h.reason('persist_hit') - hits, 2n, 'the first new connection re-created the entry, the next two used it');
  assert.ok(after.every((r) => r === after[0]));
});

test('PersistConn: live persistence entries per real, as IPVS counts dest->persistconns for ipvsadm --persistent-conn', () => {
  const s = svc(4, 'rr', [1, 1, 1], { persistence: 300 });
  h.apply(state(s), hops);
  const placed = Array.from({ length: 7 }, (_, i) => send(4, { src: `192.0.2.${40 + i}`, sport: 4000 + i }));
  const key = (j: number) => `${serviceId(s)}#${realId(s.reals[j]!)}`;
  const counts = countPersistConns(h.maps, h.writer);
  for (let j = 0; j < 3; j++) assert.equal(counts.get(key(j)) ?? 0, placed.filter((x) => x === j).length, `real ${j}`);
  // An entry past its timeout no longer counts (the kernel's template would have expired).
  const k = [...h.maps.persist.keys()][0]!;
  const v = persistVal.decode(h.maps.persist.lookup(k)!);
  h.maps.persist.update(k, persistVal.encode({ ...v, atime: monotonicNs() - 301n * 1_000_000_000n }));
  const total = [...countPersistConns(h.maps, h.writer).values()].reduce((a, b) => a + b, 0);
  assert.equal(total, 6);
});

test('mh: removing one of 10 reals moves its clients and (almost) nobody else', () => {
  const weights = Array(10).fill(1);
  h.apply(state(svc(6, 'mh', weights)), hops);
  const M = 20_000;
  const before = Array.from({ length: M }, (_, i) => send(6, client(6, i, 700)));
  const s = svc(6, 'mh', weights);
  s.reals.splice(9, 1);
  h.apply(state(s), hops);
  const after = Array.from({ length: M }, (_, i) => send(6, client(6, i, 701)));
  let movedOthers = 0, onRemoved = 0;
  for (let i = 0; i < M; i++) {
    if (before[i] === 9) { onRemoved++; assert.notEqual(after[i], 9); continue; }
    if (before[i] !== after[i]) movedOthers++;
  }
  // 1/N of clients must move; Maglev moves a few more between the remaining reals.
  assert.ok(Math.abs(onRemoved / M - 0.1) < 0.02, `removed real had ${onRemoved / M} of the clients`);
  assert.ok(movedOthers / M < 0.02, `clients of remaining reals that moved: ${(100 * movedOthers / M).toFixed(2)}% (margin 2%)`);
});

test('expiry: a flow past its timeout is scheduled again; the sweeper deletes it and recounts', () => {
  const s = svc(4, 'rr', [1, 1]);
  h.apply(state(s), hops);
  h.writer.writeTimeouts({ tcp: 900, tcpFin: 120, udp: 300 });
  const c = client(4, 5, 800);
  send(4, c);
  send(4, c, 'A'); // established
  const sw0 = sweepFlows(h.maps, h.writer);
  const ids = h.writer.ids(serviceId(s))!;
  for (const id of ids.reals.values()) {
    assert.deepEqual(realConns.decode(h.maps.real_conns.lookup(u32Key(id))!), sw0.conns.get(id) ?? { active: 0, inactive: 0 }, 'counters equal the flow table');
  }
  assert.equal([...sw0.conns.values()].reduce((n, x) => n + x.active, 0), 1, 'one established connection');
  // Sweep as if 901 s had passed (a machine may have been up for less than that,
  // so the flow cannot be aged backwards).
  const sw = sweepFlows(h.maps, h.writer, monotonicNs() + 901n * 1_000_000_000n);
  assert.ok(sw.expired >= 1 && sw.live === 0, `sweep ${JSON.stringify({ e: sw.expired, l: sw.live })}`);
  assert.equal([...h.maps.flows.keys()].length, 0);
  for (const id of ids.reals.values()) assert.deepEqual(realConns.decode(h.maps.real_conns.lookup(u32Key(id))!), { active: 0, inactive: 0 });
  // --set: a shorter tcp timeout applies to the next packets.
  send(4, c);
  send(4, c, 'A');
  h.writer.writeTimeouts({ tcp: 1, tcpFin: 1, udp: 1 });
  for (const k of h.maps.flows.keys()) {
    const v = flowVal.decode(h.maps.flows.lookup(k)!);
    h.maps.flows.update(k, flowVal.encode({ ...v, atime: monotonicNs() - 2n * 1_000_000_000n }));
  }
  const expired = h.reason('flow_expired');
  assert.ok(send(4, c, 'A') >= 0);
  assert.equal(h.reason('flow_expired') - expired, 1n);
});

test('thresholds: a real at its upper threshold takes no new flows until below the lower one', () => {
  const s = svc(4, 'rr', [1, 1]);
  s.reals[0] = { ...s.reals[0]!, upperThreshold: 10, lowerThreshold: 5 };
  h.apply(state(s), hops);
  for (let i = 0; i < 40; i++) send(4, client(4, i, 900));
  sweepFlows(h.maps, h.writer, monotonicNs()); // 20 inactive on real 0 >= 10: overloaded
  const c = shares(4, 2, 100, 901);
  assert.deepEqual(c, [0, 100]);
});

test('a full flow table evicts (LRU) without failing; lost mid-stream segments are counted', () => {
  const small = LbHarness.open('build/bpf/ipvx_lb.bpf.o', (o) => o.setMaxEntries('flows', 1024));
  try {
    small.apply(state(svc(4, 'rr', [1, 1])), hops);
    const run = (c: { src: string; sport: number }, flags: string) => small.run(buildFrame({
      ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src: c.src, dst: V4.vip, proto: 'tcp', tcp: { sport: c.sport, dport: 80, flags },
    })).action;
    for (let i = 0; i < 5000; i++) assert.equal(run(client(4, i, 1000), 'S'), XDP.TX);
    assert.ok([...small.maps.flows.keys()].length <= 1024 + 64, 'the table never grows past its size (LRU slack per CPU)');
    // A client whose flow the LRU evicted (which ones is the kernel's choice: per-CPU
    // free lists do not evict strictly oldest first when the thread changes CPU).
    const tuple = (addr: Uint8Array, sport: number) => `${Buffer.from(addr.subarray(0, 4)).toString('hex')}|${sport}`;
    const held = new Set([...small.maps.flows.keys()].map((k) => { const f = flowKey.decode(k); return tuple(f.src, f.sport); }));
    const evicted = Array.from({ length: 5000 }, (_, i) => client(4, i, 1000)).find((c) => !held.has(tuple(ip(c.src).bytes, c.sport)));
    assert.ok(evicted, 'flows were evicted');
    const lost = small.reason('flow_lost');
    assert.equal(run(evicted, 'A'), XDP.TX, 'an evicted flow is scheduled again');
    assert.equal(small.reason('flow_lost') - lost, 1n);
  } finally {
    small.close();
  }
});
