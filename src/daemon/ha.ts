// The daemon's HA: one HaNode while the desired state has `ha.enabled`, restarted when
// the HA settings change, its role changes published through the Controller (Watch,
// GetStatus, metrics). DirectorHa ties the node to the data plane: the data plane's
// health (program attached) is the node's health, and connection sync reads and writes
// the XDP flow/persistence maps (a diff of the flow table every sync interval).
import { EventEmitter } from 'node:events';
import type { HaSpec } from '../core/model.js';
import type { Controller, IpvxEvent } from './controller.js';
import type { Dataplane, PortableChange } from '../dataplane/port.js';
import type { HaStatus } from '../ha/node.js';
import { HaNodeThread, type HaThreadOptions } from '../ha/node-thread.js';
import { FlowDiffer } from '../ha/flowdiff.js';
import type { SyncEntry } from '../ha/sync.js';
import type { HaStatus as HaStatusMsg } from '../api/gen/ipvx/v1/HaStatus.js';
import type { Logger } from '../common/log.js';

/** What the supervisor needs of an HA node (src/ha/node.ts HaNode). */
export interface HaNodeLike extends EventEmitter {
  start(): Promise<void>;
  stop(): Promise<void>;
  status?(): HaStatus;
}

export interface DirectorHaOptions {
  /** How often the active director diffs its flow table for the standby, ms (default 300). */
  syncIntervalMs?: number;
  /** Full table resend, ms (default 30 s): refreshes the standby's entry ages. */
  fullResyncMs?: number;
  /** Node options for tests (announce counts, tick, how long a silent main thread is tolerated). */
  node?: Partial<Omit<HaThreadOptions, 'spec' | 'sync'>>;
}

/**
 * An HaNode bound to a data plane. The node runs in a worker thread (ha/node-thread.ts),
 * so heartbeats keep their timing whatever a request makes this thread do. Active: every
 * sync interval the flow table is diffed against the last look and the changes are
 * queued for the standby (so a flow younger than one interval may be unknown to the
 * standby at takeover). Standby: received entries are installed in batches into our own
 * maps, mapped to our ids.
 */
export class DirectorHa extends EventEmitter implements HaNodeLike {
  private readonly node: HaNodeThread;
  private readonly differ = new FlowDiffer();
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = { installed: 0, removed: 0, skipped: 0, diffErrors: 0 };

  constructor(spec: HaSpec, private readonly dp: Dataplane, private readonly o: DirectorHaOptions = {}) {
    super();
    this.node = new HaNodeThread({ ...o.node, spec, sync: { fullResyncMs: o.fullResyncMs ?? 30_000 } }, {
      health: async () => {
        const why = await dp.problem();
        if (why) throw new Error(why);
        return true;
      },
      snapshot: () => this.snapshot(),
      install: (entries) => this.install(entries),
    });
    this.node.on('role', (ev: { role: string }) => {
      // Forwarding starts now: make sure the reals' MACs are current (links may just have come up).
      if (ev.role === 'active') dp.refreshNextHops?.().catch((e: Error) => this.emit('warn', `next-hop refresh on takeover: ${e.message}`));
      this.emit('role', ev);
    });
    this.node.on('warn', (m: string) => this.emit('warn', m));
  }

  async start(): Promise<void> {
    await this.node.start();
    this.timer = setInterval(() => this.diffOnce(), this.o.syncIntervalMs ?? 300);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.node.stop();
  }

  status(): HaStatus {
    return this.node.status();
  }

  /** Entries installed/removed/skipped on this side (as standby). */
  installStats(): { installed: number; removed: number; skipped: number } {
    return { installed: this.counts.installed, removed: this.counts.removed, skipped: this.counts.skipped };
  }

  /** The whole table for a full resync; also the baseline of the next diff. */
  private snapshot(): SyncEntry[] {
    const all = this.dp.exportFlows();
    this.differ.rebase(all);
    return all.map((e) => ({ kind: e.kind, op: 'upsert', key: e.key, value: e.value }));
  }

  private diffOnce(): void {
    if (this.node.role !== 'active') return;
    try {
      this.node.pushSync(this.differ.diff(this.dp.exportFlows()));
    } catch (e) {
      this.counts.diffErrors++;
      this.emit('warn', `reading the flow table for sync failed: ${(e as Error).message}`);
    }
  }

  /** One map pass per batch of received entries (the HA thread sends them batched). A SyncEntry is a PortableChange as it is. */
  private install(batch: readonly PortableChange[]): void {
    if (!batch.length) return;
    try {
      const r = this.dp.installFlows(batch);
      this.counts.installed += r.installed;
      this.counts.removed += r.removed;
      this.counts.skipped += r.skipped;
    } catch (e) {
      this.emit('warn', `installing ${batch.length} synced entries failed: ${(e as Error).message}`);
    }
  }
}

/** HaStatus as GetStatus carries it (proto HaStatus). */
export function haStatusMessage(st: HaStatus, now = Date.now()): HaStatusMsg {
  const recv = st.sync.receiver;
  return {
    role: st.role, priority: st.priority,
    peer: st.peer?.address ?? '', peerRole: st.peer?.role ?? '', peerPriority: st.peer?.priority ?? 0, peerAlive: st.peer?.alive ?? false,
    lastHeartbeat: st.lastHeartbeatAt !== null ? new Date(st.lastHeartbeatAt).toISOString() : '',
    lastHeartbeatAgeMs: st.lastHeartbeatAt !== null ? String(Math.max(0, now - st.lastHeartbeatAt)) : '-1',
    syncLagMs: st.syncLag !== null ? String(Math.round(st.syncLag)) : '-1',
    heartbeatsSent: String(st.heartbeatsSent), heartbeatsAccepted: String(st.heartbeatsAccepted),
    rejected: Object.fromEntries(Object.entries(st.rejected).map(([k, v]) => [k, String(v)])),
    syncEntriesSent: String(st.sync.sender?.entries ?? 0),
    syncEntriesReceived: String((recv?.installed ?? 0) + (recv?.removed ?? 0)),
    syncDropped: String(st.sync.sender?.dropped ?? 0),
  };
}

/** The daemon's factory: HA nodes bound to its data plane. */
export function directorHaFactory(dp: Dataplane, o: DirectorHaOptions = {}): HaNodeFactory {
  return (spec) => new DirectorHa(spec, dp, o);
}

export type HaNodeFactory = (spec: HaSpec) => HaNodeLike;

export class HaSupervisor {
  private node: HaNodeLike | undefined;
  private spec: string | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly controller: Controller,
    private readonly factory: HaNodeFactory,
    private readonly log: Logger,
  ) {}

  /** Follow the controller: re-sync whenever a change touches the HA settings. */
  follow(): void {
    this.controller.on('event', (e: IpvxEvent) => {
      if (e.kind === 'config' && e.changes?.some((c) => c.kind === 'ha')) void this.sync(this.controller.current.ha);
    });
  }

  /** Run a node for `ha` (or none); calls are serialised. */
  sync(ha: HaSpec | undefined): Promise<void> {
    return this.queue(() => this.syncNow(ha, 'HA is not configured'));
  }

  /** The daemon stops: the node gives its VIPs up and tells the peer, which takes over at once. */
  stop(): Promise<void> {
    return this.queue(() => this.syncNow(undefined, 'the daemon is stopping: VIPs released, the peer told to take over'));
  }

  private queue(f: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(f).catch((e: Error) => this.log.error('HA change failed', { error: e.message }));
    return this.chain;
  }

  /** The running node's status, for GetStatus (undefined while HA is off). */
  status(): HaStatus | undefined {
    return this.node?.status?.();
  }

  private async syncNow(ha: HaSpec | undefined, offReason: string): Promise<void> {
    const want = ha?.enabled ? JSON.stringify(ha) : undefined;
    if (want === this.spec) return;
    if (this.node) {
      const old = this.node;
      this.node = undefined;
      this.spec = undefined;
      old.removeAllListeners('role');
      await old.stop(); // gives the VIPs up and tells the peer
    }
    if (!ha || !want) {
      this.controller.setRole('standalone', offReason);
      return;
    }
    const node = this.factory(ha);
    node.on('role', (ev: { role: string; reason: string }) => this.controller.setRole(ev.role, ev.reason));
    node.on('warn', (m: string) => this.log.warn(m));
    try {
      await node.start();
    } catch (e) {
      this.controller.setRole('fault', `HA did not start: ${(e as Error).message}`);
      throw e;
    }
    this.node = node;
    this.spec = want;
    this.log.info('HA started', { local: ha.localAddress, peer: ha.peerAddress, priority: ha.priority });
  }
}
