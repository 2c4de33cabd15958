// The console's one connection to the daemon (gRPC, src/api/client.ts): reads the
// configuration with its serial, sends changes (dry run first) on behalf of a console
// user, polls status and statistics for the live pages, keeps the last minutes of rates,
// and follows the Watch stream. Browsers never talk to the daemon; they get what this
// module emits, through the console's server-sent events.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { IpvxClient, IpvxError, DaemonUnavailable, type Event, type Status } from '../api/client.js';
import { currentConfig } from '../cli/restore-rules.js';
import { stateToPlain } from '../config/schema.js';
import type { FieldError } from '../core/result.js';
import type { Logger } from '../common/log.js';
import type { DesiredState } from '../core/model.js';
import type { GetStatsResponse__Output } from '../api/gen/ipvx/v1/GetStatsResponse.js';
import { RateHistory, perKey, seriesId, type HistoryOptions, type RateSample } from './history.js';

export interface ConfigSnapshot {
  state: DesiredState;
  /** The configuration's version: a change made against an older one is refused (ConflictError). */
  serial: string;
}

/** The configuration changed since the browser read it. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The daemon refused the state; `fields` name what is wrong ("services[0].reals[1].weight"). */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(message: string, readonly fields: FieldError[]) { super(message); }
}

export interface ChangeResult {
  changes: { op: string; kind: string; id: string; detail: string }[];
  changesOmitted: number;
  applied: boolean;
  serial: string;
}

/** What the pages show live, sent to every browser at each poll. */
export interface Frame {
  at: number;
  status: Status;
  /** Drop/pass counters of the data plane per second since the last poll. */
  globalRates: Record<string, number>;
  stats: GetStatsResponse__Output['services'];
  /** Services left out of `stats` (past MAX_LIVE_SERVICES). */
  statsOmitted: number;
}

export interface LinkOptions {
  client: IpvxClient;
  /** Milliseconds between polls (default 2000, the daemon's rate interval). */
  pollMs?: number;
  history?: HistoryOptions;
  log?: Logger;
}

/** Services whose statistics go to the browsers at each poll. */
export const MAX_LIVE_SERVICES = 2000;
/** Events kept for a page that opens later. */
export const RECENT_EVENTS = 300;
/** Changes of one config event kept for the pages (the daemon lists up to 20,000). */
const EVENT_CHANGES = 50;
/** Field errors passed on from one refusal, and its message's length (a 10,000-real state can fail 10,000 times). */
const MAX_FIELD_ERRORS = 50;
const MAX_MESSAGE = 8000;

export class DaemonLink extends EventEmitter {
  readonly history: RateHistory;
  readonly recent: Event[] = [];
  latest: Frame | undefined;
  connected = false;
  /** The Watch stream is followed (events made while it is not are not replayed: 'resync' says so). */
  watching = false;
  lastError = '';
  private readonly client: IpvxClient;
  private readonly pollMs: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private watchCancel: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly o: LinkOptions) {
    super();
    this.client = o.client;
    this.pollMs = o.pollMs ?? 2000;
    this.history = new RateHistory(o.history);
    this.setMaxListeners(0); // one listener per open page
  }

  start(): void {
    void this.poll();
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.watchCancel?.();
    this.client.close();
  }

  readConfig(): Promise<ConfigSnapshot> {
    return currentConfig(this.client);
  }

  /**
   * A whole desired state through the daemon's own validation: with dryRun the changes
   * it would make, else applied; either only while the configuration is still at
   * `serial` (the daemon's compare-and-swap), else ConflictError and nothing changes.
   */
  async change(state: DesiredState, o: { dryRun: boolean; serial: string; origin: string }): Promise<ChangeResult> {
    let res;
    try {
      res = await this.client.applyConfig(stateToPlain(state) as never, o.dryRun, o.serial, { origin: o.origin });
    } catch (e) {
      throw refusal(e);
    }
    return {
      changes: res.changes.map((c) => ({ op: c.op, kind: c.kind, id: c.id, detail: c.detail })),
      changesOmitted: Number(res.changesOmitted ?? 0), applied: res.applied, serial: String(res.serial),
    };
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      const [status, stats] = await Promise.all([this.client.getStatus(), this.client.getStats()]);
      this.setConnected(true);
      this.frame(started, status, stats);
    } catch (e) {
      this.setConnected(false, (e as Error).message);
    }
    // At most a tenth of the daemon's time: a director with 100,000 reals answers GetStats slowly.
    const took = Date.now() - started;
    if (!this.stopped) {
      this.pollTimer = setTimeout(() => { void this.poll(); }, Math.max(this.pollMs, took * 10));
      this.pollTimer.unref();
    }
  }

  private frame(at: number, status: Status, stats: GetStatsResponse__Output): void {
    const prev = this.latest;
    const dt = prev ? (at - prev.at) / 1000 : 0;
    const globalRates: Record<string, number> = {};
    for (const [k, v] of Object.entries(status.globalCounters)) {
      const before = prev?.status.globalCounters[k];
      globalRates[k] = dt > 0 && before !== undefined ? Math.max(0, (Number(v) - Number(before)) / dt) : 0;
    }
    const samples = new Map<string, RateSample>();
    const rate = (r: RateSample | null): RateSample => perKey((k) => r?.[k] ?? 0);
    for (const s of stats.services) {
      samples.set(seriesId(s.service), rate(s.rates));
      for (const r of s.reals) samples.set(seriesId(s.service, r.real), rate(r.rates));
    }
    this.history.add(at, samples);
    this.latest = {
      at, status, globalRates,
      stats: stats.services.slice(0, MAX_LIVE_SERVICES),
      statsOmitted: Math.max(0, stats.services.length - MAX_LIVE_SERVICES),
    };
    this.emit('frame', this.latest);
  }

  private setConnected(up: boolean, error = ''): void {
    const changed = up !== this.connected;
    this.connected = up;
    this.lastError = error;
    if (changed) {
      if (up) this.o.log?.info('connected to the daemon');
      else this.o.log?.warn('the daemon does not answer', { error });
      this.emit('link', { connected: up, error });
    }
  }

  /** The Watch stream, followed again a second after it breaks (the daemon restarted). */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      const w = this.client.watch();
      this.watchCancel = w.cancel;
      try {
        await w.subscribed;
        this.watching = true;
        // Changes while we were not watching are not replayed: the pages reload the configuration.
        this.emit('resync');
        for await (const e of w.events) this.event(e);
      } catch (e) {
        if ((e as { code?: number }).code !== grpc.status.CANCELLED && !this.stopped) this.setConnected(false, (e as Error).message);
      }
      this.watching = false;
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  private event(e: Event): void {
    const kept: Event = e.changes.length > EVENT_CHANGES
      ? { ...e, changes: e.changes.slice(0, EVENT_CHANGES), changesOmitted: (e.changesOmitted ?? 0) + e.changes.length - EVENT_CHANGES }
      : e;
    this.recent.push(kept);
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
    this.emit('event', kept);
  }
}

/** gRPC errors as the console reports them: field errors of INVALID_ARGUMENT split out. */
function refusal(e: unknown): Error {
  if (e instanceof DaemonUnavailable) return e;
  if (!(e instanceof IpvxError)) return e as Error;
  const message = e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE)} ...` : e.message;
  if (e.isConflict) return new ConflictError(message);
  if (e.code !== grpc.status.INVALID_ARGUMENT) return e;
  return new RefusedError(message, fieldErrors(e.message));
}

/**
 * "state.services[0].reals[1].weight: 70000 is not a weight (0-65535); state.ha.key: ..."
 * (formatErrors of an ApplyConfig) -> field errors without the "state." prefix.
 */
export function fieldErrors(message: string): FieldError[] {
  const parts = message.split(/; (?=state\.)/);
  const out: FieldError[] = [];
  for (const p of parts.slice(0, MAX_FIELD_ERRORS)) {
    const m = /^state\.([\w.[\]]+): ([\s\S]*)$/.exec(p);
    if (m) out.push({ field: m[1]!, message: m[2]!.slice(0, 1000) });
  }
  return out;
}
