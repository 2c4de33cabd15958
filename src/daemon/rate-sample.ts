// The rate sampler's counter samples, kept compact: five numbers per service and per
// real in one flat BigUint64Array, keyed by the id strings the data plane already
// holds. As objects (one per real, five BigInts each, two samples kept) they were
// ~30 MB at 10,000 services x 10 reals, and the next read replaced them all every 2 s.
import { FLAT_FIELDS, type Counters, type DataplaneCounters, type FlatCounters } from '../dataplane/port.js';

/** Counters as the data plane's flatCounters() gives them, and when they were read. */
export interface CounterSample extends FlatCounters {
  at: number;
}

const FIELDS = FLAT_FIELDS.length;

/** A sample from counters() (data planes without flatCounters). */
export function compactSample(c: DataplaneCounters, at: number): CounterSample {
  let n = 0;
  for (const s of c.services) n += 1 + s.reals.length;
  const values = new BigUint64Array(n * FIELDS);
  const put = (i: number, x: Counters) => {
    FLAT_FIELDS.forEach((f, k) => { values[i * FIELDS + k] = x[f]; });
  };
  const services: string[] = [], reals: string[][] = [];
  let i = 0;
  for (const s of c.services) {
    services.push(s.service);
    put(i++, s);
    reals.push(s.reals.map((r) => { put(i++, r); return r.real; }));
  }
  return { at, services, reals, values };
}

/** Where each service's and real's counters are in a sample ("service" and "service\nreal"); built per stats call. */
export function sampleIndex(s: CounterSample | undefined): Map<string, number> {
  const m = new Map<string, number>();
  if (!s) return m;
  let i = 0;
  s.services.forEach((svc, k) => {
    m.set(svc, i++);
    for (const r of s.reals[k]!) m.set(`${svc}\n${r}`, i++);
  });
  return m;
}

export interface Rates { cps: number; inpps: number; outpps: number; inbps: number; outbps: number }

const NONE: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

/** Per-second rates of one service (or one of its reals) between two samples. */
export function rateBetween(prev: CounterSample | undefined, last: CounterSample | undefined, before: Map<string, number>, after: Map<string, number>, service: string, real?: string): Rates {
  const key = real ? `${service}\n${real}` : service;
  const a = before.get(key), b = after.get(key);
  if (!prev || !last || a === undefined || b === undefined) return { ...NONE };
  const dt = (last.at - prev.at) / 1000;
  const r = (f: number) => Math.max(0, Math.round(Number(last.values[b * FIELDS + f]! - prev.values[a * FIELDS + f]!) / dt));
  return { cps: r(0), inpps: r(1), outpps: r(2), inbps: r(3), outbps: r(4) };
}
