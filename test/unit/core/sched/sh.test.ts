import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shTable, SH_TABLE_SIZE } from '../../../../src/core/sched/sh.js';

// ip_vs_sh_reassign(): each real takes `weight` consecutive buckets, the list
// wraps until all buckets are filled.

test('sh [1,1] alternates over 256 buckets', () => {
  const t = shTable([1, 1]);
  assert.equal(t.length, SH_TABLE_SIZE);
  assert.deepEqual(t.slice(0, 6), [0, 1, 0, 1, 0, 1]);
  assert.equal(t.filter((x) => x === 0).length, 128);
  assert.equal(t.filter((x) => x === 1).length, 128);
});

test('sh [2,1] repeats A A B; 256 = 85*3 + 1, so A gets 171 and B 85', () => {
  const t = shTable([2, 1]);
  assert.deepEqual(t.slice(0, 6), [0, 0, 1, 0, 0, 1]);
  assert.equal(t[255], 0); // bucket 255 = 85*3 + 0: first of a new A A B group
  assert.equal(t.filter((x) => x === 0).length, 171);
  assert.equal(t.filter((x) => x === 1).length, 85);
});

test('sh skips weight-0 reals', () => {
  assert.deepEqual(shTable([2, 0, 1], 6), [0, 0, 2, 0, 0, 2]);
});

test('sh with a small table cuts the pattern', () => {
  assert.deepEqual(shTable([3, 1], 6), [0, 0, 0, 1, 0, 0]);
});

test('sh: a weight larger than the table takes every bucket, as in IPVS', () => {
  assert.deepEqual(new Set(shTable([300, 1])), new Set([0]));
});

test('sh with no real that takes flows is all -1', () => {
  assert.deepEqual(shTable([0, 0], 4), [-1, -1, -1, -1]);
  assert.deepEqual(shTable([], 2), [-1, -1]);
});
