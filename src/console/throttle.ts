// Failed logins slow a client down: after each failure its next attempt must wait twice
// as long as the last (1 s, 2 s, 4 s ... up to MAX_DELAY_MS), and only one attempt per
// client runs at a time, so parallel guesses do not get around the wait. A success
// forgets the client. Pure (the clock is passed in); the login route holds one of these
// beside @fastify/rate-limit, which caps all attempts, good or bad.

export const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 60_000;
/** A client's failures are forgotten after this long without one. */
export const FORGET_AFTER_MS = 15 * 60_000;
/** Clients remembered at most (oldest dropped first): a flood of addresses cannot grow memory. */
export const MAX_CLIENTS = 10_000;

interface ClientState { failures: number; notBefore: number; lastFailure: number; busy: boolean }

export type Admission = { ok: true; done: (success: boolean) => void } | { ok: false; retryAfterMs: number };

export class LoginThrottle {
  private readonly clients = new Map<string, ClientState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** May `client` try a password now? If so, call done() with the outcome. */
  admit(client: string): Admission {
    const t = this.now();
    let s = this.clients.get(client);
    if (s && !s.busy && t - s.lastFailure > FORGET_AFTER_MS) {
      this.clients.delete(client);
      s = undefined;
    }
    if (s?.busy) return { ok: false, retryAfterMs: FIRST_DELAY_MS };
    if (s && t < s.notBefore) return { ok: false, retryAfterMs: s.notBefore - t };
    if (!s) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      s = { failures: 0, notBefore: 0, lastFailure: t, busy: false };
      this.clients.set(client, s);
    }
    const state = s;
    state.busy = true;
    let settled = false;
    return {
      ok: true,
      done: (success) => {
        if (settled) return;
        settled = true;
        state.busy = false;
        if (success) { this.clients.delete(client); return; }
        const at = this.now();
        state.failures++;
        state.lastFailure = at;
        state.notBefore = at + Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (state.failures - 1));
      },
    };
  }

  /** Failures counted for a client (for tests and logs). */
  failures(client: string): number {
    return this.clients.get(client)?.failures ?? 0;
  }
}
