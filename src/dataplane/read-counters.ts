// Reading every service's and real's counters. The per-CPU stats arrays and the
// connection counts are read whole (the id prefix in use) with a few batch syscalls:
// at 10,000 services x 10 reals, one lookup per id was ~220,000 syscalls per read,
// every 2 s (the rate sampler), blocking the event loop for seconds.
import type { IpvxMaps, MapHandle } from './writer.js';
import { FLAT_FIELDS, type DataplaneCounters, type ServiceCounters, type RealCounters, type Counters, type FlatCounters } from './port.js';
import { counters as countersCodec, realConns, REASONS, EVENTS } from './codec.js';
import { u32Key, readU64 } from './layout.js';

/** Ids of every service and its reals, as MapWriter.serviceIds() yields them. */
export type ServiceIds = Iterable<[string, { svcId: number; reals: Map<string, { id: number }> }]>;

/** A per-id view of an array map: one read for the ids in use, or a lookup per id without batch support. */
interface PerId<T> { get(id: number): T }

/** Sums of the per-CPU counters of ids [0, n). */
function perCpuCounters(map: MapHandle, n: number): PerId<Counters> {
  if (map.readArrayPrefix && map.elementSize && map.perCpuStride && n > 0) {
    const buf = map.readArrayPrefix(n), size = map.elementSize, stride = map.perCpuStride;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const cpus = size / stride;
    return {
      get(id) {
        const c = zero();
        if ((id + 1) * size > buf.length) return c;
        for (let cpu = 0, o = id * size; cpu < cpus; cpu++, o += stride) {
          c.conns += dv.getBigUint64(o, true); c.pktsIn += dv.getBigUint64(o + 8, true); c.bytesIn += dv.getBigUint64(o + 16, true);
          c.pktsOut += dv.getBigUint64(o + 24, true); c.bytesOut += dv.getBigUint64(o + 32, true);
        }
        return c;
      },
    };
  }
  return { get: (id) => sumPerCpu(map.lookupPerCpu(u32Key(id))) };
}

function connCounts(map: MapHandle, n: number): PerId<{ active: number; inactive: number }> {
  if (map.readArrayPrefix && map.elementSize && n > 0) {
    const buf = map.readArrayPrefix(n), size = map.elementSize;
    return { get: (id) => ((id + 1) * size > buf.length ? { active: 0, inactive: 0 } : realConns.decode(buf.subarray(id * size, id * size + realConns.size))) };
  }
  return {
    get(id) {
      const v = map.lookup(u32Key(id));
      return v ? realConns.decode(v) : { active: 0, inactive: 0 };
    },
  };
}

/**
 * Sets out[o..o+5) to the per-CPU sums of id's counters in FLAT_FIELDS order: read whole
 * like perCpuCounters, summed without a Counters object or any BigInt per id (BigInt
 * arithmetic was most of a 200 ms read at 100,000 reals, every 2 s on the event loop).
 */
function perCpuInto(map: MapHandle, n: number): (id: number, out: BigUint64Array, out32: Uint32Array, o: number) => void {
  if (map.readArrayPrefix && map.elementSize && map.perCpuStride && n > 0) {
    const buf = map.readArrayPrefix(n), size = map.elementSize, stride = map.perCpuStride;
    const src = words(buf);
    const cpus = size / stride;
    // struct ipvx_counters: conns, pkts_in, bytes_in, pkts_out, bytes_out (u64 each), as 32-bit word indexes.
    const at = FLAT_FIELDS.map((f) => countersCodec.fields.find((d) => d.name === f)!.offset / 4);
    return (id, _out, dst, o) => {
      if ((id + 1) * size > buf.length) return;
      for (let k = 0; k < at.length; k++) {
        // u64 = hi * 2^32 + lo, little-endian words; the sum carried in doubles (exact below 2^53 per word sum).
        let lo = 0, hi = 0;
        for (let cpu = 0, w = (id * size) / 4 + at[k]!; cpu < cpus; cpu++, w += stride / 4) { lo += src[w]!; hi += src[w + 1]!; }
        hi += Math.floor(lo / 0x100000000);
        dst[(o + k) * 2] = lo >>> 0;
        dst[(o + k) * 2 + 1] = hi >>> 0; // wraps at 2^64 as the u64 sum would
      }
    };
  }
  const each = perCpuCounters(map, n);
  return (id, out, _out32, o) => {
    const c = each.get(id);
    FLAT_FIELDS.forEach((f, k) => { out[o + k] = c[f]; });
  };
}

/** A buffer's bytes as little-endian 32-bit words (copied when not 4-byte aligned). */
function words(b: Uint8Array): Uint32Array {
  const aligned = b.byteOffset % 4 === 0 ? b : b.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
}

/** readCounters' services and reals in FlatCounters form: the rate sampler's read, every 2 s. */
export function readFlatCounters(maps: IpvxMaps, ids: ServiceIds): FlatCounters {
  const list = [...ids];
  let maxSvc = -1, maxReal = -1, n = 0;
  for (const [, s] of list) {
    if (s.svcId > maxSvc) maxSvc = s.svcId;
    n += 1 + s.reals.size;
    for (const r of s.reals.values()) if (r.id > maxReal) maxReal = r.id;
  }
  const svcInto = perCpuInto(maps.svc_stats, maxSvc + 1);
  const realInto = perCpuInto(maps.real_stats, maxReal + 1);
  const F = FLAT_FIELDS.length;
  const values = new BigUint64Array(n * F);
  const values32 = new Uint32Array(values.buffer);
  const services: string[] = [], reals: string[][] = [];
  let i = 0;
  for (const [service, s] of list) {
    services.push(service);
    svcInto(s.svcId, values, values32, i++ * F);
    const names: string[] = [];
    for (const [real, r] of s.reals) {
      names.push(real);
      realInto(r.id, values, values32, i++ * F);
    }
    reals.push(names);
  }
  return { services, reals, values };
}

const zero = (): Counters => ({ conns: 0n, pktsIn: 0n, pktsOut: 0n, bytesIn: 0n, bytesOut: 0n });

export function sumPerCpu(values: Uint8Array[]): Counters {
  const c = zero();
  for (const v of values) {
    const d = countersCodec.decode(v);
    c.conns += d.conns; c.pktsIn += d.pktsIn; c.bytesIn += d.bytesIn; c.pktsOut += d.pktsOut; c.bytesOut += d.bytesOut;
  }
  return c;
}

export function readCounters(maps: IpvxMaps, ids: ServiceIds): DataplaneCounters {
  const list = [...ids];
  let maxSvc = -1, maxReal = -1;
  for (const [, s] of list) {
    if (s.svcId > maxSvc) maxSvc = s.svcId;
    for (const r of s.reals.values()) if (r.id > maxReal) maxReal = r.id;
  }
  const svcStats = perCpuCounters(maps.svc_stats, maxSvc + 1);
  const realStats = perCpuCounters(maps.real_stats, maxReal + 1);
  const conns = connCounts(maps.real_conns, maxReal + 1);
  const services: ServiceCounters[] = list.map(([service, s]) => {
    const reals: RealCounters[] = [];
    for (const [real, r] of s.reals) {
      const rc = conns.get(r.id);
      reals.push({ real, ...realStats.get(r.id), activeConns: rc.active, inactiveConns: rc.inactive });
    }
    return { service, ...svcStats.get(s.svcId), reals };
  });
  const global: Record<string, bigint> = {};
  REASONS.forEach((name, i) => {
    global[name] = maps.reasons.lookupPerCpu(u32Key(i)).reduce((sum, v) => sum + readU64(v), 0n);
  });
  if (maps.events) {
    EVENTS.forEach((name, i) => {
      global[name] = maps.events.lookupPerCpu(u32Key(i)).reduce((sum, v) => sum + readU64(v), 0n);
    });
  }
  return { services, global };
}
