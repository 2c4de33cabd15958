// Replay and freshness rules shared by heartbeats and sync datagrams. Pure: the clock
// is passed in. Called only for messages whose MAC was verified, so an attacker
// without the key cannot move this state; it can only re-send what it recorded.
//
// Per sender we remember its boot id (random per process start), the highest
// sequence accepted in that boot and the newest timestamp. A message is
// - stale when its timestamp is further than `windowMs` from our clock (either way:
//   old recordings, or a clock that is off by more than the window);
// - replayed when it is of the current boot and its sequence was already accepted
//   (or, with a reorder window, fell out of it);
// - a restart when its boot id is new: accepted if fresh and newer than anything the
//   old boot sent (so recordings of the old boot cannot switch us back to it), or if
//   we have not heard the sender for a whole window (its old messages are stale by now).

export type ReplayVerdict = 'ok' | 'replayed' | 'stale';

interface SenderState {
  bootId: bigint;
  /** Highest sequence accepted in this boot. */
  top: bigint;
  /** Bit i set = sequence top - i was accepted (bit 0 = top). */
  seen: bigint;
  lastTs: number;
  lastAcceptedAt: number;
}

export interface ReplayGuardOptions {
  /** Freshness window in ms (the HA deadtime, typically). */
  windowMs: number;
  /**
   * How many sequences below the highest one may still arrive late (UDP may reorder).
   * 0 = strictly increasing (heartbeats); at most 63.
   */
  reorder?: number;
  /** Senders remembered at most (oldest forgotten first); bounds memory against floods of forged ids. */
  maxSenders?: number;
}

export class ReplayGuard {
  private readonly senders = new Map<string, SenderState>();
  readonly windowMs: number;
  private readonly reorder: bigint;
  private readonly maxSenders: number;

  constructor(opts: ReplayGuardOptions) {
    if (!(opts.windowMs > 0)) throw new Error('replay window must be > 0 ms');
    const r = opts.reorder ?? 0;
    if (!Number.isInteger(r) || r < 0 || r > 63) throw new Error('reorder window: 0..63');
    this.windowMs = opts.windowMs;
    this.reorder = BigInt(r);
    this.maxSenders = opts.maxSenders ?? 16;
  }

  /** Check a verified message and, when it is accepted, remember it. */
  accept(sender: string, bootId: bigint, seq: bigint, ts: number, now: number): ReplayVerdict {
    if (Math.abs(now - ts) > this.windowMs) return 'stale';
    const s = this.senders.get(sender);
    if (!s || s.bootId !== bootId) {
      if (s && ts <= s.lastTs && now - s.lastAcceptedAt <= this.windowMs) return 'replayed';
      this.remember(sender, { bootId, top: seq, seen: 1n, lastTs: ts, lastAcceptedAt: now });
      return 'ok';
    }
    if (seq > s.top) {
      const shift = seq - s.top;
      s.seen = shift >= 64n ? 1n : ((s.seen << shift) | 1n) & 0xffff_ffff_ffff_ffffn;
      s.top = seq;
    } else {
      const back = s.top - seq;
      if (back === 0n || back > this.reorder) return 'replayed';
      const bit = 1n << back;
      if (s.seen & bit) return 'replayed';
      s.seen |= bit;
    }
    if (ts > s.lastTs) s.lastTs = ts;
    s.lastAcceptedAt = now;
    return 'ok';
  }

  /** Highest accepted sequence of a sender's current boot. */
  lastSeq(sender: string): bigint | undefined {
    return this.senders.get(sender)?.top;
  }

  private remember(sender: string, st: SenderState): void {
    this.senders.delete(sender);
    this.senders.set(sender, st);
    while (this.senders.size > this.maxSenders) this.senders.delete(this.senders.keys().next().value!);
  }
}
