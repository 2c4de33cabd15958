// Map writes collected per map and sent in a few batch syscalls (bpf_map_update_batch /
// bpf_map_delete_batch) instead of one syscall per entry: an ApplyConfig of 10,000
// services x 10 reals is ~430,000 entries. Writes to one map keep their order (the
// kernel applies a batch element by element, so the last write of a key wins, as it
// would with single updates); maps are flushed in the order they were first written,
// which lets the writer keep its "reals and tables before the service entry" rule by
// staging those in an earlier stage (see MapWriter).
import type { MapHandle } from './writer.js';
import { u32Key } from './layout.js';

/** Entries per batch call: bounds the kernel's copy and our key/value buffers. */
const BATCH_ENTRIES = 16_384;

/**
 * Fixed-size records packed in one growable buffer: staging 400,000 entries as two small
 * Uint8Arrays each left ~800,000 malloc'd backing stores to old space (and RSS) after an
 * ApplyConfig; one buffer per map is a handful of allocations, freed at once.
 */
export class Packed {
  private buf = new Uint8Array(0);
  size = -1;
  count = 0;

  push(rec: Uint8Array): void {
    this.room(rec.length);
    this.buf.set(rec, this.count * this.size);
    this.count++;
  }

  /** A u32 record (little-endian, as u32Key) written in place: no array per key. */
  pushU32(n: number): void {
    this.room(4);
    const at = this.count * 4;
    n >>>= 0;
    this.buf[at] = n & 0xff;
    this.buf[at + 1] = (n >>> 8) & 0xff;
    this.buf[at + 2] = (n >>> 16) & 0xff;
    this.buf[at + 3] = n >>> 24;
    this.count++;
  }

  /** Room for one more record of `len` bytes (the first record fixes the size). */
  private room(len: number): void {
    if (this.size < 0) this.size = len;
    else if (len !== this.size) throw new Error(`staged entries of ${len} and ${this.size} bytes for one map`);
    const end = (this.count + 1) * this.size;
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.max(end, this.buf.length + Math.min(this.buf.length, this.size * BATCH_ENTRIES), this.size * 64));
      grown.set(this.buf.subarray(0, this.count * this.size));
      this.buf = grown;
    }
  }

  /** Records [from, to) as one view. */
  range(from: number, to: number): Uint8Array {
    return this.buf.subarray(from * this.size, to * this.size);
  }

  /** Record i as a view. */
  at(i: number): Uint8Array {
    return this.buf.subarray(i * this.size, (i + 1) * this.size);
  }
}

interface MapQueue { keys: Packed; values: Packed; deletes: Packed }

/** True when the map (or the kernel) has no batch operation for this map type. */
function noBatch(e: unknown): boolean {
  const errno = (e as { errno?: number }).errno;
  return errno === 95 || errno === 524; // EOPNOTSUPP, ENOTSUPP
}

export class StagedWrites {
  private queues = new Map<MapHandle, MapQueue>();
  /** zeroPerCpu's element per map (never written to: shared by every key). */
  private zeros = new Map<MapHandle, { values: Uint8Array[]; joined: Uint8Array | undefined }>();
  /** Calls made to the maps by flush() (batch or single): tests and benchmarks read it. */
  syscalls = 0;

  private queue(map: MapHandle): MapQueue {
    let q = this.queues.get(map);
    if (!q) { q = { keys: new Packed(), values: new Packed(), deletes: new Packed() }; this.queues.set(map, q); }
    return q;
  }

  /** A number stands for a u32 key or value (array maps' indexes, slot contents), packed in place. */
  update(map: MapHandle, key: Uint8Array | number, value: Uint8Array | number): void {
    const q = this.queue(map);
    if (typeof key === 'number') q.keys.pushU32(key);
    else q.keys.push(key);
    if (typeof value === 'number') q.values.pushU32(value);
    else q.values.push(value);
  }

  /** A per-CPU element from one value per CPU (written at once where the map cannot take whole elements). */
  updatePerCpu(map: MapHandle, key: Uint8Array | number, values: Uint8Array[]): void {
    if (map.joinPerCpu && map.updateBatch) return this.update(map, key, map.joinPerCpu(values));
    this.flushMap(map); // keep this map's order
    this.syscalls++;
    map.updatePerCpu(typeof key === 'number' ? u32Key(key) : key, values);
  }

  /** A per-CPU element of zeros (new ids' counters): one joined element per map, not one per key. */
  zeroPerCpu(map: MapHandle, key: number, valueSize: number, nCpus: number): void {
    let z = this.zeros.get(map);
    if (!z || z.values[0]!.length !== valueSize || z.values.length !== nCpus) {
      const values = Array.from({ length: nCpus }, () => new Uint8Array(valueSize));
      z = { values, joined: map.joinPerCpu && map.updateBatch ? map.joinPerCpu(values) : undefined };
      this.zeros.set(map, z);
    }
    if (z.joined) this.update(map, key, z.joined);
    else this.updatePerCpu(map, key, z.values);
  }

  /** Deleted after this map's updates staged so far (a map's deletes and updates of one key are not mixed in one stage). */
  delete(map: MapHandle, key: Uint8Array): void {
    this.queue(map).deletes.push(key);
  }

  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.keys.count + q.deletes.count;
    return n;
  }

  /** Write everything staged, map by map in the order first staged. On a failure the rest stays unwritten and is dropped. */
  flush(): void {
    const queues = this.queues;
    this.queues = new Map();
    for (const [map, q] of queues) this.write(map, q);
  }

  private flushMap(map: MapHandle): void {
    const q = this.queues.get(map);
    if (!q) return;
    this.queues.delete(map);
    this.write(map, q);
  }

  private write(map: MapHandle, q: MapQueue): void {
    const n = q.keys.count;
    for (let i = 0; i < n; i += BATCH_ENTRIES) {
      const end = Math.min(n, i + BATCH_ENTRIES);
      if (map.updateBatch) {
        try {
          this.syscalls++;
          if (map.updateBatchFlat) map.updateBatchFlat(q.keys.range(i, end), q.values.range(i, end), end - i);
          else map.updateBatch(views(q.keys, i, end), views(q.values, i, end));
          continue;
        } catch (e) {
          if (!noBatch(e)) throw e;
        }
      }
      for (let j = i; j < end; j++) { this.syscalls++; this.updateOne(map, q.keys.at(j), q.values.at(j)); }
    }
    if (q.deletes.count) this.deleteAll(map, q.deletes);
  }

  /** One entry of a map without batch operations; a per-CPU value was staged whole. */
  private updateOne(map: MapHandle, key: Uint8Array, value: Uint8Array): void {
    if (map.perCpu && map.splitPerCpu) map.updatePerCpu(key, map.splitPerCpu(value));
    else map.update(key, value);
  }

  /** Deletes stop at the first absent key: skip it and go on with the rest. */
  private deleteAll(map: MapHandle, keys: Packed): void {
    let from = 0;
    const n = keys.count;
    while (from < n) {
      if (map.deleteBatch) {
        try {
          this.syscalls++;
          const done = map.deleteBatchFlat ? map.deleteBatchFlat(keys.range(from, n), n - from) : map.deleteBatch(views(keys, from, n));
          from += done + 1; // keys[from + done] was absent (or it is the end)
          continue;
        } catch (e) {
          if (!noBatch(e)) throw e;
        }
      }
      for (let j = from; j < n; j++) { this.syscalls++; map.delete(keys.at(j)); }
      return;
    }
  }
}

/** Records [from, to) as separate views (maps without flat batch calls: test fakes). */
function views(p: Packed, from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = from; i < to; i++) out.push(p.at(i));
  return out;
}
