// The configuration as the pages edit it: ids, lookups and the edits themselves, as
// pure functions from one desired state to the next. The daemon validates the result;
// nothing here decides what is valid.
import type { DesiredState, ServiceSpec, RealSpec, ServiceStats, RealStats, Frame } from './types.js';

// The daemon's own keys for services and reals (core/model.ts is pure: it bundles as is).
import { serviceId, realId } from '../../../core/model.js';
export { serviceId, realId };

/** URL path of a service's page: /services/PROTOCOL/VIP/PORT, or /services/fwm/VIP/MARK (its id's parts). */
export const servicePath = (s: Pick<ServiceSpec, 'protocol' | 'vip' | 'port' | 'fwmark'>) =>
  (s.fwmark ? `/services/fwm/${encodeURIComponent(s.vip)}/${s.fwmark}` : `/services/${s.protocol}/${encodeURIComponent(s.vip)}/${s.port}`);

export interface StatsIndex {
  service(id: string): ServiceStats | undefined;
  real(serviceId: string, realId: string): RealStats | undefined;
}

export function indexStats(f: Frame | null): StatsIndex {
  const services = new Map<string, { s: ServiceStats; reals: Map<string, RealStats> }>();
  for (const s of f?.stats ?? []) services.set(s.service, { s, reals: new Map(s.reals.map((r) => [r.real, r])) });
  return {
    service: (id) => services.get(id)?.s,
    real: (sid, rid) => services.get(sid)?.reals.get(rid),
  };
}

const clone = <T>(v: T): T => structuredClone(v);

export function findService(state: DesiredState, id: string): ServiceSpec | undefined {
  return state.services.find((s) => serviceId(s) === id);
}

/** The next state with `svc` added, or put in the place of the service `replacing` (its id). */
export function putService(state: DesiredState, svc: ServiceSpec, replacing?: string): DesiredState {
  const next = clone(state);
  const i = replacing ? next.services.findIndex((s) => serviceId(s) === replacing) : -1;
  if (i >= 0) next.services[i] = clone(svc);
  else next.services.push(clone(svc));
  return next;
}

export function deleteService(state: DesiredState, id: string): DesiredState {
  const next = clone(state);
  next.services = next.services.filter((s) => serviceId(s) !== id);
  return next;
}

/** The next state with `real` added to the service, or in the place of the real `replacing`. */
export function putReal(state: DesiredState, sid: string, real: RealSpec, replacing?: string): DesiredState {
  const next = clone(state);
  const svc = findService(next, sid);
  if (!svc) throw new Error(`the service ${sid} is no longer configured`);
  const j = replacing ? svc.reals.findIndex((r) => realId(r) === replacing) : -1;
  if (j >= 0) svc.reals[j] = clone(real);
  else svc.reals.push(clone(real));
  return next;
}

export function deleteReal(state: DesiredState, sid: string, rid: string): DesiredState {
  const next = clone(state);
  const svc = findService(next, sid);
  if (!svc) throw new Error(`the service ${sid} is no longer configured`);
  svc.reals = svc.reals.filter((r) => realId(r) !== rid);
  return next;
}

/** Weight 0: no new connections, established ones go on (ipvsadm -e ... -w 0). */
export function setWeight(state: DesiredState, sid: string, rid: string, weight: number): DesiredState {
  const next = clone(state);
  const r = findService(next, sid)?.reals.find((x) => realId(x) === rid);
  if (!r) throw new Error(`the real ${rid} is no longer configured in ${sid}`);
  r.weight = weight;
  return next;
}

/** Where a daemon field error points: "services[2].reals[0].weight" -> { service: 2, real: 0, path: 'weight' }. */
export function locateField(field: string): { service?: number; real?: number; path: string } {
  const m = /^services\[(\d+)\](?:\.reals\[(\d+)\])?\.?(.*)$/.exec(field);
  if (!m) return { path: field };
  return { service: Number(m[1]), ...(m[2] !== undefined ? { real: Number(m[2]) } : {}), path: m[3] ?? '' };
}
