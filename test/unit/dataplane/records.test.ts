// The flat stores the writer uses instead of one small array per entry: RecordsById
// (last-written values by id), StructDef.encodeInto (encode into a caller's buffer) and
// Packed.pushU32 (u32 keys packed in place).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordsById } from '../../../src/dataplane/records.js';
import { Packed } from '../../../src/dataplane/staged.js';
import { realInfo, svcInfo } from '../../../src/dataplane/codec.js';
import { u32Key } from '../../../src/dataplane/layout.js';
import { rng } from '../../lib/random-state.js';

test('RecordsById holds what a Map of copies would, across random sets and deletes', () => {
  const next = rng(3);
  const recs = new RecordsById(5, 3000);
  const model = new Map<number, Uint8Array>();
  for (let step = 0; step < 5000; step++) {
    const id = next(3000);
    if (next(4) === 0) { recs.delete(id); model.delete(id); continue; }
    const src = Uint8Array.from({ length: 9 }, () => next(256));
    const off = next(5);
    recs.set(id, src, off);
    model.set(id, src.slice(off, off + 5));
    src.fill(0); // the store copied: changing the source changes nothing
  }
  for (let id = 0; id < 3000; id++) {
    const want = model.get(id);
    assert.equal(recs.has(id), want !== undefined);
    assert.deepEqual(recs.get(id), want);
    if (want) {
      assert.ok(recs.equals(id, want));
      const other = Uint8Array.from(want);
      other[4] ^= 1;
      assert.ok(!recs.equals(id, other));
    }
  }
  assert.deepEqual([...recs.ids()], [...model.keys()].sort((a, b) => a - b));
});

test('RecordsById refuses ids outside its capacity and short records', () => {
  const recs = new RecordsById(4, 10);
  assert.throws(() => recs.set(10, new Uint8Array(4)), /outside/);
  assert.throws(() => recs.set(-1, new Uint8Array(4)), /outside/);
  assert.throws(() => recs.set(0, new Uint8Array(3)), /3 bytes/);
  assert.equal(recs.get(9), undefined);
  assert.ok(!recs.equals(9, new Uint8Array(4)), 'absent is not equal to zeros');
});

test('encodeInto writes the bytes encode returns, at an offset, over whatever was there', () => {
  const next = rng(11);
  for (let i = 0; i < 200; i++) {
    const v = {
      addr: Uint8Array.from({ length: next(2) ? 4 : 16 }, () => next(256)), tunSrc: new Uint8Array(0),
      port: next(65536), method: next(3), family: next(2) ? 4 : 6, flags: next(8), gen: next(2 ** 32), weight: next(1000),
      ifindex: next(100), dmac: Uint8Array.from({ length: 6 }, () => next(256)), smac: new Uint8Array(0), mtu: next(9000),
      tunType: next(3), tunFlags: next(3), tunPort: next(65536),
    };
    const out = Uint8Array.from({ length: realInfo.size + 10 }, () => 0xaa);
    realInfo.encodeInto(v, out, 7);
    assert.deepEqual(out.subarray(7, 7 + realInfo.size), realInfo.encode(v));
    assert.ok(out.subarray(0, 7).every((b) => b === 0xaa) && out.subarray(7 + realInfo.size).every((b) => b === 0xaa), 'nothing outside the record');
  }
  assert.throws(() => svcInfo.encodeInto({} as never, new Uint8Array(svcInfo.size), 1), /bytes left/);
});

test('Packed.pushU32 packs what push(u32Key(n)) does', () => {
  const next = rng(5);
  const a = new Packed(), b = new Packed();
  for (let i = 0; i < 3000; i++) {
    const n = next(2) ? next(2 ** 32) : next(300);
    a.pushU32(n);
    b.push(u32Key(n));
  }
  assert.equal(a.count, b.count);
  assert.deepEqual(a.range(0, a.count), b.range(0, b.count));
  assert.throws(() => a.push(new Uint8Array(8)), /8 and 4 bytes/);
});
