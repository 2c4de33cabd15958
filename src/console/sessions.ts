// Console sessions: kept in this process only (a restart logs everyone out), bounded in
// number, ended after `idleMs` without a request and `maxMs` after login whatever
// happens. @fastify/session keeps them here (SessionStore); the console's auth hook
// asks expired() on every request, and the live stream asks it periodically.
import type { Session } from 'fastify';

declare module 'fastify' {
  interface Session {
    /** Set at login; a session without it is not logged in. */
    user?: string;
    /** ms since the epoch. */
    createdAt?: number;
    lastSeen?: number;
  }
}

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export const DEFAULT_POLICY: SessionPolicy = { idleMs: 30 * 60_000, maxMs: 12 * 3600_000 };
/** Sessions kept at most; the least recently used goes first. */
export const MAX_SESSIONS = 1000;

/** Why a session is over, or undefined while it is good. */
export function expired(s: Pick<Session, 'user' | 'createdAt' | 'lastSeen'> | undefined, p: SessionPolicy, now = Date.now()): 'none' | 'idle' | 'max' | undefined {
  if (!s?.user || s.createdAt === undefined || s.lastSeen === undefined) return 'none';
  if (now - s.createdAt >= p.maxMs) return 'max';
  if (now - s.lastSeen >= p.idleMs) return 'idle';
  return undefined;
}

type Callback = (err?: unknown) => void;

/** The SessionStore of @fastify/session: a Map in insertion = use order, expired entries swept. */
export class SessionStore {
  private readonly map = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly policy: SessionPolicy, private readonly max = MAX_SESSIONS) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  set(id: string, session: Session, cb: Callback): void {
    this.map.delete(id);
    this.map.set(id, session);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    cb();
  }

  get(id: string, cb: (err: unknown, s?: Session | null) => void): void {
    cb(null, this.map.get(id) ?? null);
  }

  destroy(id: string, cb: Callback): void {
    this.map.delete(id);
    cb();
  }

  /** The session now stored under `id` (the live stream checks whether its session still holds). */
  peek(id: string): Session | undefined {
    return this.map.get(id);
  }

  get size(): number {
    return this.map.size;
  }

  sweep(now = Date.now()): void {
    for (const [id, s] of this.map) if (expired(s, this.policy, now)) this.map.delete(id);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
