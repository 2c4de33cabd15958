import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundWeights, rrSequence, wrrSequence } from '../../../../src/core/sched/wrr.js';

// Expected sequences are worked out by hand from ip_vs_wrr_schedule():
// di = gcd, mw = max - (di - 1), cw starts at mw; each pass picks, in list
// order, the reals with weight >= cw, then cw -= di (back to mw when <= 0).

test('wrr [4,3,2]: IPVS order A A B A B C A B C', () => {
  // di 1, mw 4. cw=4: A; cw=3: A,B; cw=2: A,B,C; cw=1: A,B,C.
  assert.deepEqual(wrrSequence([4, 3, 2]), [0, 0, 1, 0, 1, 2, 0, 1, 2]);
});

test('wrr [5,1,3]: a light real in the middle only shows up in the last pass', () => {
  // di 1, mw 5. cw=5: A; 4: A; 3: A,C; 2: A,C; 1: A,B,C.
  assert.deepEqual(wrrSequence([5, 1, 3]), [0, 0, 0, 2, 0, 2, 0, 1, 2]);
});

test('wrr with gcd > 1 steps cw by the gcd and shortens the period to sum/gcd', () => {
  // [4,2]: di 2, mw 4-1 = 3. cw=3: A; cw=1: A,B; cw=-1 -> 3.
  assert.deepEqual(wrrSequence([4, 2]), [0, 0, 1]);
  // [6,4]: di 2, mw 5. cw=5: A; cw=3: A,B; cw=1: A,B. Period 10/2 = 5.
  assert.deepEqual(wrrSequence([6, 4]), [0, 0, 1, 0, 1]);
  // Equal weights with gcd 100: di 100, mw 1: plain rotation.
  assert.deepEqual(wrrSequence([100, 100, 100]), [0, 1, 2]);
});

test('wrr never schedules a weight-0 real', () => {
  // [2,0,1]: di 1, mw 2. cw=2: A; cw=1: A,C.
  assert.deepEqual(wrrSequence([2, 0, 1]), [0, 0, 2]);
  // [0,3]: di 3, mw 1. cw=1: B.
  assert.deepEqual(wrrSequence([0, 3]), [1]);
});

test('wrr with a single real, and with no real that takes flows', () => {
  assert.deepEqual(wrrSequence([7]), [0]);
  assert.deepEqual(wrrSequence([0, 0]), []);
  assert.deepEqual(wrrSequence([]), []);
});

test('rr: each real with weight > 0 once, in order', () => {
  assert.deepEqual(rrSequence([1, 0, 3, 2]), [0, 2, 3]);
  assert.deepEqual(rrSequence([0]), []);
});

test('boundWeights leaves a period that fits alone', () => {
  // gcd 10, period 100/10 = 10 <= 12.
  assert.deepEqual(boundWeights([90, 10], 12), [90, 10]);
});

test('boundWeights scales proportionally, never to 0', () => {
  // sum 100, gcd 1: period 100 > 12. n = 2, limit - n = 10:
  // 91*10/100 = 9.1 -> 9; 9*10/100 = 0.9 -> 0 -> 1.
  assert.deepEqual(boundWeights([91, 0, 9], 12), [9, 0, 1]);
  // n >= limit: all ones.
  assert.deepEqual(boundWeights([3, 1], 2), [1, 1]);
});

test('wrr period of two maximal weights is bounded by the default limit 65536', () => {
  // sum 131069, gcd 1. n = 2, limit - n = 65534:
  // 65535*65534/131069 = 32767.25 -> 32767; 65534*65534/131069 = 32766.75 -> 32766.
  assert.deepEqual(boundWeights([65535, 65534]), [32767, 32766]);
  const seq = wrrSequence([65535, 65534]);
  assert.equal(seq.length, 32767 + 32766);
  assert.equal(seq.filter((i) => i === 0).length, 32767);
  // mw 32767: the first pass (cw = 32767) takes A alone, then cw = 32766 takes A, B.
  assert.deepEqual(seq.slice(0, 3), [0, 0, 1]);
});

test('wrr with a small limit', () => {
  // [3,1] with limit 2 -> [1,1] -> plain rotation.
  assert.deepEqual(wrrSequence([3, 1], 2), [0, 1]);
});

test('invalid weights are refused', () => {
  assert.throws(() => wrrSequence([1, -1]), RangeError);
  assert.throws(() => rrSequence([1.5]), RangeError);
});
