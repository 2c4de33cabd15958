// Deterministic desired states for tests that compare the writer's or the controller's
// shortcuts with a whole apply: a seeded generator (a failure must be reproducible),
// services and reals in documentation ranges, and the map sizes they need.
import assert from 'node:assert/strict';
import { DesiredState, ServiceSpec, RealSpec, SchedulerName } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import * as edit from '../../src/core/edit.js';
import type { Result } from '../../src/core/result.js';

/** Map sizes for a few hundred services (fake maps). */
export const LIMITS = { sched_slots: 1 << 18, reals: 8192, real_conns: 8192, real_stats: 8192 };

export const SCHEDS: SchedulerName[] = ['rr', 'wrr', 'wlc', 'sh', 'mh'];

/** A small seeded generator: rng(seed)(n) is in 0..n-1 (no Math.random). */
export function rng(seed: number) {
  let x = seed >>> 0;
  return (n: number) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % n; };
}

export const realOf = (i: number, weight: number, method: RealSpec['method'] = 'dr'): RealSpec =>
  ({ address: `198.51.100.${1 + (i % 200)}`, port: 80, method, weight, upperThreshold: 0, lowerThreshold: 0 });

export const serviceOf = (i: number, sched: SchedulerName, n: number): ServiceSpec => ({
  vip: `203.0.113.${1 + (i % 50)}`, port: 1000 + i, protocol: 'tcp', scheduler: sched, flags: [], persistence: 0, persistenceMask: '', method: 'dr',
  reals: Array.from({ length: n }, (_, j) => realOf(i * 7 + j, 1 + (j % 3))),
});

/** The state as validateState returns it (frozen services), or a failed assertion. */
export function valid(s: DesiredState): DesiredState {
  const v = validateState(s);
  assert.ok(v.ok, v.ok ? '' : JSON.stringify(v.errors));
  return v.value;
}

export type EditOp = 'weight' | 'addReal' | 'deleteReal' | 'scheduler' | 'deleteService' | 'addService';

/**
 * One edit as a user makes them (ipvsadm -e/-a/-d/-E/-D/-A) on a random service of `st`
 * through the edit API: the service first, then one of `ops`. An op that does not apply
 * (no real to edit, the last real, too few services left) becomes `fallback` if given,
 * else no edit; 'other' is left to the caller (with the service it picked).
 * `realId`/`serviceId` number new reals and services.
 */
export function randomEdit(
  st: DesiredState, next: (n: number) => number, ops: readonly (EditOp | 'other')[],
  o: { realId: number; serviceId: () => number; minServices: number; fallback?: EditOp },
): { service: ServiceSpec; result?: Result<DesiredState> } {
  const s = st.services[next(st.services.length)]!;
  const key = { vip: s.vip, port: s.port, protocol: s.protocol };
  const apply = (op: EditOp | 'other'): Result<DesiredState> | undefined => {
    switch (op) {
      case 'weight': return s.reals.length ? edit.editReal(st, key, { ...s.reals[next(s.reals.length)]!, weight: next(5) }) : undefined;
      case 'addReal': return edit.addReal(st, key, realOf(o.realId, 1 + next(4)));
      case 'deleteReal': return s.reals.length > 1 ? edit.deleteReal(st, key, s.reals[next(s.reals.length)]!) : undefined;
      case 'scheduler': return edit.editService(st, { ...s, scheduler: SCHEDS[next(SCHEDS.length)]!, flags: [] });
      case 'deleteService': return st.services.length > o.minServices ? edit.deleteService(st, key) : undefined;
      case 'addService': return edit.addService(st, serviceOf(o.serviceId(), SCHEDS[next(SCHEDS.length)]!, 1 + next(5)));
      case 'other': return undefined;
    }
  };
  const op = ops[next(ops.length)]!;
  const result = apply(op) ?? (op !== 'other' && o.fallback ? apply(o.fallback) : undefined);
  return { service: s, ...(result ? { result } : {}) };
}
