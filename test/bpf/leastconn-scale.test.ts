// lc/wlc/sed/nq with up to 4,096 reals through the real program: every new flow goes
// where the model (src/core/sched/leastconn.ts sampledLeastConnPick) sends it, given
// the counters; on a steady load over 1,000 reals of mixed weights the spread of active
// connections per weight unit stays within the bound docs/schedulers.md states; when
// every candidate is overloaded the exact scan still finds the one usable real.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { buildFrame, macBytes } from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, ServiceSpec, DesiredState, serviceId, realId } from '../../src/core/model.js';
import { realConns, flowKey, REAL_F, realInfo } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';
import { sweepFlows } from '../../src/dataplane/sweep.js';
import { sampledLeastConnPick, leastConnPick, LEAST_EXACT_MAX, type LeastConnKind, type ConnReal } from '../../src/core/sched/leastconn.js';
import { aliasTable } from '../../src/core/sched/alias.js';
import { flowDrawHash } from '../../src/core/sched/hash.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { simulate, worst, mixedWeights, simClient, QUALITY_SCENARIO } from '../lib/leastconn-sim.js';

const DIR_MAC = '02:00:00:00:0d:01';
const VIP = '2001:db8::10';
const realAddr = (i: number) => `2001:db8:1::${(i + 1).toString(16)}`;
/** Real i's MAC carries i in its last two bytes, so the output frame names the chosen real. */
const realMac = (i: number) => Uint8Array.from([2, 0, 0, 1, i >> 8, i & 0xff]);

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());
beforeEach(() => h?.resetFlows());

const hops = (a: { text: string }): NextHop => {
  const i = parseInt(a.text.split(':').pop()!, 16) - 1;
  return { ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: realMac(i), mtu: 1500 };
};

function svc(kind: LeastConnKind, weights: number[]): ServiceSpec {
  return {
    vip: VIP, port: 80, protocol: 'tcp', scheduler: kind, flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: weights.map((weight, i) => ({ address: realAddr(i), port: 80, method: 'dr' as const, weight, upperThreshold: 0, lowerThreshold: 0 })),
  };
}
const state = (s: ServiceSpec): DesiredState => ({ services: [s], timeouts: { ...DEFAULT_TIMEOUTS } });

/** IPv6 clients (the reals are IPv6 here): distinct per id. */
const client6 = (id: number) => ({ src: `2001:db8:c::${(id >> 16).toString(16)}:${(id & 0xffff).toString(16)}`, sport: 1024 + (id % 60000) });

function send(c: { src: string; sport: number }, flags: string): number {
  const r = h.run(buildFrame({
    ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src: c.src, dst: VIP, proto: 'tcp', tcp: { sport: c.sport, dport: 80, flags },
  }));
  if (r.action !== XDP.TX) throw new Error(`${flags} from ${c.src}: ${XDP_NAME[r.action]}`);
  return (r.out[4]! << 8) | r.out[5]!;
}

const drawHash = (c: { src: string; sport: number }) => flowDrawHash(ip(c.src).bytes, ip(VIP).bytes, c.sport, 80);

function realIds(s: ServiceSpec): number[] {
  const ids = h.writer.ids(serviceId(s))!;
  return s.reals.map((r) => ids.reals.get(realId(r))!);
}

for (const [kind, n] of [['wlc', 4096], ['lc', 1000], ['sed', 300], ['nq', 64]] as const) {
  test(`${kind}, ${n.toLocaleString('en')} reals: each new flow goes where the model sends it, given the counters`, () => {
    const weights = Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : 1 + (i % 7)));
    const s = svc(kind, weights);
    h.apply(state(s), hops);
    const ids = realIds(s);
    const reals: ConnReal[] = weights.map((weight, i) => ({ weight, active: (i * 31) % 9, inactive: (i * 17) % 300 }));
    if (kind === 'nq') reals.forEach((r) => { r.active = Math.max(1, r.active); }); // mostly busy: idle ones must be found
    reals[5]!.active = 0;
    ids.forEach((id, i) => h.maps.real_conns.update(u32Key(id), realConns.encode({ active: reals[i]!.active, inactive: reals[i]!.inactive })));
    const table = aliasTable(kind === 'lc' ? weights.map((w) => (w > 0 ? 1 : 0)) : weights);
    for (let k = 0; k < 400; k++) {
      const c = client6(k + 1000 * n);
      const want = sampledLeastConnPick(kind, reals, drawHash(c), table);
      const got = send(c, 'S');
      assert.equal(got, want, `flow ${k}`);
      reals[got]!.inactive++; // the SYN counts as inactive, in the program too
    }
    ids.forEach((id, i) => assert.deepEqual(realConns.decode(h.maps.real_conns.lookup(u32Key(id))!),
      { active: reals[i]!.active, inactive: reals[i]!.inactive }, `real ${i}: the program counted what the model did`));
  });
}

test(`up to ${LEAST_EXACT_MAX} reals the program scans them all, as IPVS (the first least-loaded real wins, whatever the flow)`, () => {
  const weights = Array.from({ length: LEAST_EXACT_MAX }, (_, i) => 1 + (i % 3));
  const s = svc('wlc', weights);
  h.apply(state(s), hops);
  const reals: ConnReal[] = weights.map((weight, i) => ({ weight, active: 3 + (i % 4), inactive: 0 }));
  realIds(s).forEach((id, i) => h.maps.real_conns.update(u32Key(id), realConns.encode({ active: reals[i]!.active, inactive: 0 })));
  for (let k = 0; k < 60; k++) {
    const want = leastConnPick('wlc', reals);
    assert.equal(send(client6(k), 'S'), want);
    reals[want]!.inactive++;
  }
});

test('every sampled candidate overloaded: the exact scan over all 2,000 reals finds the one that is not', () => {
  const weights = new Array(2000).fill(1);
  const s = svc('wlc', weights);
  s.reals = s.reals.map((r, i) => (i === 1234 ? r : { ...r, upperThreshold: 1 }));
  h.apply(state(s), hops);
  const ids = realIds(s);
  h.writer.updateOverload(new Map(ids.map((id) => [id, { active: 0, inactive: 3 }])));
  assert.ok(realInfo.decode(h.maps.reals.lookup(u32Key(ids[0]!))!).flags & REAL_F.overload, 'real 0 is flagged overloaded');
  for (let k = 0; k < 20; k++) assert.equal(send(client6(k + 500), 'S'), 1234);
});

test('wlc, 1,000 reals of weights 1-5, a steady load of long and short connections through the program: every choice is the model\'s, and active connections per weight unit stay within 6 of each other and at most 2.5 above the mean', () => {
  const weights = mixedWeights(1000);
  const s = svc('wlc', weights);
  h.apply(state(s), hops);
  const ids = realIds(s);
  const table = aliasTable(weights);
  let mismatches = 0;
  const conns = new Map<number, { src: string; sport: number }>();
  const samples = simulate({ ...QUALITY_SCENARIO, weights }, {
    place(id, active, inactive) {
      const c = client6(id);
      conns.set(id, c);
      const want = sampledLeastConnPick('wlc', weights.map((weight, i) => ({ weight, active: active[i]!, inactive: inactive[i]! })), drawHash(c), table);
      const got = send(c, 'S');
      if (got !== want) mismatches++;
      send(c, 'A'); // established at once (the scenario's connections are)
      return got;
    },
    closed(c) { send(conns.get(c.id)!, 'FA'); },
    gone(c) {
      // What the sweeper does for an expired flow: the entry goes, the real's count follows.
      const cl = conns.get(c.id)!;
      conns.delete(c.id);
      const key = flowKey.encode({ src: ip(cl.src).bytes, dst: ip(VIP).bytes, sport: cl.sport, dport: 80, proto: 6, family: 6 });
      assert.ok(h.maps.flows.delete(key), 'the closed flow was in the table');
      const k = u32Key(ids[c.real]!);
      const v = realConns.decode(h.maps.real_conns.lookup(k)!);
      h.maps.real_conns.update(k, realConns.encode({ active: v.active, inactive: v.inactive - 1 }));
    },
  });
  const w = worst(samples);
  assert.equal(mismatches, 0, 'the program chose as the model, connection after connection');
  // The counters the program kept are what a sweep recounts from its flow table.
  const before = ids.map((id) => realConns.decode(h.maps.real_conns.lookup(u32Key(id))!));
  const swept = sweepFlows(h.maps, h.writer);
  ids.forEach((id, i) => assert.deepEqual(swept.conns.get(id) ?? { active: 0, inactive: 0 }, before[i], `real ${i}`));
  assert.ok(w.mean > 3, `mean ${w.mean} active per weight unit`);
  assert.ok(w.spread <= 6 && w.above <= 2.5, JSON.stringify(w));
  console.log(`# through the program: ${JSON.stringify(w)}`);
});
