// An HaNode in a worker thread of its own (node-worker.ts), driven from the daemon's
// main thread. Heartbeats, the role machine and VIP takeover then keep their timing
// whatever the main thread does: a large request there (seconds of decoding,
// validating and map writes) no longer delays a heartbeat, which with a short deadtime
// made the standby take over while the active still held the VIPs (split brain).
//
// What the node needs from the main thread crosses as messages: local health (the data
// plane is attached) answered on request, flow changes to send (packed), the whole
// flow table for a full resync (on request), and received entries to install (packed).
// Status comes back every STATUS_MS and with every role change, so status() stays
// synchronous. If the main thread does not answer a health request for `mainStallMs`,
// the node counts it as a local fault: a daemon whose control plane hangs hands over.
import { Worker } from 'node:worker_threads';
import { EventEmitter } from 'node:events';
import type { HaSpec } from '../core/model.js';
import type { AnnounceConfig } from './roles.js';
import type { HaStatus, RoleEvent } from './node.js';
import { packEntries, unpackEntries, type SyncEntry } from './sync.js';

/** Node options that can cross to the worker (plain data). */
export interface HaThreadOptions {
  spec: HaSpec;
  announce?: Partial<AnnounceConfig>;
  tickMs?: number;
  healthIntervalMs?: number;
  replayWindowMs?: number;
  /** Connection sync on (the main thread answers snapshots and installs). */
  sync?: { fullResyncMs?: number; maxBatchBytes?: number; maxDatagramsPerSec?: number; queueLimit?: number };
  /** The main thread not answering a health request for this long is a local fault (default 10 s). */
  mainStallMs?: number;
}

/** What the main thread provides to the node in the worker. */
export interface HaThreadHooks {
  /** Local health: resolves true, or rejects/false with why. */
  health?: () => boolean | Promise<boolean>;
  /** The whole flow/persistence table for a full resync. */
  snapshot?: () => readonly SyncEntry[];
  /** Entries received from the active (standby side), in arrival order. */
  install?: (entries: SyncEntry[]) => void;
}

/** Messages main -> worker. */
export type ToWorker =
  | { t: 'health'; id: number; ok: boolean; why: string }
  | { t: 'push'; entries: Uint8Array }
  | { t: 'snapshot'; entries: Uint8Array }
  | { t: 'stop' };

/** Messages worker -> main. */
export type FromWorker =
  | { t: 'started'; status: HaStatus }
  | { t: 'failed'; error: string }
  | { t: 'role'; event: RoleEvent; status: HaStatus }
  | { t: 'warn'; message: string }
  | { t: 'status'; status: HaStatus }
  | { t: 'health?'; id: number }
  | { t: 'snapshot?' }
  | { t: 'install'; entries: Uint8Array }
  | { t: 'stopped' };

/** How often the worker sends its status. */
export const STATUS_MS = 100;
/** A stop that has not finished after this long ends the worker. */
const STOP_TIMEOUT_MS = 10_000;

const WORKER = new URL('./node-worker.js', import.meta.url);

export class HaNodeThread extends EventEmitter {
  private worker: Worker | undefined;
  private last: HaStatus | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: HaThreadOptions, private readonly hooks: HaThreadHooks = {}) {
    super();
  }

  /** The role as last reported by the worker. */
  get role(): HaStatus['role'] {
    return this.last?.role ?? 'standby';
  }

  /** Start the worker and the node in it; rejects with the node's reason (bad spec, port in use). */
  start(): Promise<void> {
    if (this.worker) throw new Error('HaNodeThread started twice');
    const w = new Worker(WORKER, { workerData: this.opts });
    this.worker = w;
    return new Promise((resolve, reject) => {
      let started = false;
      w.on('message', (m: FromWorker) => {
        if (m.t === 'started') { started = true; this.last = m.status; resolve(); return; }
        if (m.t === 'failed') { reject(new Error(m.error)); void w.terminate(); return; }
        this.onMessage(m);
      });
      w.on('error', (e) => {
        if (!started) reject(e);
        else this.emit('warn', `HA thread failed: ${e.message}`);
      });
      w.on('exit', (code) => {
        this.worker = undefined;
        if (!started) { reject(new Error(`HA thread exited (${code}) before starting`)); return; }
        if (!this.stopping) {
          // The node is gone without giving up its VIPs through stop(): say so where the role is shown.
          const previous = this.last?.role ?? 'standby';
          if (this.last) this.last = { ...this.last, role: 'fault' };
          this.emit('role', { role: 'fault', previous, reason: `the HA thread exited (${code})`, at: Date.now() } satisfies RoleEvent);
        }
      });
    });
  }

  /** Stop the node (VIPs released, the peer told), then the worker. */
  stop(): Promise<void> {
    const w = this.worker;
    if (!w) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => { void w.terminate(); }, STOP_TIMEOUT_MS);
      w.once('exit', () => { clearTimeout(force); resolve(); });
      this.post({ t: 'stop' });
    });
    return this.stopping;
  }

  status(): HaStatus {
    if (!this.last) throw new Error('HA thread not started');
    return this.last;
  }

  /** Flow and persistence changes to send to the standby, as one message (only while active). */
  pushSync(changes: readonly SyncEntry[]): boolean {
    if (this.role !== 'active') return false;
    if (!changes.length) return true;
    const entries = packEntries(changes);
    this.post({ t: 'push', entries }, [entries.buffer as ArrayBuffer]);
    return true;
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'status': this.last = m.status; return;
      case 'role': this.last = m.status; this.emit('role', m.event); return;
      case 'warn': this.emit('warn', m.message); return;
      case 'health?': void this.answerHealth(m.id); return;
      case 'snapshot?': {
        let entries: Uint8Array;
        try {
          entries = packEntries(this.hooks.snapshot?.() ?? []);
        } catch (e) {
          this.emit('warn', `reading the flow table for a full resync failed: ${(e as Error).message}`);
          entries = new Uint8Array(0);
        }
        this.post({ t: 'snapshot', entries }, [entries.buffer as ArrayBuffer]);
        return;
      }
      case 'install': this.hooks.install?.(unpackEntries(m.entries)); return;
      case 'stopped': return; // the worker exits next
    }
  }

  private async answerHealth(id: number): Promise<void> {
    let ok = true, why = '';
    try {
      ok = this.hooks.health ? await this.hooks.health() : true;
      if (!ok) why = 'health check failed';
    } catch (e) {
      ok = false;
      why = (e as Error).message;
    }
    this.post({ t: 'health', id, ok, why });
  }
}
