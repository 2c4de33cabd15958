// The daemon's HA: one HaNode while the desired state has `ha.enabled`, restarted when
// the HA settings change, its role changes published through the Controller (Watch,
// GetStatus, metrics). Flow sync between directors is not wired to the XDP maps yet.
import type { EventEmitter } from 'node:events';
import type { HaSpec } from '../core/model.js';
import type { Controller, IpvxEvent } from '../api/controller.js';

/** What the supervisor needs of an HA node (src/ha/node.ts HaNode). */
export interface HaNodeLike extends EventEmitter {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type HaNodeFactory = (spec: HaSpec) => HaNodeLike;

export class HaSupervisor {
  private node: HaNodeLike | undefined;
  private spec: string | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly controller: Controller,
    private readonly factory: HaNodeFactory,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** Follow the controller: re-sync whenever a change touches the HA settings. */
  follow(): void {
    this.controller.on('event', (e: IpvxEvent) => {
      if (e.kind === 'config' && e.changes?.some((c) => c.kind === 'ha')) void this.sync(this.controller.current.ha);
    });
  }

  /** Run a node for `ha` (or none); calls are serialised. */
  sync(ha: HaSpec | undefined): Promise<void> {
    this.chain = this.chain.then(() => this.syncNow(ha)).catch((e: Error) => this.log('error', 'HA change failed', { error: e.message }));
    return this.chain;
  }

  stop(): Promise<void> {
    return this.sync(undefined);
  }

  private async syncNow(ha: HaSpec | undefined): Promise<void> {
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
      this.controller.setRole('standalone', 'HA is not configured');
      return;
    }
    const node = this.factory(ha);
    node.on('role', (ev: { role: string; reason: string }) => this.controller.setRole(ev.role, ev.reason));
    node.on('warn', (m: string) => this.log('warn', m));
    try {
      await node.start();
    } catch (e) {
      this.controller.setRole('fault', `HA did not start: ${(e as Error).message}`);
      throw e;
    }
    this.node = node;
    this.spec = want;
    this.log('info', 'HA started', { local: ha.localAddress, peer: ha.peerAddress, priority: ha.priority });
  }
}
