import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connOverhead, isOverloaded, leastConnPick, overloadAfterBind, overloadAfterUnbind,
} from '../../../../src/core/sched/leastconn.js';

const r = (weight: number, active: number, inactive = 0, extra: { upperThreshold?: number; overloaded?: boolean } = {}) =>
  ({ weight, active, inactive, ...extra });

test('overhead = active * 256 + inactive', () => {
  assert.equal(connOverhead({ active: 2, inactive: 7 }), 519);
});

test('lc: lowest overhead, first on ties, weight ignored', () => {
  // overheads 256, 300, 256: real 0 and 2 tie, the first wins.
  assert.equal(leastConnPick('lc', [r(1, 1, 0), r(1, 0, 300), r(1, 0, 256)]), 0);
  // 256 < 512 even though real 1 has weight 100.
  assert.equal(leastConnPick('lc', [r(1, 1), r(100, 2)]), 0);
  // Inactive connections count too: 10 > 5.
  assert.equal(leastConnPick('lc', [r(1, 0, 10), r(1, 0, 5)]), 1);
});

test('lc skips weight 0 and overloaded reals', () => {
  assert.equal(leastConnPick('lc', [r(0, 0), r(1, 2)]), 1);
  assert.equal(leastConnPick('lc', [r(1, 0, 0, { overloaded: true }), r(1, 5)]), 1);
  assert.equal(leastConnPick('lc', [r(0, 0), r(1, 0, 0, { overloaded: true })]), -1);
  assert.equal(leastConnPick('lc', []), -1);
});

test('wlc: overhead / weight, compared by cross-multiplication', () => {
  // 256/1 = 256 vs 512/3 = 170.7: 256*3 = 768 > 512*1 = 512 -> real 1.
  assert.equal(leastConnPick('wlc', [r(1, 1), r(3, 2)]), 1);
  // 512/2 = 256/1: tie (512*1 > 256*2 is false) -> the first stays.
  assert.equal(leastConnPick('wlc', [r(2, 2), r(1, 1)]), 0);
  // Weight-0 real first: least starts at real 1 (1280/1); real 2 is 2048/2 = 1024 -> 2.
  assert.equal(leastConnPick('wlc', [r(0, 0), r(1, 5), r(2, 8)]), 2);
  // 1000 inactive (1000) outweighs 1 active (256).
  assert.equal(leastConnPick('wlc', [r(1, 0, 1000), r(1, 1, 0)]), 1);
});

test('wlc skips overloaded reals, also by upper threshold', () => {
  // Real 0: 3 + 2 = 5 >= upper 5 -> overloaded; real 1 is the only candidate.
  assert.equal(leastConnPick('wlc', [r(1, 3, 2, { upperThreshold: 5 }), r(1, 10)]), 1);
  // Upper 6 is not reached: 3*256+2 = 770 < 2560 -> real 0.
  assert.equal(leastConnPick('wlc', [r(1, 3, 2, { upperThreshold: 6 }), r(1, 10)]), 0);
  assert.equal(leastConnPick('wlc', [r(1, 0, 0, { overloaded: true }), r(0, 0)]), -1);
});

test('sed: (active + 1) / weight, inactive ignored', () => {
  // 1/1 vs 2/2: tie -> first.
  assert.equal(leastConnPick('sed', [r(1, 0), r(2, 1)]), 0);
  // 2/1 vs 4/3 -> real 1.
  assert.equal(leastConnPick('sed', [r(1, 1), r(3, 3)]), 1);
  // 1/1 vs 2/1 despite 1000 inactive on real 0 (wlc above picks real 1 here).
  assert.equal(leastConnPick('sed', [r(1, 0, 1000), r(1, 1, 0)]), 0);
  assert.equal(leastConnPick('sed', [r(0, 0), r(1, 4)]), 1);
});

test('nq: first idle real, else as sed', () => {
  // Real 1 is the first with no active connection (real 2 is idle too, and heavier).
  assert.equal(leastConnPick('nq', [r(1, 2), r(1, 0, 50), r(5, 0)]), 1);
  // An idle real with weight 0 does not count.
  assert.equal(leastConnPick('nq', [r(0, 0), r(1, 1)]), 1);
  // An idle but overloaded real does not count (0 + 5 >= 5).
  assert.equal(leastConnPick('nq', [r(1, 0, 5, { upperThreshold: 5 }), r(1, 3)]), 1);
  // Nobody idle: 3/1 vs 4/4 -> real 1.
  assert.equal(leastConnPick('nq', [r(1, 2), r(4, 3)]), 1);
  // Nobody idle, tie 2/1 = 4/2 -> first.
  assert.equal(leastConnPick('nq', [r(1, 1), r(2, 3)]), 0);
});

test('ratios that differ by 1 in products beyond 2^53 still compare exactly', () => {
  // o0 = 1 + 65535 * 2^36 (weight 65535), o1 = 1 + 65534 * 2^36 (weight 65534):
  // o0 * 65534 + 1 = 65535 * o1, so o0/65535 < o1/65534 by a hair that doubles
  // (products near 2^68) cannot see. Real 1 must replace real 0.
  const o0 = 1 + 65535 * 2 ** 36;
  const o1 = 1 + 65534 * 2 ** 36;
  assert.equal(leastConnPick('wlc', [r(65534, 0, o1), r(65535, 0, o0)]), 1);
});

test('overload hysteresis as ip_vs_bind_dest / ip_vs_unbind_dest', () => {
  assert.equal(isOverloaded(r(1, 4, 0, { upperThreshold: 5 })), false);
  assert.equal(isOverloaded(r(1, 4, 1, { upperThreshold: 5 })), true);
  // Set at >= upper; no upper, never.
  assert.equal(overloadAfterBind(false, 5, 5), true);
  assert.equal(overloadAfterBind(false, 4, 5), false);
  assert.equal(overloadAfterBind(false, 100, 0), false);
  // Lower threshold set: clears below it.
  assert.equal(overloadAfterUnbind(true, 3, 10, 4), false);
  assert.equal(overloadAfterUnbind(true, 4, 10, 4), true);
  // No lower threshold: clears below 3/4 of upper (8): 5*4 = 20 < 24 yes, 6*4 = 24 < 24 no.
  assert.equal(overloadAfterUnbind(true, 5, 8, 0), false);
  assert.equal(overloadAfterUnbind(true, 6, 8, 0), true);
  // No thresholds at all: cleared.
  assert.equal(overloadAfterUnbind(true, 100, 0, 0), false);
  // Unbinding never sets the flag.
  assert.equal(overloadAfterUnbind(false, 100, 8, 0), false);
});
