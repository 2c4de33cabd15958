// Deterministic desired states for tests that compare the writer's or the controller's
// shortcuts with a whole apply: a seeded generator (a failure must be reproducible),
// services and reals in documentation ranges, and the map sizes they need.
import assert from 'node:assert/strict';
import { DesiredState, ServiceSpec, RealSpec, SchedulerName } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';

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
