// The table as the listings show it: desired state joined with what the daemon
// reports (counters, rates, health), in ipvsadm's order. Text and JSON render this.
import { parseIp, type Family } from '../../core/addr.js';
import { realId, serviceId, type Method, type Protocol, type RealSpec, type ServiceSpec, type DesiredState } from '../../core/model.js';
import type { Counters, ServiceCounters } from '../../dataplane/port.js';
import { compareReals, compareServices, glibcSort } from './sort.js';

/** As ipvsadm --rate shows them (the names of daemon/controller.ts's Rates). */
export interface Rates { cps: number; inpps: number; outpps: number; inbps: number; outbps: number }

export interface ServiceRates extends Rates {
  /** serviceId(): "tcp|vip|port". */
  service: string;
  reals: (Rates & { real: string })[];
}

export type Health = 'up' | 'down' | 'unknown';

/** Per-real facts that are not counters. */
export interface RealLive {
  service: string;
  /** realId(): "address|port". */
  real: string;
  health?: Health;
  /** Persistence-table entries pointing at this real (ipvsadm --persistent-conn). */
  persistConns?: number;
  /** The weight the data plane uses: 0 while down, scaled by load reports (dynamic weights). */
  effectiveWeight?: number;
  /** Why the real is in its health state, and since when (ISO time). */
  healthReason?: string;
  healthSince?: string;
}

/** Everything the daemon reports that the listings show. All optional: absent = zero / unknown. */
export interface ListData {
  counters?: ServiceCounters[];
  rates?: ServiceRates[];
  reals?: RealLive[];
}

export interface ServiceKeyLike { vip: string; port: number; protocol: Protocol; fwmark?: number }

/** Host and port names for listings without -n; ipvx resolves nothing itself. */
export interface NameLookup {
  host?(address: string): string | undefined;
  port?(port: number, protocol: Protocol): string | undefined;
}

export interface RealRow {
  spec: RealSpec;
  address: string;
  family: Family;
  /** The real's configured port (0 stays 0, as ipvsadm lists it). */
  port: number;
  method: Method;
  configuredWeight: number;
  /** What the data plane uses: 0 while health says down, scaled by dynamic weights. */
  weight: number;
  health: Health;
  healthReason?: string;
  healthSince?: string;
  activeConns: number;
  inactiveConns: number;
  persistConns: number;
  stats: Counters;
  rates: Rates;
}

export interface ServiceRow {
  spec: ServiceSpec;
  id: string;
  address: string;
  family: Family;
  stats: Counters;
  rates: Rates;
  reals: RealRow[];
}

const ZERO_COUNTERS: Counters = { conns: 0n, pktsIn: 0n, pktsOut: 0n, bytesIn: 0n, bytesOut: 0n };
const ZERO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

function canon(a: string): { text: string; family: Family } {
  const r = parseIp(a);
  return r.ok ? { text: r.value.text, family: r.value.family } : { text: a, family: a.includes(':') ? 6 : 4 };
}

const pickCounters = (c: Counters | undefined): Counters =>
  c ? { conns: c.conns, pktsIn: c.pktsIn, pktsOut: c.pktsOut, bytesIn: c.bytesIn, bytesOut: c.bytesOut } : { ...ZERO_COUNTERS };
const pickRates = (r: Rates | undefined): Rates =>
  r ? { cps: r.cps, inpps: r.inpps, outpps: r.outpps, inbps: r.inbps, outbps: r.outbps } : { ...ZERO_RATES };

/** Canonical service id, whatever address spelling either side used. */
export function canonicalServiceId(s: ServiceKeyLike): string {
  return serviceId({ ...s, vip: canon(s.vip).text });
}

/** Keys in counters/rates/live data may use any address spelling; compare canonically. */
function canonicalId(id: string): string {
  const parts = id.split('|');
  if (parts.length === 3) return [parts[0], canon(parts[1]!).text, parts[2]].join('|');
  if (parts.length === 2) return [canon(parts[0]!).text, parts[1]].join('|');
  return id;
}

/**
 * The rows to show. Sorted as ipvsadm sorts unless `sort` is false; then services
 * come in configuration order (ipvsadm would show the kernel's hash order) and reals
 * newest first, as IPVS lists destinations (list_add_rcu at the head).
 */
export function buildRows(state: DesiredState, data: ListData, opts: { sort?: boolean; service?: ServiceKeyLike } = {}): ServiceRow[] {
  const counters = new Map((data.counters ?? []).map((c) => [canonicalId(c.service), c]));
  const rates = new Map((data.rates ?? []).map((r) => [canonicalId(r.service), r]));
  const live = new Map((data.reals ?? []).map((l) => [`${canonicalId(l.service)}#${canonicalId(l.real)}`, l]));
  const only = opts.service && canonicalServiceId(opts.service);
  let services = state.services.filter((s) => !only || canonicalServiceId(s) === only);
  if (opts.sort !== false) services = glibcSort(services, compareServices);
  return services.map((spec) => {
    const id = canonicalServiceId(spec);
    const a = canon(spec.vip);
    const sc = counters.get(id);
    const sr = rates.get(id);
    const realCounters = new Map((sc?.reals ?? []).map((r) => [canonicalId(r.real), r]));
    const realRates = new Map((sr?.reals ?? []).map((r) => [canonicalId(r.real), r]));
    let reals = spec.reals.map((r): RealRow => {
      const ra = canon(r.address);
      // Counters are keyed by the port forwarded to; the listing shows the configured one
      // (ipvsadm prints a real added as ADDR:0 with :0).
      const rid = realId({ address: ra.text, port: r.port || spec.port });
      const port = r.port;
      const rc = realCounters.get(rid);
      const l = live.get(`${id}#${rid}`);
      const health = l?.health ?? 'unknown';
      return {
        spec: r, address: ra.text, family: ra.family, port, method: r.method,
        configuredWeight: r.weight, weight: l?.effectiveWeight ?? (health === 'down' ? 0 : r.weight), health,
        ...(l?.healthReason ? { healthReason: l.healthReason, healthSince: l.healthSince ?? '' } : {}),
        activeConns: rc?.activeConns ?? 0, inactiveConns: rc?.inactiveConns ?? 0, persistConns: l?.persistConns ?? 0,
        stats: pickCounters(rc), rates: pickRates(realRates.get(rid)),
      };
    });
    reals = opts.sort !== false ? glibcSort(reals, compareReals) : reals.reverse();
    return { spec, id, address: a.text, family: a.family, stats: pickCounters(sc), rates: pickRates(sr), reals };
  });
}

/** addrport_to_anyname: "1.2.3.4:80", "[2001:db8::1]:80", or names when not numeric and known. */
export function addrPort(address: string, family: Family, port: number, protocol: Protocol, numeric: boolean, names?: NameLookup): string {
  const host = (!numeric && names?.host?.(address)) || address;
  const p = (!numeric && names?.port?.(port, protocol)) || String(port);
  return family === 6 ? `[${host}]:${p}` : `${host}:${p}`;
}

/** print_sched_flags: only the flags of the service's scheduler, fallback before port. */
export function schedFlagsText(s: ServiceSpec): string {
  if (s.scheduler !== 'sh' && s.scheduler !== 'mh') return '';
  return [`${s.scheduler}-fallback`, `${s.scheduler}-port`].filter((f) => (s.flags as string[]).includes(f)).join(',');
}

/** The -M value ipvsadm prints, or "" for the host mask. */
export function persistenceMaskText(s: ServiceSpec, family: Family): string {
  const m = s.persistenceMask.trim().replace(/^\//, '');
  if (m === '') return '';
  if (family === 6) return m === '128' ? '' : m;
  if (/^[0-9]+$/.test(m)) {
    const bits = Number(m);
    if (bits >= 32) return '';
    const v = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return [24, 16, 8, 0].map((sh) => (v >>> sh) & 255).join('.');
  }
  return m === '255.255.255.255' ? '' : m;
}
