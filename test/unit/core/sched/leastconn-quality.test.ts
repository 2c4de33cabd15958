// lc/wlc/sed/nq beyond the exact scan: the sampled choice (docs/schedulers.md) against
// IPVS's exact rule on the same steady load of long and short connections, 1,000 reals
// of mixed weights. The bound stated in docs/schedulers.md is asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastConnPick, sampledLeastConnPick, LEAST_EXACT_MAX, type ConnReal } from '../../../../src/core/sched/leastconn.js';
import { aliasTable } from '../../../../src/core/sched/alias.js';
import { flowDrawHash } from '../../../../src/core/sched/hash.js';
import { ip } from '../../../../src/core/addr.js';
import { simulate, worst, mixedWeights, simClient, QUALITY_SCENARIO } from '../../../lib/leastconn-sim.js';

const N = 1000;
const weights = mixedWeights(N);
const VIP = ip('203.0.113.10').bytes;
const view = (active: Int32Array, inactive: Int32Array): ConnReal[] =>
  weights.map((weight, i) => ({ weight, active: active[i]!, inactive: inactive[i]! }));

test('wlc, 1,000 reals of weights 1-5: the sampled choice keeps active connections per weight unit within 6 of each other and at most 2.5 above the mean (exact wlc: within 2)', () => {
  const o = { ...QUALITY_SCENARIO, weights };
  const exact = worst(simulate(o, { place: (_id, a, i) => leastConnPick('wlc', view(a, i)) }));
  const table = aliasTable(weights);
  const sampled = worst(simulate(o, {
    place: (id, a, i) => {
      const c = simClient(id);
      return sampledLeastConnPick('wlc', view(a, i), flowDrawHash(ip(c.src).bytes, VIP, c.sport, 80), table);
    },
  }));
  const show = `exact ${JSON.stringify(exact)}, sampled ${JSON.stringify(sampled)}`;
  assert.ok(exact.mean > 3, `a real load (mean ${exact.mean} active per weight unit): ${show}`);
  assert.ok(exact.spread <= 2, show);
  assert.ok(sampled.spread <= 6, show);
  assert.ok(sampled.above <= 2.5, show);
  console.log(`# ${show}`);
});

test('the sampled choice never leaves a usable real unpicked: all candidates overloaded -> the exact scan', () => {
  const reals: ConnReal[] = Array.from({ length: 100 }, (_, i) => ({ weight: 1, active: 5, inactive: 0, overloaded: i !== 77 }));
  for (let h = 0; h < 200; h++) assert.equal(sampledLeastConnPick('wlc', reals, Math.imul(h, 0x9e3779b1) >>> 0), 77);
  const none = reals.map((r) => ({ ...r, overloaded: true }));
  assert.equal(sampledLeastConnPick('lc', none, 12345), -1);
});

test(`services of up to ${LEAST_EXACT_MAX} reals get the exact IPVS choice whatever the hash`, () => {
  const reals: ConnReal[] = Array.from({ length: LEAST_EXACT_MAX }, (_, i) => ({ weight: 1 + (i % 3), active: (i * 7) % 5, inactive: i }));
  for (const kind of ['lc', 'wlc', 'sed', 'nq'] as const) {
    for (let h = 0; h < 50; h++) assert.equal(sampledLeastConnPick(kind, reals, h * 7919), leastConnPick(kind, reals));
  }
});

test('lc samples every usable real alike, wlc/sed/nq in proportion to weight; quiesced reals are never candidates of the weighted draw', () => {
  const w = Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? 0 : 1 + (i % 4)));
  const reals: ConnReal[] = w.map((weight) => ({ weight, active: 0, inactive: 0 }));
  // With all idle, nq takes the first idle candidate: count where the first (weighted) draw lands.
  const hits = new Array(w.length).fill(0);
  const M = 40_000;
  for (let h = 0; h < M; h++) hits[sampledLeastConnPick('nq', reals, Math.imul(h + 1, 0x85ebca6b) >>> 0)]++;
  const sum = w.reduce((a, b) => a + b, 0);
  w.forEach((wt, i) => {
    if (wt === 0) assert.equal(hits[i], 0, `quiesced real ${i}`);
    else assert.ok(Math.abs(hits[i] / M - wt / sum) < 0.006, `real ${i} weight ${wt}: ${hits[i] / M} vs ${wt / sum}`);
  });
});
