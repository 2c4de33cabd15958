// Rates of the last minutes per service and per real, for the console's charts: one
// sample per poll, all series on the same timestamps, a fixed number of points each
// (older ones fall off) and a bounded number of series. Pure.

export const RATE_KEYS = ['cps', 'inpps', 'outpps', 'inbps', 'outbps'] as const;
export type RateKey = (typeof RATE_KEYS)[number];
export type RateSample = Record<RateKey, number>;

/** One value per rate key. */
export const perKey = <T>(f: (k: RateKey) => T): Record<RateKey, T> =>
  Object.fromEntries(RATE_KEYS.map((k) => [k, f(k)])) as Record<RateKey, T>;

export interface HistoryOptions {
  /** Points kept per series (default 300: 10 minutes at one poll per 2 s). */
  points?: number;
  /** Series kept at most (services + reals); later ones are not recorded (default 5,000). */
  maxSeries?: number;
}

/** A series id: the service id ("tcp|203.0.113.10|80") or service id + "#" + real id ("198.51.100.1|80"). */
export const seriesId = (service: string, real?: string) => (real ? `${service}#${real}` : service);

export class RateHistory {
  readonly points: number;
  readonly maxSeries: number;
  /** Sample times (ms), oldest first. */
  private times: number[] = [];
  private readonly series = new Map<string, { missed: number; v: Record<RateKey, number[]> }>();

  constructor(o: HistoryOptions = {}) {
    this.points = o.points ?? 300;
    this.maxSeries = o.maxSeries ?? 5000;
  }

  /**
   * One poll's rates (series id -> rates). A series missing from a sample gets zeros for
   * it; one missing for a whole window is dropped (a deleted service or real).
   */
  add(at: number, samples: ReadonlyMap<string, RateSample>): void {
    this.times.push(at);
    const drop = this.times.length > this.points;
    if (drop) this.times.shift();
    for (const id of samples.keys()) {
      if (this.series.has(id) || this.series.size >= this.maxSeries) continue;
      // A new series starts with zeros for the times before it was seen.
      this.series.set(id, { missed: 0, v: perKey(() => new Array<number>(this.times.length - 1).fill(0)) });
    }
    for (const [id, rec] of this.series) {
      const s = samples.get(id);
      if (s) rec.missed = 0;
      else if (++rec.missed >= this.points) { this.series.delete(id); continue; }
      for (const k of RATE_KEYS) {
        rec.v[k].push(s ? s[k] : 0);
        if (drop) rec.v[k].shift();
      }
    }
  }

  get size(): number {
    return this.series.size;
  }

  /** Times and one rate of every series (the overview's sparklines). */
  one(key: RateKey): { t: number[]; series: Record<string, number[]> } {
    const series: Record<string, number[]> = {};
    for (const [id, rec] of this.series) series[id] = rec.v[key].slice();
    return { t: this.times.slice(), series };
  }

  /** Times and every rate of the series whose id is `prefix` or starts with `prefix#` (a service and its reals). */
  of(prefix: string): { t: number[]; series: Record<string, Record<RateKey, number[]>> } {
    const series: Record<string, Record<RateKey, number[]>> = {};
    for (const [id, rec] of this.series) {
      if (id !== prefix && !id.startsWith(`${prefix}#`)) continue;
      series[id] = perKey((k) => rec.v[k].slice());
    }
    return { t: this.times.slice(), series };
  }
}
