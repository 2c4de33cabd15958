// In-memory stand-ins for BPF maps with the MapHandle surface, for testing the
// writer's bookkeeping without the kernel. Array maps return zeroed values for
// every index below max_entries, as the kernel does.
import type { MapHandle, IpvxMaps, MapName } from '../../src/dataplane/writer.js';
import { MAP_NAMES } from '../../src/dataplane/writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class FakeMap implements MapHandle {
  readonly entries = new Map<string, Uint8Array[]>();
  writes = 0;

  constructor(readonly maxEntries: number, readonly valueSize: number, readonly isArray: boolean, readonly nCpus = 1) {}

  lookup(key: Uint8Array): Uint8Array | undefined {
    const v = this.entries.get(hex(key));
    if (v) return v[0];
    return this.isArray ? new Uint8Array(this.valueSize) : undefined;
  }
  update(key: Uint8Array, value: Uint8Array): void {
    if (!this.entries.has(hex(key)) && !this.isArray && this.entries.size >= this.maxEntries) throw new Error('E2BIG');
    this.writes++;
    this.entries.set(hex(key), [Uint8Array.from(value)]);
  }
  delete(key: Uint8Array): boolean {
    this.writes++;
    return this.entries.delete(hex(key));
  }
  *keys(): Iterable<Uint8Array> {
    for (const k of [...this.entries.keys()]) yield Uint8Array.from(Buffer.from(k, 'hex'));
  }
  lookupPerCpu(key: Uint8Array): Uint8Array[] {
    return this.entries.get(hex(key)) ?? Array.from({ length: this.nCpus }, () => new Uint8Array(this.valueSize));
  }
  updatePerCpu(key: Uint8Array, values: Uint8Array[]): void {
    this.writes++;
    this.entries.set(hex(key), values.map((v) => Uint8Array.from(v)));
  }
}

const ARRAYS = new Set<MapName>(['reals', 'sched_slots', 'svc_cursor', 'real_conns', 'svc_stats', 'real_stats', 'reasons', 'globals', 'addr_filter', 'events', 'flood', 'mark_ranges']);
const SIZES: Partial<Record<MapName, number>> = { reals: 72, sched_slots: 4, svc_cursor: 4, real_conns: 8, svc_stats: 40, real_stats: 40, reasons: 8, globals: 64, addr_filter: 8, events: 8, flood: 16, mark_ranges: 8 };
/** Entries where the program's map differs from the 4,096 default (bpf/include/consts.h). */
const MAX_ENTRIES: Partial<Record<MapName, number>> = { mark_ranges: 8192, mark_prefixes: 1024 };

export function fakeMaps(limits: Partial<Record<MapName, number>> = {}, nCpus = 2): IpvxMaps & Record<MapName, FakeMap> {
  const out = {} as Record<MapName, FakeMap>;
  for (const n of MAP_NAMES) out[n] = new FakeMap(limits[n] ?? MAX_ENTRIES[n] ?? 4096, SIZES[n] ?? 0, ARRAYS.has(n), nCpus);
  return out;
}
