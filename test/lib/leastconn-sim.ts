// A steady load of long and short connections on a least-connection service, the
// same for the pure model (test/unit/sched) and the program (test/bpf): connections
// arrive each tick, are established at once, close after a long or a short life,
// and linger as inactive (FIN_WAIT) before they are gone. `place` chooses the real
// (the model's rule, or the program's choice); the spread of active connections per
// weight unit across the reals is sampled every few ticks after a warm-up.

/** Deterministic PRNG (xorshift32), so every run sees the same arrivals. */
export class Rand {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  exp(mean: number): number { return -Math.log(1 - this.next()) * mean; }
  poisson(mean: number): number {
    const l = Math.exp(-mean);
    let k = 0, p = 1;
    do { k++; p *= this.next(); } while (p > l);
    return k - 1;
  }
}

export interface SimOptions {
  weights: number[];
  ticks: number;
  /** Long connections already open at the start (placed one by one at tick 0), so the load is high without a long warm-up. */
  initial: number;
  /** Mean connections arriving per tick. */
  arrivals: number;
  /** Share of long connections and the mean lives (ticks) of long and short ones. */
  longShare: number; longLife: number; shortLife: number;
  /** Mean ticks a closed connection stays inactive before it is gone. */
  linger: number;
  warmup: number;
  sampleEvery: number;
  seed: number;
}

export interface Conn { id: number; real: number }

export interface SimHooks {
  /** A new connection (number `id`): the real it goes to. */
  place(id: number, active: Int32Array, inactive: Int32Array): number;
  /** Called when a connection closes (active -> inactive) and when it is gone. */
  closed?(c: Conn): void;
  gone?(c: Conn): void;
}

export interface SpreadSample { spread: number; above: number; below: number; mean: number }

/** Runs the scenario; returns the samples of active-per-weight spread. */
export function simulate(o: SimOptions, hooks: SimHooks): SpreadSample[] {
  const n = o.weights.length;
  const active = new Int32Array(n), inactive = new Int32Array(n);
  const rand = new Rand(o.seed);
  const at = new Map<number, (() => void)[]>();
  const later = (t: number, f: () => void) => { const l = at.get(t); if (l) l.push(f); else at.set(t, [f]); };
  const wsum = o.weights.reduce((a, b) => a + b, 0);
  const samples: SpreadSample[] = [];
  let id = 0;
  for (let t = 0; t < o.ticks; t++) {
    for (const f of at.get(t) ?? []) f();
    at.delete(t);
    for (let k = t === 0 ? o.initial : rand.poisson(o.arrivals); k > 0; k--) {
      const c: Conn = { id: id++, real: hooks.place(id - 1, active, inactive) };
      active[c.real]!++;
      const long = t === 0 || rand.next() < o.longShare;
      const life = Math.max(1, Math.round(long ? rand.exp(o.longLife) : rand.exp(o.shortLife)));
      const linger = Math.max(1, Math.round(rand.exp(o.linger)));
      later(t + life, () => { active[c.real]!--; inactive[c.real]!++; hooks.closed?.(c); });
      later(t + life + linger, () => { inactive[c.real]!--; hooks.gone?.(c); });
    }
    if (t >= o.warmup && t % o.sampleEvery === 0) {
      let max = -Infinity, min = Infinity, total = 0;
      for (let i = 0; i < n; i++) {
        const x = active[i]! / o.weights[i]!;
        if (x > max) max = x;
        if (x < min) min = x;
        total += active[i]!;
      }
      const mean = total / wsum;
      samples.push({ spread: max - min, above: max - mean, below: mean - min, mean });
    }
  }
  return samples;
}

/** The worst of the samples. */
export function worst(s: SpreadSample[]): SpreadSample {
  return {
    spread: Math.max(...s.map((x) => x.spread)), above: Math.max(...s.map((x) => x.above)),
    below: Math.max(...s.map((x) => x.below)), mean: s.reduce((a, x) => a + x.mean, 0) / s.length,
  };
}

/** 1,000 (or n) reals with weights 1-5 mixed, as the lc/wlc quality tests use. */
export function mixedWeights(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + (Math.imul(i + 1, 0x9e3779b1) >>> 0) % 5);
}

/** The client of connection `id` (IPv4 from two documentation /24s x ports): distinct 5-tuples. */
export function simClient(id: number): { src: string; sport: number } {
  const host = id % 500;
  return { src: `${host < 250 ? '192.0.2' : '198.51.100'}.${(host % 250) + 1}`, sport: 1024 + Math.floor(id / 500) };
}

/** The scenario both quality tests run (1,000 reals, mean ~5 active connections per weight unit). */
export const QUALITY_SCENARIO: Omit<SimOptions, 'weights'> = {
  initial: 12_000, ticks: 700, arrivals: 45, longShare: 0.2, longLife: 1000, shortLife: 5, linger: 8, warmup: 300, sampleEvery: 20, seed: 20240601,
};
