// The director's role (active / standby / fault) as a pure state machine: inputs are
// accepted peer heartbeats, local health and the passage of time (all with an explicit
// `now` in ms); outputs are role transitions and actions for the I/O edge to carry out.
//
// Semantics (piranha pulse + VRRP):
// - A node starts as standby and gives up any VIP a previous run may have left behind.
// - Standby -> active when no valid heartbeat came for `deadtime` (counted from the
//   last heartbeat, or from when we became standby), or when the live peer is in fault,
//   or when both are standby and we win (higher priority, then higher sender id).
// - A live active peer is left alone, except by a node with a strictly higher priority
//   and preempt, which takes over after the condition held for `preemptDelay`.
// - Split brain: an active node that hears an active peer that wins steps down on that
//   heartbeat; the winner answers at once so the overlap is one round trip, not a keepalive.
// - Fault (local health lost) releases the VIPs at once; recovery returns to standby.
import type { Heartbeat, Role } from './wire.js';
import { compareBytes } from './wire.js';

export type { Role } from './wire.js';

export interface Vip {
  address: string;
  prefixLength: number;
  interface: string;
}

export interface AnnounceConfig {
  /** Gratuitous ARPs / unsolicited NAs sent per burst (keepalived garp_master_repeat, default 5). */
  count: number;
  /** A second burst this long after taking over, 0 = none (keepalived garp_master_delay, default 5 s). */
  delayMs: number;
  /** Repeat a burst this often while active, 0 = never (keepalived garp_master_refresh). */
  refreshMs: number;
}

export const DEFAULT_ANNOUNCE: AnnounceConfig = { count: 5, delayMs: 5000, refreshMs: 0 };

export interface RoleConfig {
  priority: number;
  preempt: boolean;
  preemptDelayMs: number;
  keepaliveMs: number;
  deadtimeMs: number;
  /** Our sender id (16 bytes; our heartbeat address), the tiebreak between equal priorities. */
  selfId: Uint8Array;
  vips: readonly Vip[];
  announce?: Partial<AnnounceConfig>;
}

export type Action =
  | { type: 'takeOver'; vips: readonly Vip[] }
  | { type: 'release'; vips: readonly Vip[] }
  | { type: 'announce'; vips: readonly Vip[]; count: number }
  | { type: 'sendHeartbeat' };

export interface Transition {
  role: Role;
  previous: Role | null;
  reason: string;
  at: number;
}

export interface Output {
  actions: Action[];
  transitions: Transition[];
}

export interface PeerView {
  id: Uint8Array;
  role: Role;
  priority: number;
  preempt: boolean;
  bootId: bigint;
  lastHeardAt: number;
}

export class RoleMachine {
  private current: Role = 'standby';
  private started = false;
  private healthy = true;
  private standbySince = 0;
  private peerView: PeerView | undefined;
  private preemptSince: number | undefined;
  private nextHeartbeatAt = 0;
  private secondBurstAt: number | undefined;
  private refreshAt: number | undefined;
  private readonly announce: AnnounceConfig;
  private out: Output = { actions: [], transitions: [] };

  constructor(readonly cfg: RoleConfig) {
    if (!(cfg.keepaliveMs > 0)) throw new Error('keepalive must be > 0');
    if (!(cfg.deadtimeMs > cfg.keepaliveMs)) throw new Error('deadtime must be longer than keepalive');
    if (cfg.preemptDelayMs < 0) throw new Error('preempt delay must be >= 0');
    if (cfg.selfId.length !== 16) throw new Error('self id must be 16 bytes');
    this.announce = { ...DEFAULT_ANNOUNCE, ...cfg.announce };
  }

  get role(): Role {
    return this.current;
  }

  get peer(): PeerView | undefined {
    return this.peerView;
  }

  peerAlive(now: number): boolean {
    return this.peerView !== undefined && now - this.peerView.lastHeardAt < this.cfg.deadtimeMs;
  }

  /** Begin as standby (or fault when unhealthy), dropping VIPs a crashed run may have left. */
  start(now: number, healthy = true): Output {
    if (this.started) throw new Error('started twice');
    this.started = true;
    this.healthy = healthy;
    this.standbySince = now;
    this.current = healthy ? 'standby' : 'fault';
    this.emit({ type: 'release', vips: this.cfg.vips });
    this.out.transitions.push({ role: this.current, previous: null, reason: healthy ? 'start' : 'start: local fault', at: now });
    this.sendHeartbeat(now);
    this.decide(now);
    return this.flush();
  }

  /** An authenticated, fresh, non-replayed heartbeat from the peer. */
  heartbeat(msg: Heartbeat, now: number): Output {
    this.mustRun();
    this.peerView = {
      id: msg.senderId, role: msg.role, priority: msg.priority, preempt: msg.preempt, bootId: msg.bootId, lastHeardAt: now,
    };
    this.decide(now);
    return this.flush();
  }

  /** Local health: interfaces up and the data plane attached. */
  health(healthy: boolean, now: number, why = ''): Output {
    this.mustRun();
    if (healthy !== this.healthy) {
      this.healthy = healthy;
      if (!healthy) this.become('fault', now, why ? `local fault: ${why}` : 'local fault');
      else {
        this.become('standby', now, 'recovered from fault');
        this.standbySince = now;
      }
    }
    this.decide(now);
    return this.flush();
  }

  /** Time passes: deadtime, preempt delay, heartbeat and announcement timers. */
  tick(now: number): Output {
    this.mustRun();
    this.decide(now);
    if (this.current === 'active') {
      if (this.secondBurstAt !== undefined && now >= this.secondBurstAt) {
        this.secondBurstAt = undefined;
        this.emit({ type: 'announce', vips: this.cfg.vips, count: this.announce.count });
      }
      if (this.refreshAt !== undefined && now >= this.refreshAt) {
        this.refreshAt = now + this.announce.refreshMs;
        this.emit({ type: 'announce', vips: this.cfg.vips, count: this.announce.count });
      }
    }
    if (now >= this.nextHeartbeatAt) this.sendHeartbeat(now);
    return this.flush();
  }

  /** Orderly stop: give up the VIPs and tell the peer (as fault) so it takes over without waiting for deadtime. */
  shutdown(now: number): Output {
    this.mustRun();
    this.healthy = false;
    if (this.current !== 'fault') this.become('fault', now, 'shutdown');
    else this.sendHeartbeat(now);
    return this.flush();
  }

  private decide(now: number): void {
    if (!this.healthy) return;
    const peer = this.peerAlive(now) ? this.peerView : undefined;
    if (this.current === 'standby') {
      if (!peer) {
        this.preemptSince = undefined;
        const heard = this.peerView?.lastHeardAt;
        const since = Math.max(this.standbySince, heard ?? -Infinity);
        if (now - since >= this.cfg.deadtimeMs) {
          this.become('active', now, heard !== undefined && heard >= this.standbySince
            ? `no heartbeat from the peer for ${this.cfg.deadtimeMs} ms (deadtime)`
            : `no peer heard within deadtime (${this.cfg.deadtimeMs} ms)`);
        }
        return;
      }
      if (peer.role === 'fault') {
        this.preemptSince = undefined;
        this.become('active', now, 'peer is in fault');
      } else if (peer.role === 'standby') {
        this.preemptSince = undefined;
        if (this.wins(peer)) this.become('active', now, `both standby: ${this.winReason(peer)}`);
      } else if (this.cfg.preempt && this.cfg.priority > peer.priority) {
        this.preemptSince ??= now;
        if (now - this.preemptSince >= this.cfg.preemptDelayMs) {
          this.become('active', now, `preempt: priority ${this.cfg.priority} > peer's ${peer.priority}`);
        }
      } else {
        this.preemptSince = undefined;
      }
      return;
    }
    if (this.current === 'active' && peer?.role === 'active') {
      if (this.wins(peer)) this.sendHeartbeat(now); // tell it now, it steps down on receipt
      else this.become('standby', now, `split brain: peer is active and ${this.peerWinReason(peer)}`);
    }
  }

  private wins(peer: PeerView): boolean {
    if (this.cfg.priority !== peer.priority) return this.cfg.priority > peer.priority;
    return compareBytes(this.cfg.selfId, peer.id) > 0;
  }

  private winReason(peer: PeerView): string {
    return this.cfg.priority !== peer.priority
      ? `priority ${this.cfg.priority} > peer's ${peer.priority}`
      : `equal priority ${peer.priority}, higher address wins`;
  }

  private peerWinReason(peer: PeerView): string {
    return this.cfg.priority !== peer.priority
      ? `its priority ${peer.priority} > ours ${this.cfg.priority}`
      : `equal priority ${peer.priority}, its address is higher`;
  }

  private become(role: Role, now: number, reason: string): void {
    const previous = this.current;
    if (role === previous) return;
    this.current = role;
    this.preemptSince = undefined;
    if (previous === 'active') {
      this.secondBurstAt = this.refreshAt = undefined;
      this.emit({ type: 'release', vips: this.cfg.vips });
    }
    if (role === 'standby') this.standbySince = now;
    if (role === 'active') {
      this.emit({ type: 'takeOver', vips: this.cfg.vips });
      this.emit({ type: 'announce', vips: this.cfg.vips, count: this.announce.count });
      this.secondBurstAt = this.announce.delayMs > 0 ? now + this.announce.delayMs : undefined;
      this.refreshAt = this.announce.refreshMs > 0 ? now + this.announce.refreshMs : undefined;
    }
    this.out.transitions.push({ role, previous, reason, at: now });
    // The peer learns of every change at once, not a keepalive later.
    this.sendHeartbeat(now);
  }

  private sendHeartbeat(now: number): void {
    if (!this.out.actions.some((a) => a.type === 'sendHeartbeat')) this.emit({ type: 'sendHeartbeat' });
    this.nextHeartbeatAt = now + this.cfg.keepaliveMs;
  }

  private emit(a: Action): void {
    this.out.actions.push(a);
  }

  private flush(): Output {
    const o = this.out;
    this.out = { actions: [], transitions: [] };
    return o;
  }

  private mustRun(): void {
    if (!this.started) throw new Error('role machine not started');
  }
}
