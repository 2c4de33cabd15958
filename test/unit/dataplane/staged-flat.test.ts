// Staged writes packed into flat per-map buffers reach the maps exactly as single
// updates and deletes in order would, through the array batch calls, the flat ones and
// without batch calls; a map's keys of mixed sizes are refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StagedWrites, Packed } from '../../../src/dataplane/staged.js';
import { FakeMap } from '../../lib/fake-maps.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A hash map with batch calls: deletes stop at the first absent key, as the kernel's do. */
class BatchMap extends FakeMap {
  batches = 0;
  updateBatch(keys: Uint8Array[], values: Uint8Array[]): void {
    this.batches++;
    keys.forEach((k, i) => this.update(k, values[i]!));
  }
  deleteBatch(keys: Uint8Array[]): number {
    this.batches++;
    for (let i = 0; i < keys.length; i++) if (!this.delete(keys[i]!)) return i;
    return keys.length;
  }
}

class FlatMap extends BatchMap {
  flat = 0;
  updateBatchFlat(keys: Uint8Array, values: Uint8Array, count: number): void {
    this.flat++;
    const ks = keys.length / count, vs = values.length / count;
    for (let i = 0; i < count; i++) this.update(keys.slice(i * ks, (i + 1) * ks), values.slice(i * vs, (i + 1) * vs));
  }
  deleteBatchFlat(keys: Uint8Array, count: number): number {
    this.flat++;
    const ks = keys.length / count;
    for (let i = 0; i < count; i++) if (!this.delete(keys.slice(i * ks, (i + 1) * ks))) return i;
    return count;
  }
}

/** Deterministic pseudo-random ops (no Math.random: a failure reproduces). */
function ops(seed: number, n: number): { del: boolean; key: Uint8Array; value: Uint8Array }[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) >>> 0) >>> 8;
  return Array.from({ length: n }, () => {
    const k = next() % 5000;
    return { del: next() % 256 === 0, key: Uint8Array.of(k & 0xff, k >> 8, 0, 7), value: Uint8Array.from({ length: 12 }, () => next() & 0xff) };
  });
}

test('flat staged writes leave the same map contents as single writes in order', () => {
  for (const seed of [1, 2, 3]) {
    const seq = ops(seed, 20_000); // more than one batch (16,384 entries) per map
    const want = new FakeMap(1 << 20, 12, false);
    // What the stages promise: a map's updates in order, then its deletes.
    for (const o of seq) if (!o.del) want.update(o.key, o.value);
    for (const o of seq) if (o.del) want.delete(o.key);
    for (const m of [new FakeMap(1 << 20, 12, false), new BatchMap(1 << 20, 12, false), new FlatMap(1 << 20, 12, false)]) {
      const st = new StagedWrites();
      for (const o of seq) (o.del ? st.delete(m, o.key) : st.update(m, o.key, o.value));
      assert.equal(st.pending, seq.length);
      st.flush();
      assert.equal(st.pending, 0);
      assert.deepEqual([...m.entries].map(([k, v]) => [k, hex(v[0]!)]).sort(), [...want.entries].map(([k, v]) => [k, hex(v[0]!)]).sort(), `seed ${seed}, ${m.constructor.name}`);
      if (m instanceof FlatMap) { assert.ok(m.flat >= 2); assert.equal(m.batches, 0); }
      else if (m instanceof BatchMap) assert.ok(m.batches >= 2);
    }
  }
});

test('a staged key is copied: changing the caller\'s array afterwards changes nothing', () => {
  const m = new FlatMap(16, 4, false), st = new StagedWrites();
  const k = Uint8Array.of(1, 2, 3, 4), v = Uint8Array.of(9, 9, 9, 9);
  st.update(m, k, v);
  k[0] = 7; v[0] = 0;
  st.flush();
  assert.equal(hex(m.lookup(Uint8Array.of(1, 2, 3, 4))!), '09090909');
});

test('Packed refuses records of another size and grows past its first buffer', () => {
  const p = new Packed();
  for (let i = 0; i < 1000; i++) p.push(Uint8Array.of(i & 0xff, i >> 8));
  assert.equal(p.count, 1000);
  assert.deepEqual([...p.at(999)], [999 & 0xff, 999 >> 8]);
  assert.deepEqual([...p.range(1, 3)], [1, 0, 2, 0]);
  assert.throws(() => p.push(Uint8Array.of(1, 2, 3)), /3 and 2 bytes/);
});
