// HealthMonitor: the I/O edge that runs checks for every real of the desired state.
//
// Checks run concurrently on the event loop. First checks are spread at random over
// the interval so a restart does not fire every check at once, and at most
// `maxInFlight` checks (and load reads) run at a time; the rest wait in a queue.
// Everything that decides (state machine, weights, quorum) is pure and lives in
// state.ts, load.ts, weights.ts, quorum.ts, service-health.ts.
import { EventEmitter } from 'node:events';
import { realId, serviceId, type DesiredState, type HealthSpec, type ServiceSpec } from '../core/model.js';
import { runCheck } from './check.js';
import { readLoad, type LoadReading, type LoadSourceSpec } from './load-source.js';
import { DEFAULT_SMOOTHING, effectiveWeight, type SmoothedWeight, type Smoothing, type WeightBounds } from './load.js';
import { checkPolicy, serviceExtras, type CheckPolicy, type ServiceHealthExtras } from './policy.js';
import { DEFAULT_QUORUM, type QuorumPolicy } from './quorum.js';
import { evaluateService, type ServiceOutcome } from './service-health.js';
import { initialHealth, observe, type Health, type RealHealth } from './state.js';
import type { CheckResult, CheckTarget } from './types.js';
import type { ProgramPolicy } from './programs.js';
import { realWeight } from './weights.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A real changed state. */
export interface HealthEvent {
  service: string;
  real: string;
  from: Health;
  to: Health;
  reason: string;
  at: Date;
}

/** A service crossed its quorum (and the sorry server started or stopped serving). */
export interface ServiceEvent {
  service: string;
  from: Health;
  to: Health;
  reason: string;
  sorryActive: boolean;
  at: Date;
}

export interface RealView {
  service: string;
  real: string;
  address: string;
  port: number;
  /** undefined = the real has no health check and counts as up. */
  check?: HealthSpec['check']['type'];
  state: Health;
  reason: string;
  consecutiveOk: number;
  consecutiveFail: number;
  lastResult?: CheckResult;
  lastCheckAt?: Date;
  nextCheckAt?: Date;
  changedAt: Date;
  onFailure: 'quiesce' | 'remove';
  configuredWeight: number;
  /** null = taken out of the service (down with onFailure 'remove'). */
  effectiveWeight: number | null;
  load?: { source: LoadSourceSpec['type']; raw?: string; error?: string; weight?: number; readAt?: Date };
}

export interface ServiceView {
  service: string;
  up: boolean;
  quorum: number;
  hysteresis: number;
  sumUpWeights: number;
  sorryActive: boolean;
  sorryServer?: { address: string; port: number };
  reals: RealView[];
}

export type CheckFn = (target: CheckTarget, spec: HealthSpec['check'], timeoutMs: number, signal?: AbortSignal, programs?: ProgramPolicy) => Promise<CheckResult>;
export type LoadFn = (target: CheckTarget, source: LoadSourceSpec, timeoutMs: number, signal?: AbortSignal, programs?: ProgramPolicy) => Promise<LoadReading>;

export interface HealthMonitorOptions {
  clock?: Clock;
  /** Defaults to the real checkers (runCheck); tests inject their own. */
  check?: CheckFn;
  load?: LoadFn;
  /** Checks and load reads running at the same time, at most. */
  maxInFlight?: number;
  /** [0,1): spreads first checks over the interval. */
  random?: () => number;
  /** Which programs checks and load sources may run, as whom (programs.ts); the daemon sets it. */
  programs?: ProgramPolicy;
}

export const DEFAULT_MAX_IN_FLIGHT = 512;
const NO_WEIGHTS: ReadonlyMap<string, number> = new Map();
/** A checker that has not answered this long after its own timeout is given up on. */
const WATCHDOG_GRACE_MS = 1000;

type LoadConfig = NonNullable<ServiceHealthExtras['load']>;

interface LoadState {
  config: LoadConfig;
  key: string;
  timer?: unknown;
  running?: AbortController;
  weight?: SmoothedWeight;
  reading?: LoadReading;
  readAt?: number;
}

interface Entry {
  service: string;
  real: string;
  target: CheckTarget;
  configured: number;
  spec?: HealthSpec;
  specKey: string;
  policy?: CheckPolicy;
  health: RealHealth;
  timer?: unknown;
  running?: AbortController;
  load?: LoadState;
  removed: boolean;
}

interface ServiceState {
  spec: ServiceSpec;
  quorum: QuorumPolicy;
  outcome?: ServiceOutcome;
  entries: Map<string, Entry>;
}

type Job = { entry: Entry; kind: 'check' | 'load' };

export class HealthMonitor extends EventEmitter {
  private readonly clock: Clock;
  private readonly check: CheckFn;
  private readonly loadFn: LoadFn;
  private readonly maxInFlight: number;
  private readonly random: () => number;
  private readonly programs: ProgramPolicy | undefined;
  private services = new Map<string, ServiceState>();
  private queue: Job[] = [];
  private inFlight = 0;
  private stopped = false;

  constructor(opts: HealthMonitorOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.check = opts.check ?? runCheck;
    this.loadFn = opts.load ?? readLoad;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.random = opts.random ?? Math.random;
    this.programs = opts.programs;
  }

  /** Typed listeners: 'transition' (HealthEvent), 'service' (ServiceEvent), 'change' (effective weights of the service with this id changed). */
  override on(event: 'transition', fn: (e: HealthEvent) => void): this;
  override on(event: 'service', fn: (e: ServiceEvent) => void): this;
  override on(event: 'change', fn: (service: string) => void): this;
  override on(event: string | symbol, fn: (...args: any[]) => void): this {
    return super.on(event, fn);
  }

  /** Number of checks and load reads running now (for metrics and tests). */
  get running(): number {
    return this.inFlight;
  }

  /** Number of checks waiting for a free slot. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Make the monitored set match `state`: new reals start checking, removed ones
   * stop (a running check is aborted), changed checks take effect from the next check.
   */
  update(state: DesiredState): void {
    if (this.stopped) throw new Error('HealthMonitor.update: the monitor was stopped');
    const now = this.clock.now();
    const seen = new Set<string>();
    for (const svc of state.services) {
      const sid = serviceId(svc);
      seen.add(sid);
      let ss = this.services.get(sid);
      // The same validated (frozen) spec as last time: its entries already match it.
      if (ss && ss.spec === svc && Object.isFrozen(svc)) continue;
      const extras = serviceExtras(svc);
      const quorum = { quorum: extras.quorum ?? DEFAULT_QUORUM.quorum, hysteresis: extras.hysteresis ?? DEFAULT_QUORUM.hysteresis };
      if (!ss) {
        ss = { spec: svc, quorum, entries: new Map() };
        this.services.set(sid, ss);
      }
      ss.spec = svc;
      ss.quorum = quorum;
      const realsSeen = new Set<string>();
      for (const r of svc.reals) {
        const rid = realId(r);
        realsSeen.add(rid);
        const target = { address: r.address, port: r.port || svc.port };
        const spec = r.health ?? svc.health;
        const specKey = JSON.stringify(spec ?? null);
        let e = ss.entries.get(rid);
        if (!e) {
          e = this.newEntry(sid, rid, target, r.weight, spec, specKey, now);
          ss.entries.set(rid, e);
        } else {
          e.target = target;
          e.configured = r.weight;
          if (e.specKey !== specKey) this.respec(e, spec, specKey, now);
        }
        this.reconcileLoad(e, extras.load);
      }
      for (const [rid, e] of ss.entries) {
        if (!realsSeen.has(rid)) {
          this.retire(e);
          ss.entries.delete(rid);
        }
      }
      this.refresh(sid, false);
    }
    for (const [sid, ss] of this.services) {
      if (seen.has(sid)) continue;
      for (const e of ss.entries.values()) this.retire(e);
      this.services.delete(sid);
    }
  }

  /** Stop every timer and abort running checks. */
  stop(): void {
    this.stopped = true;
    for (const ss of this.services.values()) for (const e of ss.entries.values()) this.retire(e);
    this.services.clear();
    this.queue = [];
  }

  /**
   * serviceId -> realId -> weight for the data plane. A down real with onFailure
   * 'quiesce' has weight 0 (no new flows, established ones continue); a down real
   * with onFailure 'remove' is absent: the caller takes it out of the service. While
   * a service is below quorum and has a sorry server, the reals get 0 and the sorry
   * server (realId of sorryServer) is present with weight 1.
   */
  effectiveWeights(): Map<string, ReadonlyMap<string, number>> {
    const out = new Map<string, ReadonlyMap<string, number>>();
    // Shared, not copied: outcomes are replaced, never changed in place, and copying
    // 100,000 weights per change was a large part of a one-real edit.
    for (const [sid, ss] of this.services) out.set(sid, ss.outcome?.weights ?? NO_WEIGHTS);
    return out;
  }

  /** Per-service, per-real detail for listings (`--json`). */
  view(): ServiceView[] {
    const out: ServiceView[] = [];
    for (const [sid, ss] of this.services) {
      const reals: RealView[] = [];
      for (const e of ss.entries.values()) {
        const h = e.health;
        const onFailure = e.spec?.onFailure ?? 'quiesce';
        const v: RealView = {
          service: sid,
          real: e.real,
          address: e.target.address,
          port: e.target.port,
          state: h.state,
          reason: h.reason,
          consecutiveOk: h.consecutiveOk,
          consecutiveFail: h.consecutiveFail,
          changedAt: new Date(h.changedAt),
          onFailure,
          configuredWeight: e.configured,
          effectiveWeight: ss.outcome?.weights.has(e.real) ? ss.outcome.weights.get(e.real)! : null,
        };
        if (e.spec) {
          v.check = e.spec.check.type;
          v.nextCheckAt = new Date(h.nextCheckAt);
        }
        if (h.lastResult) v.lastResult = h.lastResult;
        if (h.lastCheckAt !== undefined) v.lastCheckAt = new Date(h.lastCheckAt);
        if (e.load) {
          const l: NonNullable<RealView['load']> = { source: e.load.config.type };
          if (e.load.reading?.ok) l.raw = e.load.reading.raw;
          else if (e.load.reading) l.error = e.load.reading.reason;
          if (e.load.weight) l.weight = e.load.weight.published;
          if (e.load.readAt !== undefined) l.readAt = new Date(e.load.readAt);
          v.load = l;
        }
        reals.push(v);
      }
      const sv: ServiceView = {
        service: sid,
        up: ss.outcome?.up ?? true,
        quorum: ss.quorum.quorum,
        hysteresis: ss.quorum.hysteresis,
        sumUpWeights: ss.outcome?.sumUp ?? 0,
        sorryActive: ss.outcome?.sorryActive ?? false,
        reals,
      };
      if (ss.spec.sorryServer) sv.sorryServer = { address: ss.spec.sorryServer.address, port: ss.spec.sorryServer.port };
      out.push(sv);
    }
    return out;
  }

  // --- entries -------------------------------------------------------------

  private newEntry(sid: string, rid: string, target: CheckTarget, weight: number, spec: HealthSpec | undefined, specKey: string, now: number): Entry {
    const e: Entry = { service: sid, real: rid, target, configured: weight, specKey, health: uncheckedHealth(now), removed: false };
    if (spec) {
      e.spec = spec;
      e.policy = checkPolicy(spec);
      e.health = initialHealth(e.policy, now, this.jitter(e.policy.intervalMs));
      this.schedule(e, 'check', e.health.nextCheckAt - now);
    }
    return e;
  }

  /** The check changed: keep the state (no flap on a config edit), restart counting. */
  private respec(e: Entry, spec: HealthSpec | undefined, specKey: string, now: number): void {
    this.cancel(e, 'check');
    e.specKey = specKey;
    if (!spec) {
      delete e.spec;
      delete e.policy;
      const was = e.health.state;
      e.health = uncheckedHealth(now);
      if (was === 'down') this.emitTransition(e, was, 'up', 'health check removed', now);
      return;
    }
    e.spec = spec;
    e.policy = checkPolicy(spec);
    const delay = this.jitter(e.policy.intervalMs);
    e.health = { ...e.health, consecutiveOk: 0, consecutiveFail: 0, nextCheckAt: now + delay };
    this.schedule(e, 'check', delay);
  }

  private reconcileLoad(e: Entry, config: LoadConfig | undefined): void {
    const key = JSON.stringify(config ?? null);
    if (e.load?.key === key) return;
    if (e.load) this.cancel(e, 'load');
    if (!config) {
      delete e.load;
      return;
    }
    e.load = { config, key };
    const intervalMs = (config.interval ?? e.spec?.interval ?? 5) * 1000;
    this.schedule(e, 'load', this.jitter(intervalMs));
  }

  private retire(e: Entry): void {
    e.removed = true;
    this.cancel(e, 'check');
    if (e.load) this.cancel(e, 'load');
  }

  private cancel(e: Entry, kind: Job['kind']): void {
    const slot = kind === 'check' ? e : e.load;
    if (!slot) return;
    if (slot.timer !== undefined) this.clock.clearTimeout(slot.timer);
    delete slot.timer;
    slot.running?.abort();
    delete slot.running;
    this.queue = this.queue.filter((j) => !(j.entry === e && j.kind === kind));
  }

  private jitter(intervalMs: number): number {
    return Math.floor(this.random() * intervalMs);
  }

  // --- scheduling ----------------------------------------------------------

  private schedule(e: Entry, kind: Job['kind'], delayMs: number): void {
    const slot = kind === 'check' ? e : e.load!;
    slot.timer = this.clock.setTimeout(() => {
      delete slot.timer;
      this.enqueue({ entry: e, kind });
    }, Math.max(0, delayMs));
  }

  private enqueue(job: Job): void {
    if (job.entry.removed || this.stopped) return;
    if (this.inFlight < this.maxInFlight) this.start(job);
    else this.queue.push(job);
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) this.start(this.queue.shift()!);
  }

  private start(job: Job): void {
    const e = job.entry;
    const ac = new AbortController();
    this.inFlight++;
    if (job.kind === 'check') {
      const spec = e.spec!;
      const policy = e.policy!;
      e.running = ac;
      this.guarded(this.check(e.target, spec.check, policy.timeoutMs, ac.signal, this.programs), policy.timeoutMs, ac, (err) => ({
        ok: false,
        reason: err,
        latencyMs: policy.timeoutMs,
      })).then((result) => {
        this.inFlight--;
        // cancel() clears e.running: a result that arrives after that is stale.
        const current = e.running === ac;
        if (current) delete e.running;
        if (current && !e.removed && e.spec === spec) this.onResult(e, result);
        this.pump();
      });
    } else {
      const load = e.load!;
      const timeoutMs = (load.config.timeout ?? e.spec?.timeout ?? 3) * 1000;
      load.running = ac;
      this.guarded(this.loadFn(e.target, load.config, timeoutMs, ac.signal, this.programs), timeoutMs, ac, (err) => ({ ok: false, reason: err }) as LoadReading).then(
        (reading) => {
          this.inFlight--;
          const current = load.running === ac;
          if (current) delete load.running;
          if (current && !e.removed && e.load === load) this.onLoad(e, load, reading);
          this.pump();
        },
      );
    }
  }

  /** A checker that throws or never settles must not wedge its real or a slot. */
  private guarded<T>(p: Promise<T>, timeoutMs: number, ac: AbortController, failed: (reason: string) => T): Promise<T> {
    return new Promise<T>((resolve) => {
      let done = false;
      const finish = (v: T) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(watchdog);
        resolve(v);
      };
      const watchdog = this.clock.setTimeout(() => {
        ac.abort();
        finish(failed('timeout (checker did not finish)'));
      }, timeoutMs + WATCHDOG_GRACE_MS);
      p.then(finish, (err: unknown) => finish(failed(`checker failed: ${(err as Error)?.message ?? String(err)}`)));
    });
  }

  private onResult(e: Entry, result: CheckResult): void {
    const now = this.clock.now();
    const before = this.weightOf(e);
    const { health, transition } = observe(e.health, result, e.policy!, now);
    e.health = health;
    if (transition) this.emitTransition(e, transition.from, transition.to, transition.reason, now);
    this.schedule(e, 'check', health.nextCheckAt - now);
    // Most results change nothing the service's outcome depends on: re-evaluating all of
    // its reals (100s) for each of them was most of the per-check CPU.
    if (transition || this.weightOf(e) !== before) this.refresh(e.service, true);
  }

  private onLoad(e: Entry, load: LoadState, reading: LoadReading): void {
    const now = this.clock.now();
    load.reading = reading;
    load.readAt = now;
    // A failed read keeps the last weight: the health check, not the agent, decides up/down.
    if (reading.ok) {
      const bounds: WeightBounds = { min: load.config.bounds?.min ?? Math.min(1, e.configured), max: load.config.bounds?.max ?? e.configured };
      const smoothing: Smoothing = { ...DEFAULT_SMOOTHING, ...load.config.smoothing };
      load.weight = effectiveWeight(e.configured, reading.sample, bounds, load.weight, smoothing);
    }
    const intervalMs = (load.config.interval ?? e.spec?.interval ?? 5) * 1000;
    this.schedule(e, 'load', intervalMs);
    this.refresh(e.service, true);
  }

  /** What this real adds to its service's outcome: its state and weight. */
  private weightOf(e: Entry): string {
    const w = realWeight(e.configured, e.health.state, e.spec?.onFailure ?? 'quiesce', e.health.lastResult, e.load?.weight);
    return `${e.health.state}:${w}`;
  }

  private emitTransition(e: Entry, from: Health, to: Health, reason: string, now: number): void {
    const ev: HealthEvent = { service: e.service, real: e.real, from, to, reason, at: new Date(now) };
    this.emit('transition', ev);
  }

  /** Re-evaluate a service; announce quorum changes and weight changes. */
  private refresh(sid: string, announce: boolean): void {
    const ss = this.services.get(sid);
    if (!ss) return;
    const reals = [...ss.entries.values()].map((e) => ({
      id: e.real,
      configured: e.configured,
      state: e.health.state,
      onFailure: e.spec?.onFailure ?? ('quiesce' as const),
      ...(e.health.lastResult ? { lastResult: e.health.lastResult } : {}),
      ...(e.load?.weight ? { load: e.load.weight } : {}),
    }));
    const before = ss.outcome;
    const sorry = ss.spec.sorryServer;
    const outcome = evaluateService(reals, ss.quorum, before?.up, sorry ? { address: sorry.address, port: sorry.port } : undefined);
    ss.outcome = outcome;
    const now = this.clock.now();
    if (before && before.up !== outcome.up) {
      const ev: ServiceEvent = {
        service: sid,
        from: before.up ? 'up' : 'down',
        to: outcome.up ? 'up' : 'down',
        reason: outcome.up
          ? `up reals weigh ${outcome.sumUp} >= quorum ${ss.quorum.quorum} + hysteresis ${ss.quorum.hysteresis}`
          : `up reals weigh ${outcome.sumUp} < quorum ${ss.quorum.quorum} - hysteresis ${ss.quorum.hysteresis}`,
        sorryActive: outcome.sorryActive,
        at: new Date(now),
      };
      this.emit('service', ev);
    }
    if (announce && (!before || !sameWeights(before.weights, outcome.weights))) this.emit('change', sid);
  }
}

function uncheckedHealth(now: number): RealHealth {
  return { state: 'up', reason: 'no health check', consecutiveOk: 0, consecutiveFail: 0, changedAt: now, nextCheckAt: now };
}

function sameWeights(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
