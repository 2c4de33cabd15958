// The daemon's state machine, independent of gRPC: every change is an edit of the
// desired state, validated as a whole, applied to the data plane, saved, and
// published, one at a time. A change that fails anywhere leaves the previous state
// in force (and re-applied to the data plane).
import { EventEmitter } from 'node:events';
import { DesiredState, emptyState, serviceId, Defense, DEFAULT_DEFENSE } from '../core/model.js';
import { validateState, validateEdit, Limits } from '../core/validate.js';
import { serviceDelta, DELTA_MAX_SERVICES } from '../core/delta.js';
import { editErrorKind } from '../core/edit.js';
import { diffStatesLimited, diffDeltaLimited, Change, ChangeSummary, CHANGE_LIST_LIMIT } from '../core/diff.js';
import { formatErrors, clipText, FieldError, Result } from '../core/result.js';
import type { Dataplane, ApplyHint, DataplaneCounters } from '../dataplane/port.js';
import { HealthMonitor, HealthMonitorOptions } from '../health/monitor.js';
import { applyHealth } from '../health/adjust.js';
import { compactSample, sampleIndex, rateBetween, CounterSample, Rates } from './rate-sample.js';
import type { Logger } from '../common/log.js';

/** A refused request: `code` becomes the gRPC status, the message names the field. */
export class ApiError extends Error {
  constructor(readonly code: 'invalid' | 'exists' | 'not-found' | 'conflict' | 'internal', message: string, readonly field = '') {
    // Bounded: the message goes back as the gRPC status (see formatErrors).
    super(field ? `${clipText(field)}: ${clipText(message)}` : message);
  }
}

/** An edit's or a validation's errors as one ApiError (the first error decides the code). */
export function apiError(errors: FieldError[]): ApiError {
  const kind = editErrorKind(errors[0] ?? { field: '', message: '' });
  return kind === 'invalid' ? new ApiError('invalid', formatErrors(errors)) : new ApiError(kind, errors[0]!.message, errors[0]!.field);
}

export type { Rates } from './rate-sample.js';

export interface IpvxEvent {
  /**
   * config: a change was applied; real: a real went up/down; service: quorum crossed (sorry
   * server); role: HA role; missed: this watcher fell behind and did not get changesOmitted events (api/watch.ts).
   */
  kind: 'config' | 'real' | 'service' | 'role' | 'missed';
  at: string;
  service?: string;
  real?: string;
  from?: string;
  to?: string;
  reason?: string;
  changes?: Change[];
  /** Service and real changes left out of `changes` (a huge config event lists the first CHANGE_LIST_LIMIT); missed: events not sent. */
  changesOmitted?: number;
  /** config: the configuration's serial after the change. */
  serial?: number;
  /** config: who made the change (api/server.ts originOf). */
  origin?: string;
}

export interface ControllerOptions {
  dataplane: Dataplane;
  initial?: DesiredState;
  /** The initial state's serial (saved with it); 1 for a new configuration. */
  initialSerial?: number;
  /** Save a state with its serial (before the change is acknowledged). */
  save?: (s: DesiredState, serial: number) => void;
  /** The data plane's sizes (dataplane/limits.ts); without, the size rules are not checked. */
  limits?: Limits;
  /** Health checks on (default true). */
  health?: boolean;
  /** Options of the health monitor (tests inject checkers and clocks). */
  healthOptions?: HealthMonitorOptions;
  /** Changes, health and role transitions at info; per-real detail beyond a burst's first lines at debug. */
  log?: Logger;
  /**
   * Called twice during a whole-state change of at least LARGE_CHANGE service/real
   * changes: 'before-writes' once validated and diffed (the request's decoded copies are
   * garbage by then), and 'after' it was applied and saved, before the reply (the replaced
   * state is garbage then). The daemon installs its memory housekeeping here
   * (daemon/memory-release.ts).
   */
  onLargeChange?: (phase: LargeChangePhase) => void;
  /**
   * Checks of a validated state against the host (files the state names), run before a
   * change is applied; errors refuse the change as validation errors do. `prev` is the
   * state in force, so unchanged sections can be skipped.
   */
  checkHost?: (next: DesiredState, prev: DesiredState) => FieldError[];
}

export type LargeChangePhase = 'before-writes' | 'after';

export interface CommitOptions {
  /** Compute and return the changes only. */
  dryRun?: boolean;
  /** Name validation errors as the request does ("real.weight" rather than "services[3].reals[0].weight"). */
  rename?: (field: string, next: DesiredState) => string;
  /**
   * Compare-and-swap: apply only if the configuration's serial is still this one (the
   * serial the caller read the state with); otherwise a 'conflict' ApiError and no change.
   */
  expectedSerial?: number;
  /** Who asks (api/server.ts originOf): logged and sent with the config event. */
  origin?: string;
}

/** A commit's changes and the configuration's serial after it. */
export type CommitResult = ChangeSummary & { serial: number };


/** Service/real changes of one whole-state commit from which onLargeChange is called. */
export const LARGE_CHANGE = 1000;

/** Real transitions logged one line each per burst (at info); beyond this, at debug plus one summary. */
export const PER_REAL_LOG_LIMIT = 100;

export class Controller extends EventEmitter {
  private state: DesiredState;
  /** Raised by every applied change; read-modify-write callers compare it (expectedSerial). */
  private configSerial: number;
  private queue: Promise<unknown> = Promise.resolve();
  readonly health: HealthMonitor | undefined;
  private prev?: CounterSample;
  private last?: CounterSample;
  private rateTimer?: NodeJS.Timeout;
  private healthApplyQueued = false;
  /** Services whose effective weights changed since the last health apply started. */
  private healthTouched = new Set<string>();
  /** A health apply failed: the data plane's bookkeeping is unsure, the next one writes everything. */
  private healthWhole = false;
  /** Real transitions since the last health apply, for its one summary log line. */
  private burst = { down: 0, up: 0 };

  constructor(private readonly o: ControllerOptions) {
    super();
    this.state = o.initial ?? emptyState();
    this.configSerial = o.initialSerial ?? 1;
    if (o.health !== false) {
      this.health = new HealthMonitor(o.healthOptions);
      this.health.on('transition', (e: { service: string; real: string; from: string; to: string; reason: string; at: Date }) => {
        // The first few per burst at info, the rest at debug: 10,000 reals failing together
        // log a bounded number of lines and one summary (healthApply), not 10,000 lines.
        const n = this.burst.down + this.burst.up;
        if (n < PER_REAL_LOG_LIMIT) this.o.log?.info('real health changed', { ...e });
        else this.o.log?.debug('real health changed', { ...e });
        if (e.to === 'down') this.burst.down++;
        else this.burst.up++;
        this.emit('event', { kind: 'real', at: e.at.toISOString(), service: e.service, real: e.real, from: e.from, to: e.to, reason: e.reason } satisfies IpvxEvent);
      });
      this.health.on('service', (e: { service: string; from: string; to: string; reason: string; sorryActive: boolean; at: Date }) => {
        this.o.log?.info('service health changed', { ...e });
        const reason = e.sorryActive ? `${e.reason}; sorry server serving` : e.reason;
        this.emit('event', { kind: 'service', at: e.at.toISOString(), service: e.service, from: e.from, to: e.to, reason } satisfies IpvxEvent);
      });
      // Coalesced: the changes of one event-loop turn, and those that arrive before the
      // queued apply starts, ride on one apply, which names the touched services (ApplyHint)
      // so the data plane rewrites only those.
      this.health.on('change', (service: string) => {
        this.healthTouched.add(service);
        if (this.healthApplyQueued) return;
        this.healthApplyQueued = true;
        setImmediate(() => {
          this.oneAtATime(() => this.healthApply()).catch((e: Error) => {
            this.healthWhole = true;
            this.o.log?.error('apply after health change failed', { error: e.message });
          });
        });
      });
    }
  }

  private healthApply(): Promise<void> {
    this.healthApplyQueued = false;
    const touched = this.healthTouched;
    this.healthTouched = new Set();
    const burst = this.burst;
    this.burst = { down: 0, up: 0 };
    const n = burst.down + burst.up;
    if (n > PER_REAL_LOG_LIMIT) this.o.log?.info('reals changed health', { down: burst.down, up: burst.up, services: touched.size, notLogged: n - PER_REAL_LOG_LIMIT });
    const state = this.state;
    const hint = this.healthWhole ? undefined : healthHint(state, touched);
    this.healthWhole = false;
    return this.o.dataplane.apply(this.effective(state), hint);
  }

  /** Push the current state to the data plane and start health checks and rate sampling. */
  async start(): Promise<void> {
    this.health?.update(this.state);
    await this.o.dataplane.apply(this.effective(this.state));
    await this.o.dataplane.setTimeouts(this.state.timeouts);
    this.rateTimer = setInterval(() => { void this.sample(); }, 2000);
    this.rateTimer.unref();
  }

  stop(): void {
    this.health?.stop();
    if (this.rateTimer) clearInterval(this.rateTimer);
  }

  get current(): DesiredState {
    return this.state;
  }

  /** The data plane's sizes the state is validated against (undefined: not checked). */
  get limits(): Limits | undefined {
    return this.o.limits;
  }

  /** The configuration's serial: 1 for a new one, raised by every applied change. */
  get serial(): number {
    return this.configSerial;
  }

  /** The desired state with health applied, as the data plane forwards by it (BGP announces from it). */
  get effectiveState(): DesiredState {
    return this.effective(this.state);
  }

  /** The flood defence's settings, and the CPUs flooded now (IPVS shows mode 2 while on). */
  async defense(): Promise<{ settings: Defense; floodedCpus: number }> {
    return { settings: this.state.defense ?? DEFAULT_DEFENSE, floodedCpus: (await this.o.dataplane.floodedCpus?.()) ?? 0 };
  }

  /** What the data plane gets: the desired state with health applied. */
  private effective(s: DesiredState): DesiredState {
    return this.health ? applyHealth(s, this.health.effectiveWeights()) : s;
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Edit the current state, validate the result as a whole, then apply, save and
   * publish it; or change nothing and throw an ApiError. One change at a time.
   */
  async commit(edit: (s: DesiredState) => Result<DesiredState>, opts: CommitOptions = {}): Promise<Change[]> {
    return (await this.commitSummary(edit, opts)).changes;
  }

  /**
   * commit(), with the changes as a reply and the config event list them: every change
   * of a dry run, otherwise the first CHANGE_LIST_LIMIT service and real changes, the
   * rest counted and never built (an ApplyConfig or a Clear of 10,000 x 10 is 110,000
   * changes).
   */
  async commitSummary(edit: (s: DesiredState) => Result<DesiredState>, opts: CommitOptions = {}): Promise<CommitResult> {
    const limit = opts.dryRun ? Infinity : CHANGE_LIST_LIMIT;
    const done = await this.oneAtATime(async () => {
      if (opts.expectedSerial && opts.expectedSerial !== this.configSerial) {
        throw new ApiError('conflict', `the configuration changed since it was read (serial ${opts.expectedSerial}, now ${this.configSerial}); nothing was changed: read it again and redo the change`, 'expected_serial');
      }
      let r: Result<DesiredState> | undefined = edit(this.state);
      if (!r.ok) throw apiError(r.errors);
      const limits = this.o.limits;
      // An edit of a few services (the usual RPC) is validated, diffed, applied and saved
      // for those services only; anything else (a reload) as a whole state.
      const delta = serviceDelta(this.state, r.value);
      const checked = delta ? validateEdit(this.state, r.value, delta, limits) : { result: validateState(r.value, limits) };
      const v = checked.result;
      const rename = opts.rename, edited = r.value;
      const refuse = (errors: FieldError[]) => apiError(rename ? errors.map((e) => ({ ...e, field: rename(e.field, edited) })) : errors);
      if (!v.ok) throw refuse(v.errors);
      const host = this.o.checkHost?.(v.value, this.state) ?? [];
      if (host.length) throw refuse(host);
      r = undefined; // the unvalidated copy (a whole request's worth on ApplyConfig) can go now
      const listed = checked.delta ? diffDeltaLimited(this.state, v.value, checked.delta, limit) : diffStatesLimited(this.state, v.value, limit);
      const total = listed.changes.length + listed.changesOmitted;
      if (opts.dryRun || total === 0) return { listed, large: false, serial: this.configSerial };
      const before = this.state;
      // A targeted edit (delta) leaves little behind; a reload replaces the whole state.
      const large = !checked.delta && total >= LARGE_CHANGE;
      if (large) this.o.onLargeChange?.('before-writes');
      const hint: ApplyHint | undefined = checked.delta && { services: checked.delta.services.map((e) => ({ id: e.id, index: e.afterIndex })) };
      // The monitor must know the new reals before the effective state is computed,
      // or a real added under health checking would be left out of the data plane.
      this.health?.update(v.value);
      try {
        await this.o.dataplane.apply(this.effective(v.value), hint);
        if (diffTimeouts(before, v.value)) await this.o.dataplane.setTimeouts(v.value.timeouts);
        this.o.save?.(v.value, this.configSerial + 1);
      } catch (e) {
        // Put the data plane (and the monitor) back to what is still the state: a whole
        // apply, as a failed write leaves the data plane's bookkeeping unsure.
        this.o.log?.warn('change not applied; restoring the previous state', { error: (e as Error).message });
        this.health?.update(before);
        await this.o.dataplane.apply(this.effective(before)).catch((e2: Error) => this.o.log?.error('restoring the previous state failed', { error: e2.message }));
        await this.o.dataplane.setTimeouts(before.timeouts).catch(() => undefined);
        throw new ApiError('internal', `the change was not applied (the previous state stays): ${(e as Error).message}`);
      }
      this.state = v.value;
      const serial = ++this.configSerial;
      const origin = opts.origin ? { origin: opts.origin } : {};
      this.o.log?.info('configuration changed', { changes: total, serial, ...origin, summary: listed.changes.slice(0, 10).map((c) => `${c.op} ${c.kind} ${c.detail}`) });
      this.emit('event', { kind: 'config', at: new Date().toISOString(), changes: listed.changes, changesOmitted: listed.changesOmitted, serial, ...origin } satisfies IpvxEvent);
      return { listed, large, serial };
    });
    // Here, not inside: until that function has returned, its locals (the replaced state) are live.
    if (done.large) this.o.onLargeChange?.('after');
    return { ...done.listed, serial: done.serial };
  }

  private async sample(): Promise<void> {
    try {
      const dp = this.o.dataplane;
      // Straight into the flat form where the data plane can (no object per real every 2 s).
      const sample = dp.flatCounters ? { ...(await dp.flatCounters()), at: Date.now() } : compactSample(await dp.counters(), Date.now());
      this.prev = this.last;
      this.last = sample;
    } catch (e) {
      this.o.log?.warn('reading counters failed', { error: (e as Error).message });
    }
  }

  /** Counters now, and rates over the last sampling interval (as ipvsadm --rate). */
  async stats(): Promise<{ counters: DataplaneCounters; rates: (service: string, real?: string) => Rates }> {
    const counters = await this.o.dataplane.counters();
    const prev = this.prev, last = this.last;
    // Indexed once per call: GetStats asks for every real's rates (10,000 reals: a scan each was seconds).
    const before = sampleIndex(prev), after = sampleIndex(last);
    return { counters, rates: (service, real) => rateBetween(prev, last, before, after, service, real) };
  }

  /** HA role changes come from the HA node; they are published and shown by GetStatus/metrics. */
  role = 'standalone';

  setRole(to: string, reason: string): void {
    if (to === this.role) return;
    const from = this.role;
    this.role = to;
    this.o.log?.info('HA role changed', { from, to, reason });
    this.emit('event', { kind: 'role', at: new Date().toISOString(), from, to, reason } satisfies IpvxEvent);
  }

  flows() {
    return this.o.dataplane.flows();
  }

  /** Persistence entries per real (serviceId#realId), where the data plane keeps them. */
  persistConns(): Map<string, number> {
    return this.o.dataplane.persistConns?.() ?? new Map();
  }

  interfaces(): string[] {
    return this.o.dataplane.interfaces();
  }

  zero(service?: string): Promise<void> {
    return this.oneAtATime(async () => {
      if (service && !this.state.services.some((s) => serviceId(s) === service)) throw new ApiError('not-found', 'No such service', 'service');
      await this.o.dataplane.zeroCounters(service);
      this.prev = this.last = undefined;
    });
  }
}

/**
 * The data-plane hint for a health apply: the touched services by their index in
 * `state`, or undefined (write everything) when many are touched, as the whole-state
 * path is then as cheap. A touched service no longer in the state needs no write: the
 * commit that removed it applied its own removal.
 */
export function healthHint(state: DesiredState, touched: ReadonlySet<string>, max = DELTA_MAX_SERVICES): ApplyHint | undefined {
  if (touched.size > max) return undefined;
  const services: { id: string; index: number }[] = [];
  state.services.forEach((s, index) => {
    const id = serviceId(s);
    if (touched.has(id)) services.push({ id, index });
  });
  return { services };
}

const diffTimeouts = (a: DesiredState, b: DesiredState) =>
  a.timeouts.tcp !== b.timeouts.tcp || a.timeouts.tcpFin !== b.timeouts.tcpFin || a.timeouts.udp !== b.timeouts.udp;
