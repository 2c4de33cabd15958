// Pure edits of a desired state with the semantics and messages of ipvsadm/IPVS
// (libipvs ipvs_strerror). None mutates its input; callers validate the result as
// a whole (validate.ts) before anything is written.
import { parseIp } from './addr.js';
import { Result, ok, fail, FieldError } from './result.js';
import { DesiredState, ServiceSpec, RealSpec, Timeouts, Protocol, serviceId, realId, Defense, DEFAULT_DEFENSE } from './model.js';

/** ipvsadm's words, so people and scripts recognise them. */
export const MESSAGES = {
  serviceExists: 'Service already exists',
  noService: 'No such service',
  /** ipvsadm says this for -a/-e/-d on a service that does not exist. */
  serviceNotDefined: 'Service not defined',
  destExists: 'Destination already exists',
  noDest: 'No such destination',
} as const;

export type EditErrorKind = 'exists' | 'not-found' | 'invalid';

/** How an edit error maps onto API status codes (ALREADY_EXISTS, NOT_FOUND, INVALID_ARGUMENT). */
export function editErrorKind(e: FieldError): EditErrorKind {
  if (e.message === MESSAGES.serviceExists || e.message === MESSAGES.destExists) return 'exists';
  if (e.message === MESSAGES.noService || e.message === MESSAGES.serviceNotDefined || e.message === MESSAGES.noDest) return 'not-found';
  return 'invalid';
}

/** A service's identity: address, port and protocol, or (fwmark services) the mark and the family's unspecified address. */
export interface ServiceKey { vip: string; port: number; protocol: Protocol; fwmark?: number }

const canon = (a: string) => { const r = parseIp(a); return r.ok ? r.value.text : a; };
const keyOf = (k: ServiceKey) => serviceId({ protocol: k.protocol, port: k.port, vip: canon(k.vip), fwmark: k.fwmark });
/** A validated (frozen) service already holds its VIP in canonical form: no parse per service and edit (10,000 services). */
const specKeyOf = (x: ServiceKey) => (Object.isFrozen(x) ? serviceId(x) : keyOf(x));

function findService(s: DesiredState, k: ServiceKey): number {
  const want = keyOf(k);
  return s.services.findIndex((x) => specKeyOf(x) === want);
}

export function addService(s: DesiredState, svc: ServiceSpec): Result<DesiredState> {
  if (findService(s, svc) >= 0) return fail('service', MESSAGES.serviceExists);
  return ok({ ...s, services: [...s.services, { ...svc, reals: [...(svc.reals ?? [])] }] });
}

/** -E: replace scheduling, persistence and checks; the reals stay. */
export function editService(s: DesiredState, svc: ServiceSpec): Result<DesiredState> {
  const i = findService(s, svc);
  if (i < 0) return fail('service', MESSAGES.noService);
  const services = [...s.services];
  services[i] = { ...svc, reals: services[i]!.reals };
  return ok({ ...s, services });
}

export function deleteService(s: DesiredState, k: ServiceKey): Result<DesiredState> {
  const i = findService(s, k);
  if (i < 0) return fail('service', MESSAGES.noService);
  return ok({ ...s, services: s.services.filter((_, j) => j !== i) });
}

/** A real's identity inside its service; port 0 means the service's port. */
const rid = (r: Pick<RealSpec, 'address' | 'port'>, svcPort: number) => realId({ address: canon(r.address), port: r.port || svcPort });

function withReals(
  s: DesiredState, k: ServiceKey, f: (reals: RealSpec[], svc: ServiceSpec) => Result<RealSpec[]>,
): Result<DesiredState> {
  const i = findService(s, k);
  if (i < 0) return fail('service', MESSAGES.serviceNotDefined);
  const svc = s.services[i]!;
  const reals = f(svc.reals, svc);
  if (!reals.ok) return reals;
  const services = [...s.services];
  services[i] = { ...svc, reals: reals.value };
  return ok({ ...s, services });
}

export function addReal(s: DesiredState, k: ServiceKey, real: RealSpec): Result<DesiredState> {
  return withReals(s, k, (reals, svc) => {
    const id = rid(real, svc.port);
    if (reals.some((r) => rid(r, svc.port) === id)) return fail('real', MESSAGES.destExists);
    return ok([...reals, real]);
  });
}

/** -e: replace the real's settings; a health check not given stays as it was. */
export function editReal(s: DesiredState, k: ServiceKey, real: RealSpec): Result<DesiredState> {
  return withReals(s, k, (reals, svc) => {
    const id = rid(real, svc.port);
    const j = reals.findIndex((r) => rid(r, svc.port) === id);
    if (j < 0) return fail('real', MESSAGES.noDest);
    const out = [...reals];
    const health = real.health ?? reals[j]!.health;
    out[j] = { ...real, ...(health ? { health } : {}) };
    return ok(out);
  });
}

export function deleteReal(s: DesiredState, k: ServiceKey, real: Pick<RealSpec, 'address' | 'port'>): Result<DesiredState> {
  return withReals(s, k, (reals, svc) => {
    const id = rid(real, svc.port);
    const j = reals.findIndex((r) => rid(r, svc.port) === id);
    if (j < 0) return fail('real', MESSAGES.noDest);
    return ok(reals.filter((_, x) => x !== j));
  });
}

/** -C: every service goes; timeouts and HA settings stay (as IPVS keeps its timeouts). */
export function clear(s: DesiredState): Result<DesiredState> {
  return ok({ ...s, services: [] });
}

/** --defense: the flood defence settings given change, the others stay. */
export function setDefense(s: DesiredState, d: Partial<Defense>): Result<DesiredState> {
  return ok({ ...s, defense: { ...(s.defense ?? DEFAULT_DEFENSE), ...d } });
}

/** --set tcp tcpfin udp: 0 leaves a value unchanged, as ipvsadm. */
export function setTimeouts(s: DesiredState, t: Partial<Timeouts>): Result<DesiredState> {
  return ok({
    ...s,
    timeouts: { tcp: t.tcp || s.timeouts.tcp, tcpFin: t.tcpFin || s.timeouts.tcpFin, udp: t.udp || s.timeouts.udp },
  });
}
