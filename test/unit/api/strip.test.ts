// strip() drops what proto3 with defaults:true fills in, except `optional` fields set to
// 0/false. Checked against the straightforward form it replaced (one entry array and one
// "_field" string per field) on random nested messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strip } from '../../../src/api/proto.js';
import { rng } from '../../lib/random-state.js';

type Msg = Record<string, unknown>;
function reference(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map((x) => reference(x) ?? (x !== null && typeof x === 'object' ? {} : x)) : undefined;
  if (v === null || v === '' || v === 0 || v === false) return undefined;
  if (typeof v !== 'object') return v;
  const m = v as Msg, out: Msg = {};
  for (const [k, x] of Object.entries(m)) {
    if (k.startsWith('_')) continue;
    const s = m[`_${k}`] === k ? x : reference(x);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length ? out : undefined;
}

test('strip gives what the reference gives for random nested messages with optional markers', () => {
  const next = rng(9);
  const scalars = [0, 1, 5, '', 'a', false, true, null, undefined];
  const gen = (d: number): unknown => {
    const t = next(d > 3 ? 1 : 4);
    if (t === 0) return scalars[next(scalars.length)];
    if (t === 1) return Array.from({ length: next(3) }, () => gen(d + 1));
    const o: Msg = {};
    for (let i = next(5); i > 0; i--) {
      const k = `k${next(4)}`;
      o[k] = gen(d + 1);
      if (next(3) === 0) o[`_${k}`] = next(2) ? k : 'other';
    }
    return o;
  };
  for (let i = 0; i < 20_000; i++) {
    const v = gen(0);
    assert.deepEqual(strip(v), reference(v), JSON.stringify(v));
  }
  assert.deepEqual(strip({ weight: 0, _weight: 'weight', port: 0, address: 'a' }), { weight: 0, address: 'a' });
});
