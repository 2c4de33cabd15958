// Batch map operations against the real maps of the director object: a MapWriter
// that writes with bpf_map_update_batch leaves every map byte for byte as one that
// writes entry by entry, and counters read in batches equal counters read per id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness } from '../lib/lb-harness.js';
import { numPossibleCpus } from '../../src/bpf/index.js';
import { MapWriter, MAP_NAMES, IpvxMaps, MapHandle } from '../../src/dataplane/writer.js';
import { readFlatCounters, readCounters } from '../../src/dataplane/read-counters.js';
import { compactSample } from '../../src/daemon/rate-sample.js';
import { counters as countersCodec, realConns } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';
import { DesiredState, ServiceSpec, SchedulerName, DEFAULT_TIMEOUTS } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';

type BatchMap = MapHandle & { readArrayPrefix(n: number): Uint8Array; lookupBatch(chunk?: number): { keys: Uint8Array[]; values: Uint8Array[] } };

/** The same map without its batch operations: the writer and the reader fall back to one call per entry. */
function perEntry(m: MapHandle): MapHandle {
  let calls = 0;
  return {
    maxEntries: m.maxEntries,
    lookup: (k) => { calls++; return m.lookup(k); },
    update: (k, v) => { calls++; m.update(k, v); },
    delete: (k) => { calls++; return m.delete(k); },
    keys: () => m.keys(),
    lookupPerCpu: (k) => { calls++; return m.lookupPerCpu(k); },
    updatePerCpu: (k, v) => { calls++; m.updatePerCpu(k, v); },
    get calls() { return calls; },
  } as MapHandle;
}
const perEntryMaps = (maps: IpvxMaps) => Object.fromEntries(MAP_NAMES.map((n) => [n, perEntry(maps[n])])) as IpvxMaps;

const SCHEDS: SchedulerName[] = ['rr', 'wrr', 'wlc', 'sh', 'mh'];
function state(n: number, weightBump = 0, drop = 0): DesiredState {
  const services: ServiceSpec[] = [];
  for (let i = drop; i < n; i++) {
    const v6 = i % 3 === 0;
    services.push({
      vip: v6 ? `2001:db8::${(i % 20) + 1}` : `203.0.113.${(i % 20) + 1}`, port: 1000 + i, protocol: i % 2 ? 'udp' : 'tcp',
      scheduler: SCHEDS[i % SCHEDS.length]!, flags: [], persistence: 0, persistenceMask: '', method: 'dr',
      reals: Array.from({ length: 1 + (i % 6) }, (_, j) => ({
        address: v6 ? `2001:db8:1::${j + 1}` : `198.51.100.${j + 1}`, port: 80, method: 'dr' as const,
        weight: 1 + ((j + weightBump * (i % 4)) % 5), upperThreshold: 0, lowerThreshold: 0,
      })),
    });
  }
  const v = validateState({ services, timeouts: DEFAULT_TIMEOUTS } as DesiredState);
  assert.ok(v.ok, v.ok ? '' : JSON.stringify(v.errors));
  return v.value;
}
const hop = (): NextHop => ({ ifindex: 1, ifname: 'lo', smac: Uint8Array.of(2, 0, 0, 0, 0, 1), dmac: Uint8Array.of(2, 0, 0, 0, 0, 2), mtu: 1500 });

function sameArrayMap(a: MapHandle, b: MapHandle, name: string): void {
  const x = (a as BatchMap).readArrayPrefix(a.maxEntries), y = (b as BatchMap).readArrayPrefix(b.maxEntries);
  assert.equal(Buffer.compare(x, y), 0, `${name}: same bytes`);
}
function sameHashMap(a: MapHandle, b: MapHandle, name: string): void {
  const entries = (m: MapHandle) => {
    const { keys, values } = (m as BatchMap).lookupBatch(256);
    return keys.map((k, i) => `${Buffer.from(k).toString('hex')}=${Buffer.from(values[i]!).toString('hex')}`).sort();
  };
  assert.deepEqual(entries(a), entries(b), `${name}: same entries`);
}

let batch: LbHarness, single: LbHarness;
before(() => { batch = LbHarness.open(); single = LbHarness.open(); });
after(() => { batch?.close(); single?.close(); });

test('a writer using batch updates leaves every map as one writing entry by entry, through adds, edits and removals', () => {
  const wb = batch.writer;
  const counted = perEntryMaps(single.maps);
  const ws = new MapWriter(counted, numPossibleCpus());
  ws.clock = wb.clock; // the same clock calibration, so globals compare byte for byte
  const steps = [state(120), state(120, 1), state(120, 1, 40), state(150, 2, 10), state(0)];
  for (const [i, st] of steps.entries()) {
    wb.apply(st, hop);
    ws.apply(st, hop);
    for (const n of ['reals', 'sched_slots', 'svc_cursor', 'real_conns', 'svc_stats', 'real_stats', 'globals'] as const) sameArrayMap(batch.maps[n], single.maps[n], `step ${i} ${n}`);
    for (const n of ['services', 'vips'] as const) sameHashMap(batch.maps[n], single.maps[n], `step ${i} ${n}`);
  }
  // The point of it: far fewer calls into the kernel.
  const singleCalls = MAP_NAMES.reduce((s, n) => s + (counted[n] as unknown as { calls: number }).calls, 0);
  assert.ok(wb.syscalls * 10 < singleCalls, `batch writer: ${wb.syscalls} calls, per entry: ${singleCalls}`);
});

test('counters read in batches equal counters read id by id', () => {
  const st = state(90);
  batch.writer.apply(st, hop);
  const cpus = numPossibleCpus();
  let seed = 7;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return BigInt(seed % 100000); };
  const perCpu = () => Array.from({ length: cpus }, () => countersCodec.encode({ conns: rnd(), pktsIn: rnd(), bytesIn: rnd() << 20n, pktsOut: rnd(), bytesOut: rnd() << 20n }));
  for (const [, ids] of batch.writer.serviceIds()) {
    batch.maps.svc_stats.updatePerCpu(u32Key(ids.svcId), perCpu());
    for (const rs of ids.reals.values()) {
      batch.maps.real_stats.updatePerCpu(u32Key(rs.id), perCpu());
      batch.maps.real_conns.update(u32Key(rs.id), realConns.encode({ active: Number(rnd()), inactive: Number(rnd()) }));
    }
  }
  const fast = readCounters(batch.maps, batch.writer.serviceIds());
  const slow = readCounters(perEntryMaps(batch.maps), batch.writer.serviceIds());
  assert.deepEqual(fast, slow);
  assert.equal(fast.services.length, 90);
  assert.ok(fast.services.some((s) => s.reals.some((r) => r.bytesIn > 0n && r.activeConns > 0)), 'the counters written are read');
  // The rate sampler's flat read (batch, and id by id) holds the same numbers as the objects,
  // also where the per-CPU sum carries between 32-bit halves and wraps at 2^64.
  const [, first] = [...batch.writer.serviceIds()][0]!;
  const rs0 = [...first.reals.values()][0]!;
  const max = (2n ** 64n) - 1n, carry = 0xffffffffn;
  batch.maps.real_stats.updatePerCpu(u32Key(rs0.id), Array.from({ length: cpus }, () => countersCodec.encode({ conns: max, pktsIn: carry, bytesIn: carry << 32n, pktsOut: carry + 1n, bytesOut: max - 5n })));
  const slow2 = readCounters(perEntryMaps(batch.maps), batch.writer.serviceIds());
  const at = 1;
  const want = compactSample(slow2, at);
  assert.deepEqual({ ...readFlatCounters(batch.maps, batch.writer.serviceIds()), at }, want);
  assert.deepEqual({ ...readFlatCounters(perEntryMaps(batch.maps), batch.writer.serviceIds()), at }, want);
});
