// Connection sync: the active director streams flow and persistence entries, in the
// portable form of src/dataplane/portable.ts (service, real address and port, client
// tuple, state, age; never internal ids, which differ between directors), to the
// standby, so established connections survive a failover. Pure apart from the injected send/install/remove/clock.
//
// Datagram (network byte order), HMAC-SHA256 with the HA key over everything before it:
//  0  magic "IVXS"   4
//  4  version (2)    u8
//  5  flags          u8   reserved, 0
//  6  count          u16  entries that follow
//  8  boot id        u64  random per sender process
// 16  sequence       u64  per datagram, 1, 2, 3...
// 24  timestamp      u64  ms since the epoch
// 32  entries        count x (kind u8, op u8, key, value if upsert); sizes fixed by kind
//  .. HMAC           32
//
// Sender: entries are coalesced per key in a bounded queue (the newest op wins; a full
// queue drops and counts), packed into datagrams of at most maxBatchBytes, sent at most
// maxDatagramsPerSec (token bucket). Every fullResyncMs the whole table is streamed
// again from snapshot(), lazily and at the same rate, so a standby that started late
// (or lost datagrams) catches up. Receiver: MAC, freshness and a 63-deep reorder window
// (duplicates and replays are dropped), then install/remove per entry.
import { randomBytes } from 'node:crypto';
import { PORTABLE_SIZES } from '../dataplane/portable.js';
import { ReplayGuard } from './replay.js';
import { hmac, keyBytes, verifyTrailingMac, hex, MAC_SIZE, type RejectKind, type RejectCounters, zeroCounters } from './wire.js';

export const SYNC_MAGIC = 0x49565853; // "IVXS"
/** 2: portable entries (version 1 carried raw map bytes with internal ids). */
export const SYNC_VERSION = 2;
export const SYNC_HEADER = 32;

export type SyncKind = 'flow' | 'persist';
export type SyncOp = 'upsert' | 'delete';

export interface SyncEntry {
  kind: SyncKind;
  op: SyncOp;
  key: Uint8Array;
  value?: Uint8Array;
}

const KINDS: readonly SyncKind[] = ['flow', 'persist'];
const OPS: readonly SyncOp[] = ['upsert', 'delete'];
/** Key and value sizes of each kind: the portable layouts of src/dataplane/portable.ts. */
export const ENTRY_SIZES: Record<SyncKind, { key: number; value: number }> = PORTABLE_SIZES;

export function entryBytes(e: SyncEntry): number {
  const s = ENTRY_SIZES[e.kind];
  return 2 + s.key + (e.op === 'upsert' ? s.value : 0);
}

/** Why an entry cannot be sent, or undefined when it is well formed. */
export function checkEntry(e: SyncEntry): string | undefined {
  const s = ENTRY_SIZES[e.kind];
  if (!s) return `kind '${String(e.kind)}'`;
  if (!OPS.includes(e.op)) return `op '${String(e.op)}'`;
  if (e.key.length !== s.key) return `${e.kind} key of ${e.key.length} bytes, want ${s.key}`;
  if (e.op === 'upsert' && e.value?.length !== s.value) return `${e.kind} value of ${e.value?.length ?? 0} bytes, want ${s.value}`;
  return undefined;
}

export function randomBootId(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}

/** One datagram carrying `entries` (the caller keeps it within its size budget). */
export function encodeBatch(
  entries: readonly SyncEntry[], h: { bootId: bigint; seq: bigint; timestamp: number }, key: string | Uint8Array,
): Uint8Array {
  if (entries.length > 0xffff) throw new Error('too many entries for one datagram');
  const size = SYNC_HEADER + entries.reduce((n, e) => n + entryBytes(e), 0) + MAC_SIZE;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, SYNC_MAGIC);
  dv.setUint8(4, SYNC_VERSION);
  dv.setUint8(5, 0);
  dv.setUint16(6, entries.length);
  dv.setBigUint64(8, h.bootId);
  dv.setBigUint64(16, h.seq);
  dv.setBigUint64(24, BigInt(Math.max(0, Math.floor(h.timestamp))));
  const off = writeEntries(out, SYNC_HEADER, entries);
  out.set(hmac(keyBytes(key), out.subarray(0, off)), off);
  return out;
}

/** Entries in the datagram's layout (kind, op, key, value if upsert) into `out` from `off`; returns where they end. */
function writeEntries(out: Uint8Array, off: number, entries: Iterable<SyncEntry>): number {
  for (const e of entries) {
    const bad = checkEntry(e);
    if (bad) throw new Error(`sync entry: ${bad}`);
    out[off++] = KINDS.indexOf(e.kind);
    out[off++] = OPS.indexOf(e.op);
    out.set(e.key, off);
    off += e.key.length;
    if (e.op === 'upsert') {
      out.set(e.value!, off);
      off += e.value!.length;
    }
  }
  return off;
}

/** `count` entries of that layout from `off`, up to `end`; a string says where they are broken. */
function readEntries(bytes: Uint8Array, off: number, end: number, count: number): { entries: SyncEntry[]; end: number } | string {
  const entries: SyncEntry[] = [];
  for (let i = 0; i < count && (count !== Infinity || off < end); i++) {
    if (off + 2 > end) return `entry ${i} truncated`;
    const kind = KINDS[bytes[off]!];
    const op = OPS[bytes[off + 1]!];
    if (!kind || !op) return `entry ${i}: kind ${bytes[off]} op ${bytes[off + 1]}`;
    off += 2;
    const s = ENTRY_SIZES[kind];
    const need = s.key + (op === 'upsert' ? s.value : 0);
    if (off + need > end) return `entry ${i} truncated`;
    const e: SyncEntry = { kind, op, key: Uint8Array.from(bytes.subarray(off, off + s.key)) };
    off += s.key;
    if (op === 'upsert') {
      e.value = Uint8Array.from(bytes.subarray(off, off + s.value));
      off += s.value;
    }
    entries.push(e);
  }
  return { entries, end: off };
}

/** Entries as one buffer (the datagram's entry layout), to hand to another thread. */
export function packEntries(entries: readonly SyncEntry[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += entryBytes(e);
  const out = new Uint8Array(size);
  writeEntries(out, 0, entries);
  return out;
}

/** packEntries' entries back. */
export function unpackEntries(bytes: Uint8Array): SyncEntry[] {
  const r = readEntries(bytes, 0, bytes.length, Infinity);
  if (typeof r === 'string') throw new Error(`packed sync entries: ${r}`);
  return r.entries;
}

export interface DecodedBatch {
  bootId: bigint;
  seq: bigint;
  timestamp: number;
  entries: SyncEntry[];
}

/** Parse and authenticate a datagram (no replay check: that needs the receiver's state). */
export function decodeBatch(bytes: Uint8Array, key: string | Uint8Array): { ok: true; batch: DecodedBatch } | { ok: false; kind: RejectKind; why: string } {
  if (bytes.length < SYNC_HEADER + MAC_SIZE) return { ok: false, kind: 'malformed', why: `${bytes.length} bytes` };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0) !== SYNC_MAGIC) return { ok: false, kind: 'malformed', why: 'not a sync datagram (magic)' };
  if (dv.getUint8(4) !== SYNC_VERSION) return { ok: false, kind: 'malformed', why: `version ${dv.getUint8(4)}` };
  if (!verifyTrailingMac(keyBytes(key), bytes)) return { ok: false, kind: 'forged', why: 'HMAC does not match the shared key' };
  const end = bytes.length - MAC_SIZE;
  const r = readEntries(bytes, SYNC_HEADER, end, dv.getUint16(6));
  if (typeof r === 'string') return { ok: false, kind: 'malformed', why: r };
  const { entries } = r;
  if (r.end !== end) return { ok: false, kind: 'malformed', why: `${end - r.end} bytes after the entries` };
  return {
    ok: true,
    batch: { bootId: dv.getBigUint64(8), seq: dv.getBigUint64(16), timestamp: Number(dv.getBigUint64(24)), entries },
  };
}

// ---------------------------------------------------------------------------

export interface SyncSenderOptions {
  key: string | Uint8Array;
  send: (datagram: Uint8Array) => void;
  now: () => number;
  /**
   * The whole table, read lazily during a full resync; undefined when it is not at hand
   * yet (it comes from another thread): the caller asks again with requestFullResync().
   */
  snapshot?: () => Iterable<SyncEntry> | undefined;
  /** Largest datagram (default 1400: one Ethernet frame with IPv6 + UDP headers). */
  maxBatchBytes?: number;
  /** Datagrams per second at most (default 2000). */
  maxDatagramsPerSec?: number;
  /** Datagrams that may go out back to back (default rate / 10, at least 1). */
  burst?: number;
  /** Distinct keys waiting at most; more are dropped and counted (default 65536). */
  queueLimit?: number;
  /** Stream the whole table this often, ms; 0 = only when asked (default 60 s). */
  fullResyncMs?: number;
  bootId?: bigint;
}

export interface SyncSenderStats {
  queued: number;
  dropped: number;
  datagrams: number;
  entries: number;
  fullResyncs: number;
  resyncInProgress: boolean;
  /** Age in ms of the oldest queued entry (0 when the queue is empty). */
  lagMs: number;
}

export class SyncSender {
  readonly bootId: bigint;
  private seq = 0n;
  private readonly queue = new Map<string, { entry: SyncEntry; at: number }>();
  private resync: Iterator<SyncEntry> | undefined;
  private pendingResyncEntry: SyncEntry | undefined;
  private nextResyncAt: number;
  private tokens: number;
  private lastRefill: number;
  private readonly maxBatch: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly limit: number;
  private readonly resyncMs: number;
  private counts = { dropped: 0, datagrams: 0, entries: 0, fullResyncs: 0 };

  constructor(private readonly opts: SyncSenderOptions) {
    this.bootId = opts.bootId ?? randomBootId();
    this.maxBatch = opts.maxBatchBytes ?? 1400;
    const largest = Math.max(...Object.values(ENTRY_SIZES).map((s) => 2 + s.key + s.value));
    if (this.maxBatch < SYNC_HEADER + MAC_SIZE + largest) throw new Error(`maxBatchBytes must fit one entry (${SYNC_HEADER + MAC_SIZE + largest})`);
    this.rate = opts.maxDatagramsPerSec ?? 2000;
    if (!(this.rate > 0)) throw new Error('maxDatagramsPerSec must be > 0');
    this.burst = opts.burst ?? Math.max(1, Math.floor(this.rate / 10));
    this.limit = opts.queueLimit ?? 65536;
    this.resyncMs = opts.fullResyncMs ?? 60_000;
    const now = opts.now();
    this.tokens = this.burst;
    this.lastRefill = now;
    this.nextResyncAt = this.resyncMs > 0 ? now + this.resyncMs : Infinity;
  }

  /** Queue a change; false when it was dropped because the queue is full. Throws on a malformed entry. */
  push(entry: SyncEntry): boolean {
    const bad = checkEntry(entry);
    if (bad) throw new Error(`sync entry: ${bad}`);
    const id = `${entry.kind}:${hex(entry.key)}`;
    const queued = this.queue.get(id);
    if (queued) {
      queued.entry = entry; // newest op wins, keeps its place and age
      return true;
    }
    if (this.queue.size >= this.limit) {
      this.counts.dropped++;
      return false;
    }
    this.queue.set(id, { entry, at: this.opts.now() });
    return true;
  }

  /** Start streaming the whole table now (on becoming active, or when the peer restarted). */
  requestFullResync(): void {
    if (!this.opts.snapshot) return;
    this.nextResyncAt = this.resyncMs > 0 ? this.opts.now() + this.resyncMs : Infinity;
    const table = this.opts.snapshot();
    if (!table) return;
    this.resync = table[Symbol.iterator]();
    this.pendingResyncEntry = undefined;
    this.counts.fullResyncs++;
  }

  /** Send what the rate allows now; returns the number of datagrams sent. */
  pump(): number {
    const now = this.opts.now();
    if (now >= this.nextResyncAt && !this.resync) this.requestFullResync();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) * this.rate) / 1000);
    this.lastRefill = now;
    let sent = 0;
    while (this.tokens >= 1) {
      const batch = this.nextBatch();
      if (batch.length === 0) break;
      this.seq++;
      this.opts.send(encodeBatch(batch, { bootId: this.bootId, seq: this.seq, timestamp: now }, this.opts.key));
      this.tokens -= 1;
      this.counts.datagrams++;
      this.counts.entries += batch.length;
      sent++;
    }
    return sent;
  }

  /** Whether anything waits to be sent. */
  get busy(): boolean {
    return this.queue.size > 0 || this.resync !== undefined;
  }

  stats(): SyncSenderStats {
    const first = this.queue.values().next();
    return {
      queued: this.queue.size,
      ...this.counts,
      resyncInProgress: this.resync !== undefined,
      lagMs: first.done ? 0 : Math.max(0, this.opts.now() - first.value.at),
    };
  }

  private nextBatch(): SyncEntry[] {
    const batch: SyncEntry[] = [];
    let size = SYNC_HEADER + MAC_SIZE;
    for (const [id, q] of this.queue) {
      const n = entryBytes(q.entry);
      if (size + n > this.maxBatch) return batch;
      batch.push(q.entry);
      size += n;
      this.queue.delete(id);
    }
    while (this.resync) {
      const e = this.pendingResyncEntry ?? this.nextResyncEntry();
      if (!e) break;
      const n = entryBytes(e);
      if (size + n > this.maxBatch) {
        this.pendingResyncEntry = e;
        return batch;
      }
      this.pendingResyncEntry = undefined;
      batch.push(e);
      size += n;
    }
    return batch;
  }

  private nextResyncEntry(): SyncEntry | undefined {
    for (;;) {
      const r = this.resync!.next();
      if (r.done) {
        this.resync = undefined;
        return undefined;
      }
      if (!checkEntry(r.value)) return r.value; // skip what could not be sent
    }
  }
}

// ---------------------------------------------------------------------------

export interface SyncReceiverOptions {
  key: string | Uint8Array;
  now: () => number;
  /** Freshness window for datagram timestamps, ms. */
  windowMs: number;
  install: (entry: SyncEntry) => void;
  remove: (entry: SyncEntry) => void;
}

export interface SyncReceiverStats {
  datagrams: number;
  installed: number;
  removed: number;
  rejected: RejectCounters;
  /** When the last datagram was accepted (our clock), if any. */
  lastAt: number | undefined;
}

export class SyncReceiver {
  private readonly guard: ReplayGuard;
  private readonly rejected = zeroCounters();
  private counts = { datagrams: 0, installed: 0, removed: 0 };
  private lastAt: number | undefined;

  constructor(private readonly opts: SyncReceiverOptions) {
    this.guard = new ReplayGuard({ windowMs: opts.windowMs, reorder: 63 });
  }

  /**
   * Verify, de-duplicate and apply one datagram from `from` (the sender's address). With
   * `apply` false (an active director, which never installs) it is only verified, so a
   * forged or replayed datagram is counted as on a standby.
   */
  receive(bytes: Uint8Array, from = 'peer', apply = true): { ok: true; entries: number } | { ok: false; kind: RejectKind; why: string } {
    const d = decodeBatch(bytes, this.opts.key);
    if (!d.ok) {
      this.rejected[d.kind]++;
      return d;
    }
    const now = this.opts.now();
    const b = d.batch;
    const verdict = this.guard.accept(from, b.bootId, b.seq, b.timestamp, now);
    if (verdict !== 'ok') {
      this.rejected[verdict]++;
      return { ok: false, kind: verdict, why: `sequence ${b.seq}: ${verdict}` };
    }
    if (!apply) return { ok: true, entries: 0 };
    this.counts.datagrams++;
    this.lastAt = now;
    for (const e of b.entries) {
      if (e.op === 'upsert') {
        this.opts.install(e);
        this.counts.installed++;
      } else {
        this.opts.remove(e);
        this.counts.removed++;
      }
    }
    return { ok: true, entries: b.entries.length };
  }

  stats(): SyncReceiverStats {
    return { ...this.counts, rejected: { ...this.rejected }, lastAt: this.lastAt };
  }
}
