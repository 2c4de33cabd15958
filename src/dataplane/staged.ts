// Map writes collected per map and sent in a few batch syscalls (bpf_map_update_batch /
// bpf_map_delete_batch) instead of one syscall per entry: an ApplyConfig of 10,000
// services x 10 reals is ~430,000 entries. Writes to one map keep their order (the
// kernel applies a batch element by element, so the last write of a key wins, as it
// would with single updates); maps are flushed in the order they were first written,
// which lets the writer keep its "reals and tables before the service entry" rule by
// staging those in an earlier stage (see MapWriter).
import type { MapHandle } from './writer.js';

/** Entries per batch call: bounds the kernel's copy and our key/value buffers. */
const BATCH_ENTRIES = 16_384;

interface MapQueue { keys: Uint8Array[]; values: Uint8Array[]; deletes: Uint8Array[] }

/** True when the map (or the kernel) has no batch operation for this map type. */
function noBatch(e: unknown): boolean {
  const errno = (e as { errno?: number }).errno;
  return errno === 95 || errno === 524; // EOPNOTSUPP, ENOTSUPP
}

export class StagedWrites {
  private queues = new Map<MapHandle, MapQueue>();
  /** Calls made to the maps by flush() (batch or single): tests and benchmarks read it. */
  syscalls = 0;

  private queue(map: MapHandle): MapQueue {
    let q = this.queues.get(map);
    if (!q) { q = { keys: [], values: [], deletes: [] }; this.queues.set(map, q); }
    return q;
  }

  update(map: MapHandle, key: Uint8Array, value: Uint8Array): void {
    const q = this.queue(map);
    q.keys.push(key);
    q.values.push(value);
  }

  /** A per-CPU element from one value per CPU (written at once where the map cannot take whole elements). */
  updatePerCpu(map: MapHandle, key: Uint8Array, values: Uint8Array[]): void {
    if (map.joinPerCpu && map.updateBatch) return this.update(map, key, map.joinPerCpu(values));
    this.flushMap(map); // keep this map's order
    this.syscalls++;
    map.updatePerCpu(key, values);
  }

  /** Deleted after this map's updates staged so far (a map's deletes and updates of one key are not mixed in one stage). */
  delete(map: MapHandle, key: Uint8Array): void {
    this.queue(map).deletes.push(key);
  }

  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.keys.length + q.deletes.length;
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
    for (let i = 0; i < q.keys.length; i += BATCH_ENTRIES) {
      const keys = q.keys.slice(i, i + BATCH_ENTRIES), values = q.values.slice(i, i + BATCH_ENTRIES);
      if (map.updateBatch) {
        try {
          this.syscalls++;
          map.updateBatch(keys, values);
          continue;
        } catch (e) {
          if (!noBatch(e)) throw e;
        }
      }
      keys.forEach((k, j) => { this.syscalls++; this.updateOne(map, k, values[j]!); });
    }
    if (q.deletes.length) this.deleteAll(map, q.deletes);
  }

  /** One entry of a map without batch operations; a per-CPU value was staged whole. */
  private updateOne(map: MapHandle, key: Uint8Array, value: Uint8Array): void {
    if (map.perCpu && map.splitPerCpu) map.updatePerCpu(key, map.splitPerCpu(value));
    else map.update(key, value);
  }

  /** Deletes stop at the first absent key: skip it and go on with the rest. */
  private deleteAll(map: MapHandle, keys: Uint8Array[]): void {
    let rest = keys;
    while (rest.length) {
      if (map.deleteBatch) {
        try {
          this.syscalls++;
          const n = map.deleteBatch(rest);
          rest = rest.slice(n + 1); // rest[n] was absent (or n === length)
          continue;
        } catch (e) {
          if (!noBatch(e)) throw e;
        }
      }
      for (const k of rest) { this.syscalls++; map.delete(k); }
      return;
    }
  }
}
