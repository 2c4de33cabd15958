// The heartbeat datagram: fixed 80 bytes, network byte order, HMAC-SHA256 over
// everything before the MAC. Pure (the clock comes in through the decode state).
//
//  0  magic "IVXH"          4
//  4  version (1)           u8
//  5  role                  u8   0 standby, 1 active, 2 fault
//  6  flags                 u8   bit 0: preempt
//  7  priority              u8
//  8  sender id             16   the sender's heartbeat address in 16-byte form
// 24  boot id               u64  random per process start
// 32  sequence              u64  1, 2, 3... within a boot
// 40  timestamp             u64  ms since the epoch, sender's clock
// 48  HMAC-SHA256           32
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ReplayGuard } from './replay.js';

export const HEARTBEAT_MAGIC = 0x49565848; // "IVXH"
export const WIRE_VERSION = 1;
export const HEARTBEAT_SIZE = 80;
export const MAC_SIZE = 32;
const BODY = HEARTBEAT_SIZE - MAC_SIZE;

export const ROLES = ['standby', 'active', 'fault'] as const;
export type Role = (typeof ROLES)[number];

export const FLAG_PREEMPT = 1 << 0;

export interface Heartbeat {
  role: Role;
  priority: number;
  preempt: boolean;
  /** 16 bytes identifying the sender (its address); also the tiebreak. */
  senderId: Uint8Array;
  bootId: bigint;
  seq: bigint;
  /** ms since the epoch. */
  timestamp: number;
}

/** 'own': our own datagram came back; 'foreign': from an address that is not the peer (counted by the node). */
export type RejectKind = 'malformed' | 'forged' | 'replayed' | 'stale' | 'own' | 'foreign';
export const REJECT_KINDS: readonly RejectKind[] = ['malformed', 'forged', 'replayed', 'stale', 'own', 'foreign'];
export type RejectCounters = Record<RejectKind, number>;

export const zeroCounters = (): RejectCounters => ({ malformed: 0, forged: 0, replayed: 0, stale: 0, own: 0, foreign: 0 });

export type DecodeResult = { ok: true; msg: Heartbeat } | { ok: false; kind: RejectKind; why: string };

/** What a receiver keeps between datagrams. */
export interface DecodeState {
  readonly guard: ReplayGuard;
  readonly counters: RejectCounters;
  accepted: number;
  now: () => number;
  /** Our own sender id: our own datagrams coming back (reflected) are not the peer. */
  selfId?: Uint8Array;
}

export function newDecodeState(opts: { windowMs: number; now: () => number; selfId?: Uint8Array }): DecodeState {
  return {
    guard: new ReplayGuard({ windowMs: opts.windowMs, reorder: 0 }),
    counters: zeroCounters(),
    accepted: 0,
    now: opts.now,
    ...(opts.selfId ? { selfId: opts.selfId } : {}),
  };
}

export function keyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === 'string' ? new TextEncoder().encode(key) : key;
}

export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return createHmac('sha256', key).update(data).digest();
}

/** Constant-time check of the trailing 32-byte MAC over everything before it. */
export function verifyTrailingMac(key: Uint8Array, bytes: Uint8Array): boolean {
  if (bytes.length < MAC_SIZE) return false;
  const body = bytes.subarray(0, bytes.length - MAC_SIZE);
  const mac = bytes.subarray(bytes.length - MAC_SIZE);
  return timingSafeEqual(hmac(key, body), mac);
}

export function encode(m: Heartbeat, key: string | Uint8Array): Uint8Array {
  if (m.senderId.length !== 16) throw new Error('sender id must be 16 bytes');
  if (!Number.isInteger(m.priority) || m.priority < 0 || m.priority > 255) throw new Error('priority: 0..255');
  const out = new Uint8Array(HEARTBEAT_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, HEARTBEAT_MAGIC);
  dv.setUint8(4, WIRE_VERSION);
  dv.setUint8(5, ROLES.indexOf(m.role));
  dv.setUint8(6, m.preempt ? FLAG_PREEMPT : 0);
  dv.setUint8(7, m.priority);
  out.set(m.senderId, 8);
  dv.setBigUint64(24, m.bootId);
  dv.setBigUint64(32, m.seq);
  dv.setBigUint64(40, BigInt(Math.max(0, Math.floor(m.timestamp))));
  out.set(hmac(keyBytes(key), out.subarray(0, BODY)), BODY);
  return out;
}

/** Decode, authenticate and check a heartbeat; every rejection is counted in state.counters. */
export function decode(bytes: Uint8Array, key: string | Uint8Array, state: DecodeState): DecodeResult {
  const r = classify(bytes, keyBytes(key), state);
  if (r.ok) state.accepted++;
  else state.counters[r.kind]++;
  return r;
}

function reject(kind: RejectKind, why: string): DecodeResult {
  return { ok: false, kind, why };
}

function classify(bytes: Uint8Array, key: Uint8Array, state: DecodeState): DecodeResult {
  if (bytes.length !== HEARTBEAT_SIZE) return reject('malformed', `${bytes.length} bytes, want ${HEARTBEAT_SIZE}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0) !== HEARTBEAT_MAGIC) return reject('malformed', 'not a heartbeat (magic)');
  if (dv.getUint8(4) !== WIRE_VERSION) return reject('malformed', `version ${dv.getUint8(4)}`);
  // The MAC before any field is believed.
  if (!verifyTrailingMac(key, bytes)) return reject('forged', 'HMAC does not match the shared key');
  const roleByte = dv.getUint8(5);
  const role = ROLES[roleByte];
  if (role === undefined) return reject('malformed', `role ${roleByte}`);
  const senderId = Uint8Array.from(bytes.subarray(8, 24));
  if (state.selfId && equalBytes(senderId, state.selfId)) return reject('own', 'our own heartbeat came back');
  const msg: Heartbeat = {
    role,
    preempt: (dv.getUint8(6) & FLAG_PREEMPT) !== 0,
    priority: dv.getUint8(7),
    senderId,
    bootId: dv.getBigUint64(24),
    seq: dv.getBigUint64(32),
    timestamp: Number(dv.getBigUint64(40)),
  };
  const verdict = state.guard.accept(hex(senderId), msg.bootId, msg.seq, msg.timestamp, state.now());
  if (verdict === 'stale') return reject('stale', `timestamp ${msg.timestamp} outside ±${state.guard.windowMs} ms of our clock`);
  if (verdict === 'replayed') return reject('replayed', `sequence ${msg.seq} of boot ${msg.bootId.toString(16)} already seen`);
  return { ok: true, msg };
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order (for the tiebreak by address). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
