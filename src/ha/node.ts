// One director's HA: the heartbeat socket, the role machine, VIP ownership and
// connection sync, wired together. All decisions are in roles.ts; this file only
// moves bytes and runs commands, in the order the machine asked for them.
//
// Heartbeats and sync datagrams share one UDP socket (localAddress:port, 539 by
// default) and are told apart by their magic. Only datagrams from peerAddress count.
import { createSocket, type Socket, type RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { ipTo16, parseIp } from '../core/addr.js';
import type { HaSpec } from '../core/model.js';
import { RoleMachine, type Action, type AnnounceConfig, type Output, type Role, type Transition, type Vip } from './roles.js';
import {
  decode, encode, keyBytes, newDecodeState, HEARTBEAT_MAGIC, zeroCounters,
  type DecodeState, type RejectCounters, type RejectKind,
} from './wire.js';
import { SyncReceiver, SyncSender, SYNC_MAGIC, randomBootId, type SyncEntry, type SyncReceiverStats, type SyncSenderStats } from './sync.js';
import { VipManager } from './vips.js';
import { logger } from '../common/log.js';

export interface HaSyncOptions {
  /** The whole flow/persistence table, for full resyncs (active side); undefined: not at hand yet, requestFullResync() follows. */
  snapshot?: () => Iterable<SyncEntry> | undefined;
  /** Write an entry received from the active into our maps (standby side). */
  install: (entry: SyncEntry) => void;
  remove: (entry: SyncEntry) => void;
  fullResyncMs?: number;
  maxBatchBytes?: number;
  maxDatagramsPerSec?: number;
  queueLimit?: number;
}

export interface HaNodeOptions {
  spec: HaSpec;
  clock?: () => number;
  vips?: VipManager;
  /** Health beyond "every VIP interface is up", e.g. the data plane is attached. */
  health?: () => boolean | Promise<boolean>;
  announce?: Partial<AnnounceConfig>;
  sync?: HaSyncOptions;
  /** Freshness window for timestamps, ms (default: deadtime). Directors' clocks must agree within it (NTP). */
  replayWindowMs?: number;
  /** Timer resolution, ms (default keepalive / 4, 10..100). */
  tickMs?: number;
  /** How often local health is checked, ms (default keepalive, at most 1 s). */
  healthIntervalMs?: number;
}

export interface RoleEvent extends Transition {}

export interface PeerStatus {
  address: string;
  role: Role;
  priority: number;
  preempt: boolean;
  alive: boolean;
  bootId: string;
  lastHeartbeatAt: number;
}

export interface HaStatus {
  role: Role;
  priority: number;
  peer: PeerStatus | null;
  lastHeartbeatAt: number | null;
  /** Active: age (ms) of the oldest unsent sync entry. Standby: ms since the last sync datagram. Null before any. */
  syncLag: number | null;
  heartbeatsAccepted: number;
  heartbeatsSent: number;
  /** Rejected datagrams (heartbeats and sync) by kind. */
  rejected: RejectCounters;
  errors: number;
  sync: { sender?: SyncSenderStats; receiver?: SyncReceiverStats };
}

/** Validate what the HA core needs from an HaSpec; returns the problems, empty when fine. */
export function checkHaSpec(spec: HaSpec): string[] {
  const errs: string[] = [];
  const local = parseIp(spec.localAddress);
  const peer = parseIp(spec.peerAddress);
  if (!local.ok) errs.push(`localAddress: '${spec.localAddress}' is not an address`);
  if (!peer.ok) errs.push(`peerAddress: '${spec.peerAddress}' is not an address`);
  if (local.ok && peer.ok && local.value.family !== peer.value.family) errs.push('localAddress and peerAddress must be of one family');
  if (local.ok && peer.ok && local.value.text === peer.value.text) errs.push('peerAddress is our own address');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) errs.push(`port: ${spec.port}`);
  if (!(spec.keepalive > 0)) errs.push('keepalive must be > 0 s');
  if (!(spec.deadtime > spec.keepalive)) errs.push('deadtime must be longer than keepalive');
  if (!Number.isInteger(spec.priority) || spec.priority < 0 || spec.priority > 255) errs.push('priority: 0..255');
  if (!(spec.preemptDelay >= 0)) errs.push('preemptDelay must be >= 0 s');
  if (!spec.key) errs.push('key: a shared key is required (heartbeats are authenticated with HMAC-SHA256)');
  for (const [i, v] of spec.vips.entries()) {
    const a = parseIp(v.address);
    if (!a.ok) errs.push(`vips[${i}]: '${v.address}' is not an address`);
    else if (!(v.prefixLength >= 0 && v.prefixLength <= (a.value.family === 4 ? 32 : 128))) errs.push(`vips[${i}]: prefix /${v.prefixLength}`);
    if (!v.interface) errs.push(`vips[${i}]: interface missing`);
  }
  return errs;
}

export class HaNode extends EventEmitter {
  private readonly spec: HaSpec;
  private readonly clock: () => number;
  private readonly vips: VipManager;
  private readonly machine: RoleMachine;
  private readonly key: Uint8Array;
  private readonly selfId: Uint8Array;
  private readonly peerText: string;
  private readonly decodeState: DecodeState;
  private readonly otherRejects = zeroCounters();
  private readonly sender: SyncSender | undefined;
  private readonly receiver: SyncReceiver | undefined;
  private socket: Socket | undefined;
  private timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private bootId = 0n;
  private seq = 0n;
  private sent = 0;
  private errors = 0;
  private healthBusy = false;
  private pumpScheduled = false;
  private running = false;
  private lastSend: Promise<void> = Promise.resolve();

  constructor(private readonly opts: HaNodeOptions) {
    super();
    const errs = checkHaSpec(opts.spec);
    if (errs.length) throw new Error(`ha: ${errs.join('; ')}`);
    this.spec = opts.spec;
    this.clock = opts.clock ?? Date.now;
    this.vips = opts.vips ?? new VipManager({ log: logger((_level, m) => this.emit('warn', m)) });
    this.key = keyBytes(opts.spec.key);
    const local = parseIp(opts.spec.localAddress);
    const peer = parseIp(opts.spec.peerAddress);
    if (!local.ok || !peer.ok) throw new Error('unreachable');
    this.selfId = ipTo16(local.value);
    this.peerText = peer.value.text;
    const ms = (s: number) => Math.round(s * 1000);
    const vipList: Vip[] = opts.spec.vips.map((v) => ({ ...v, address: canonical(v.address) }));
    this.machine = new RoleMachine({
      priority: opts.spec.priority,
      preempt: opts.spec.preempt,
      preemptDelayMs: ms(opts.spec.preemptDelay),
      keepaliveMs: ms(opts.spec.keepalive),
      deadtimeMs: ms(opts.spec.deadtime),
      selfId: this.selfId,
      vips: vipList,
      ...(opts.announce ? { announce: opts.announce } : {}),
    });
    const windowMs = opts.replayWindowMs ?? ms(opts.spec.deadtime);
    this.decodeState = newDecodeState({ windowMs, now: this.clock, selfId: this.selfId });
    if (opts.sync) {
      const s = opts.sync;
      this.sender = new SyncSender({
        key: this.key, now: this.clock, send: (d) => this.sendTo(d),
        ...(s.snapshot ? { snapshot: s.snapshot } : {}),
        ...(s.fullResyncMs !== undefined ? { fullResyncMs: s.fullResyncMs } : {}),
        ...(s.maxBatchBytes !== undefined ? { maxBatchBytes: s.maxBatchBytes } : {}),
        ...(s.maxDatagramsPerSec !== undefined ? { maxDatagramsPerSec: s.maxDatagramsPerSec } : {}),
        ...(s.queueLimit !== undefined ? { queueLimit: s.queueLimit } : {}),
      });
      this.receiver = new SyncReceiver({ key: this.key, now: this.clock, windowMs, install: s.install, remove: s.remove });
    }
  }

  get role(): Role {
    return this.machine.role;
  }

  /** Bind the socket, release leftover VIPs, start heartbeats and timers. */
  async start(): Promise<void> {
    if (this.running) throw new Error('HaNode started twice');
    const family = parseIp(this.spec.localAddress);
    if (!family.ok) throw new Error('unreachable');
    const sock = createSocket({ type: family.value.family === 4 ? 'udp4' : 'udp6', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(this.spec.port, this.spec.localAddress, () => {
        sock.removeListener('error', reject);
        resolve();
      });
    });
    sock.on('error', (e) => this.warn(`heartbeat socket: ${e.message}`));
    this.socket = sock;
    this.running = true;
    this.bootId = randomBootId();
    const healthy = await this.checkHealth();
    this.apply(this.machine.start(this.clock(), healthy.ok));
    // Only now: a peer's heartbeat arriving while the health check above ran would
    // meet a role machine that has not started (it crashed the daemon once).
    sock.on('message', (msg, rinfo) => {
      // A datagram from the network must never take the daemon down.
      try {
        this.onDatagram(msg, rinfo);
      } catch (e) {
        this.errors++;
        this.warn(`heartbeat from ${rinfo.address}: ${(e as Error).message}`);
      }
    });
    const keepaliveMs = this.spec.keepalive * 1000;
    const tickMs = this.opts.tickMs ?? Math.min(100, Math.max(10, Math.round(keepaliveMs / 4)));
    const healthMs = this.opts.healthIntervalMs ?? Math.min(1000, keepaliveMs);
    this.timers.push(setInterval(() => this.tick(), tickMs));
    this.timers.push(setInterval(() => void this.pollHealth(), healthMs));
  }

  /** Give up the VIPs, tell the peer (so it takes over at once), close the socket. */
  async stop(): Promise<void> {
    if (!this.running) return;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.apply(this.machine.shutdown(this.clock()));
    this.running = false;
    await Promise.all([this.chain, this.lastSend]);
    this.vips.stopAll();
    await new Promise<void>((resolve) => this.socket!.close(() => resolve()));
    this.socket = undefined;
  }

  /** Stream the whole table to the peer now (the snapshot has become available). */
  requestFullResync(): void {
    if (!this.sender || !this.running || this.machine.role !== 'active') return;
    this.sender.requestFullResync();
    this.schedulePump();
  }

  /** A flow or persistence change seen by the data plane; sent only while active. */
  pushSync(entry: SyncEntry): boolean {
    if (!this.sender || this.machine.role !== 'active') return false;
    const ok = this.sender.push(entry);
    this.schedulePump();
    return ok;
  }

  status(): HaStatus {
    const now = this.clock();
    const p = this.machine.peer;
    const rejected = zeroCounters();
    const add = (c: RejectCounters) => { for (const k of Object.keys(rejected) as RejectKind[]) rejected[k] += c[k]; };
    add(this.decodeState.counters);
    add(this.otherRejects);
    const rs = this.receiver?.stats();
    if (rs) add(rs.rejected);
    const ss = this.sender?.stats();
    let syncLag: number | null = null;
    if (this.machine.role === 'active' && ss) syncLag = ss.lagMs;
    else if (rs?.lastAt !== undefined) syncLag = now - rs.lastAt;
    return {
      role: this.machine.role,
      priority: this.spec.priority,
      peer: p ? {
        address: this.peerText, role: p.role, priority: p.priority, preempt: p.preempt,
        alive: this.machine.peerAlive(now), bootId: p.bootId.toString(16), lastHeartbeatAt: p.lastHeardAt,
      } : null,
      lastHeartbeatAt: p?.lastHeardAt ?? null,
      syncLag,
      heartbeatsAccepted: this.decodeState.accepted,
      heartbeatsSent: this.sent,
      rejected,
      errors: this.errors,
      sync: { ...(ss ? { sender: ss } : {}), ...(rs ? { receiver: rs } : {}) },
    };
  }

  // -------------------------------------------------------------------------

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (!this.running) return;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const from = parseIp(rinfo.address);
    if (!from.ok || from.value.text !== this.peerText) {
      // Only the configured peer speaks to us; anything else is counted, never parsed further.
      this.otherRejects.foreign++;
      return;
    }
    const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : 0;
    if (magic === SYNC_MAGIC && this.receiver) {
      // An active installs nothing, but still checks: forged and replayed datagrams are counted on either side.
      this.receiver.receive(bytes, this.peerText, this.machine.role !== 'active');
      return;
    }
    if (magic !== HEARTBEAT_MAGIC) {
      this.otherRejects.malformed++;
      return;
    }
    const r = decode(bytes, this.key, this.decodeState);
    if (!r.ok) return;
    const previousBoot = this.machine.peer?.bootId;
    this.apply(this.machine.heartbeat(r.msg, this.clock()));
    // A peer that restarted has empty tables: send it everything.
    if (previousBoot !== undefined && previousBoot !== r.msg.bootId && this.machine.role === 'active') {
      this.sender?.requestFullResync();
      this.schedulePump();
    }
  }

  private tick(): void {
    if (!this.running) return;
    this.apply(this.machine.tick(this.clock()));
    // Also when idle: pump() starts the periodic full resync when it is due.
    if (this.sender && this.machine.role === 'active') this.sender.pump();
  }

  private async pollHealth(): Promise<void> {
    if (!this.running || this.healthBusy) return;
    this.healthBusy = true;
    try {
      const h = await this.checkHealth();
      if (this.running) this.apply(this.machine.health(h.ok, this.clock(), h.why));
    } finally {
      this.healthBusy = false;
    }
  }

  private async checkHealth(): Promise<{ ok: boolean; why: string }> {
    const ifaces = [...new Set(this.spec.vips.map((v) => v.interface))];
    for (const i of ifaces) {
      if (!(await this.vips.interfaceUp(i))) return { ok: false, why: `interface ${i} is down` };
    }
    if (this.opts.health) {
      try {
        if (!(await this.opts.health())) return { ok: false, why: 'health check failed' };
      } catch (e) {
        return { ok: false, why: `health check: ${(e as Error).message}` };
      }
    }
    return { ok: true, why: '' };
  }

  private apply(out: Output): void {
    for (const t of out.transitions) {
      if (t.role === 'active' && this.sender) {
        this.sender.requestFullResync();
        this.schedulePump();
      }
      this.emit('role', { ...t } satisfies RoleEvent);
    }
    for (const a of out.actions) this.run(a);
  }

  private run(a: Action): void {
    switch (a.type) {
      case 'sendHeartbeat':
        this.sendHeartbeat();
        return;
      case 'takeOver':
        this.enqueue(async () => { for (const v of a.vips) await this.vips.add(v); });
        return;
      case 'release':
        this.enqueue(async () => { for (const v of a.vips) await this.vips.remove(v); });
        return;
      case 'announce':
        // After the addresses are up; the burst itself runs beside the queue (it takes seconds).
        this.enqueue(async () => {
          for (const v of a.vips) this.vips.announce(v, a.count).catch((e: Error) => this.fail(`announce ${v.address}: ${e.message}`));
        });
        return;
    }
  }

  private enqueue(f: () => Promise<void>): void {
    this.chain = this.chain.then(f).catch((e: Error) => this.fail(e.message));
  }

  private sendHeartbeat(): void {
    this.seq++;
    const bytes = encode({
      role: this.machine.role, priority: this.spec.priority, preempt: this.spec.preempt, senderId: this.selfId,
      bootId: this.bootId, seq: this.seq, timestamp: this.clock(),
    }, this.key);
    this.sendTo(bytes);
    this.sent++;
  }

  private sendTo(bytes: Uint8Array): void {
    const s = this.socket;
    if (!s) return;
    // Send errors (interface down, no route) are expected during faults: the peer's deadtime covers them.
    this.lastSend = new Promise((resolve) => s.send(bytes, this.spec.port, this.spec.peerAddress, () => resolve()));
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.sender) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.running && this.machine.role === 'active') this.sender!.pump();
    });
  }

  private fail(msg: string): void {
    this.errors++;
    this.warn(msg);
  }

  private warn(msg: string): void {
    this.emit('warn', msg);
  }
}

function canonical(address: string): string {
  const a = parseIp(address);
  return a.ok ? a.value.text : address;
}
