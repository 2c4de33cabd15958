// The desired state as the data plane should see it once health is applied: reals
// get their effective weights, removed reals are left out, and a sorry server that
// serves is added as a real. Pure; the daemon passes the result to Dataplane.apply().
import { realId, serviceId, type DesiredState, type RealSpec } from '../core/model.js';

export function applyHealth(state: DesiredState, weights: ReadonlyMap<string, ReadonlyMap<string, number>>): DesiredState {
  return {
    ...state,
    services: state.services.map((svc) => {
      const w = weights.get(serviceId(svc));
      if (!w) return svc; // not monitored (yet): as configured
      // Every real present at its configured weight and no sorry server serving: the
      // service as it is (the same object, so the data plane sees it unchanged).
      if (!svc.sorryServer && w.size === svc.reals.length && svc.reals.every((r) => w.get(realId(r)) === r.weight)) return svc;
      const reals: RealSpec[] = [];
      for (const r of svc.reals) {
        const weight = w.get(realId(r));
        if (weight !== undefined) reals.push(weight === r.weight ? r : { ...r, weight });
      }
      const sorry = svc.sorryServer;
      if (sorry) {
        const sid = realId(sorry);
        const weight = w.get(sid);
        const existing = reals.find((r) => realId(r) === sid);
        if (weight !== undefined && !existing) {
          reals.push({ address: sorry.address, port: sorry.port, method: sorry.method, weight, upperThreshold: 0, lowerThreshold: 0 });
        }
      }
      return { ...svc, reals };
    }),
  };
}
