// Health transitions in bursts (a rack of reals failing at once) reach the data plane as
// one applied one by one would: the same effective state and the same map contents,
// through hinted (targeted) applies when few services are touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, healthHint } from '../../../src/daemon/controller.js';
import { MapWriter } from '../../../src/dataplane/writer.js';
import type { Dataplane, ApplyHint } from '../../../src/dataplane/port.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { DEFAULT_TIMEOUTS, serviceId, type DesiredState, type ServiceSpec } from '../../../src/core/model.js';
import { validateState } from '../../../src/core/validate.js';
import { fakeMaps } from '../../lib/fake-maps.js';
import { logicalView, freshMaps, HOP } from '../../lib/map-view.js';
import { LIMITS } from '../../lib/random-state.js';
import { until } from '../../lib/wait.js';


class WriterDataplane extends MemoryDataplane implements Dataplane {
  readonly maps = fakeMaps(LIMITS);
  readonly writer = new MapWriter(this.maps, 2);
  readonly seenHints: (ApplyHint | undefined)[] = [];
  override async apply(state: DesiredState, hint?: ApplyHint): Promise<void> {
    this.seenHints.push(hint);
    this.applied = state;
    this.writer.apply(state, () => HOP, hint);
  }
}

function state(services: number, reals: number): DesiredState {
  const svcs: ServiceSpec[] = Array.from({ length: services }, (_, i) => ({
    vip: `203.0.113.${i + 1}`, port: 80, protocol: 'tcp', scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: Array.from({ length: reals }, (_, j) => ({ address: `198.51.100.${j + 1}`, port: 80, method: 'dr' as const, weight: 1 + (j % 3), upperThreshold: 0, lowerThreshold: 0 })),
    // Half quiesce, half remove: both shapes of a down real reach the maps.
    health: { check: { type: 'tcp' }, interval: 0.01, timeout: 0.01, rise: 1, fall: 1, onFailure: i % 2 ? 'remove' : 'quiesce' },
  }));
  const v = validateState({ services: svcs, timeouts: { ...DEFAULT_TIMEOUTS } });
  assert.ok(v.ok);
  return v.value;
}


/** A controller whose checks fail for the reals in `down` (address), with all reals checked. */
function controller(st: DesiredState, down: Set<string>) {
  const dp = new WriterDataplane();
  const c = new Controller({
    dataplane: dp, initial: st,
    healthOptions: { check: async (t) => (down.has(`${t.address}`) ? { ok: false, reason: 'connection refused', latencyMs: 0 } : { ok: true, reason: 'connected', latencyMs: 0 }), random: () => 0 },
  });
  const downCount = () => (c.health?.view() ?? []).reduce((n, s) => n + s.reals.filter((r) => r.state === 'down').length, 0);
  return { dp, c, downCount };
}

test('a burst of transitions gives the data plane what the same transitions one by one give', async () => {
  const st = state(4, 6);
  const addrs = st.services[0]!.reals.map((r) => r.address);
  // One by one: each address fails and is applied before the next.
  const slowDown = new Set<string>();
  const one = controller(st, slowDown);
  // All at once.
  const burstDown = new Set<string>();
  const burst = controller(st, burstDown);
  await one.c.start();
  await burst.c.start();
  try {
    for (const [i, a] of addrs.slice(0, 4).entries()) {
      slowDown.add(a);
      await until(`the one-by-one controller to apply ${a} down (${i + 1} down reals per service)`, () => one.downCount() === (i + 1) * st.services.length);
    }
    for (const a of addrs.slice(0, 4)) burstDown.add(a);
    await until('the burst controller to apply all 4 reals down in every service', () => burst.downCount() === 4 * st.services.length);
    // Let the last coalesced applies land.
    for (const x of [one, burst]) await until('the data plane maps to equal what a fresh writer writes for the effective state', () => logicalViewOf(x.dp, x.c.effectiveState) === logicalViewOf(fresh(x.c.effectiveState), x.c.effectiveState));
    assert.deepEqual(burst.c.effectiveState, one.c.effectiveState, 'same effective state');
    assert.deepEqual(logicalView(burst.dp.maps, burst.c.effectiveState), logicalView(one.dp.maps, one.c.effectiveState), 'same map contents');
    assert.deepEqual(burst.dp.applied, burst.c.effectiveState);
    const eff = burst.c.effectiveState.services;
    assert.ok(eff[0]!.reals.some((r) => r.weight === 0), 'a quiesced service keeps its down reals at weight 0');
    assert.equal(eff[1]!.reals.length, 2, 'a remove service loses its down reals');
    assert.ok(burst.dp.seenHints.slice(1).every((h) => h !== undefined), 'health applies are targeted (4 services <= the delta limit)');
  } finally {
    one.c.stop();
    burst.c.stop();
  }
});

const fresh = (st: DesiredState) => freshMaps(st);
const logicalViewOf = (x: WriterDataplane | ReturnType<typeof fakeMaps>, st: DesiredState) =>
  JSON.stringify(logicalView(x instanceof WriterDataplane ? x.maps : x, st), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

test('healthHint names the touched services by index, skips removed ones, and leaves many to the whole-state path', () => {
  const st = state(5, 1);
  const ids = st.services.map(serviceId);
  assert.deepEqual(healthHint(st, new Set([ids[3]!, ids[1]!])), { services: [{ id: ids[1], index: 1 }, { id: ids[3], index: 3 }] });
  assert.deepEqual(healthHint(st, new Set(['tcp|192.0.2.9|80'])), { services: [] }, 'a service removed since: nothing to write');
  assert.equal(healthHint(st, new Set(ids), 4), undefined, 'more than the limit: whole state');
});
