// The desired state as the data plane should see it once health is applied: reals
// get their effective weights, removed reals are left out, and a sorry server that
// serves is added as a real. Pure; the daemon passes the result to Dataplane.apply().
import { realId, serviceId, type DesiredState, type RealSpec, type ServiceSpec } from '../core/model.js';

/**
 * The last result per (validated, frozen) service and the weights map it was made
 * from: the monitor replaces a service's weights map only when they change, so an
 * edit of one service recomputes one service.
 */
const adjusted = new WeakMap<ServiceSpec, { w: ReadonlyMap<string, number>; out: ServiceSpec }>();

export function applyHealth(state: DesiredState, weights: ReadonlyMap<string, ReadonlyMap<string, number>>): DesiredState {
  return {
    ...state,
    services: state.services.map((svc) => {
      const w = weights.get(serviceId(svc));
      if (!w) return svc; // not monitored (yet): as configured
      const memo = adjusted.get(svc);
      if (memo && memo.w === w) return memo.out;
      const out = adjustService(svc, w);
      if (Object.isFrozen(svc)) adjusted.set(svc, { w, out });
      return out;
    }),
  };
}

function adjustService(svc: ServiceSpec, w: ReadonlyMap<string, number>): ServiceSpec {
  // Every real present at its configured weight and no sorry server serving: the
  // service as it is (the same object, so the data plane sees it unchanged).
  if (!svc.sorryServer && w.size === svc.reals.length && svc.reals.every((r) => w.get(realId(r)) === r.weight)) return svc;
  const reals: RealSpec[] = [];
  for (const r of svc.reals) {
    const weight = w.get(realId(r));
    if (weight !== undefined) reals.push(weight === r.weight ? r : Object.freeze({ ...r, weight }));
  }
  const sorry = svc.sorryServer;
  if (sorry) {
    const sid = realId(sorry);
    const weight = w.get(sid);
    const existing = reals.find((r) => realId(r) === sid);
    if (weight !== undefined && !existing) {
      reals.push(Object.freeze({ address: sorry.address, port: sorry.port, method: sorry.method, weight, upperThreshold: 0, lowerThreshold: 0 }));
    }
  }
  // Frozen like the validated spec it comes from, so the writer may reuse its plan.
  return Object.freeze({ ...svc, reals: Object.freeze(reals) as RealSpec[] });
}
