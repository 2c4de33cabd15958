// One Watch call's outgoing events, bounded: a watcher that reads slower than events
// arrive (10,000 reals changing health in one interval) must neither make the daemon
// buffer without end nor lose events silently. Past `limit` unsent events, further
// events are counted instead of queued, and once the stream has drained the watcher
// gets one 'missed' event saying how many (by kind) it did not get, then the feed goes on.
import type { EventEmitter } from 'node:events';
import type { IpvxEvent } from '../daemon/controller.js';

/** Events queued for one Watch call before further ones are counted as missed. */
export const WATCH_BACKLOG = 10_000;

/** What the feed needs of a writable stream (grpc-js ServerWritableStream in object mode). */
export interface WatchSink {
  write(e: IpvxEvent): boolean;
  readonly writableLength: number;
  once(event: 'drain', fn: () => void): unknown;
}

export function watchFeed(sink: WatchSink, limit = WATCH_BACKLOG, now: () => Date = () => new Date()): (e: IpvxEvent) => void {
  let missed: Map<string, number> | undefined;
  const flush = () => {
    const m = missed!;
    missed = undefined;
    let n = 0;
    for (const v of m.values()) n += v;
    const byKind = [...m].map(([k, v]) => `${v} ${k}`).join(', ');
    sink.write({
      kind: 'missed', at: now().toISOString(), changesOmitted: n,
      reason: `${n} events not sent (${byKind}): this watcher fell ${limit} events behind; read the current state with GetStatus/GetStats`,
    });
  };
  return (e) => {
    if (!missed && sink.writableLength >= limit) {
      missed = new Map();
      sink.once('drain', flush);
    }
    if (missed) {
      missed.set(e.kind, (missed.get(e.kind) ?? 0) + 1);
      return;
    }
    sink.write(e);
  };
}

/**
 * Every Watch call's feed behind one listener on the controller's 'event': an
 * EventEmitter warns from its 11th listener (MaxListenersExceededWarning), and a
 * daemon may have hundreds of watchers. A feed that throws does not stop the others.
 */
export class WatchHub {
  private readonly feeds = new Set<(e: IpvxEvent) => void>();
  private readonly fanOut = (e: IpvxEvent) => {
    for (const f of this.feeds) {
      try { f(e); } catch { /* a broken stream ends on its own ('error'/'close' remove it) */ }
    }
  };

  constructor(private readonly source: Pick<EventEmitter, 'on' | 'off'>) {}

  /** Add a feed; returns its removal (idempotent). */
  add(feed: (e: IpvxEvent) => void): () => void {
    if (this.feeds.size === 0) this.source.on('event', this.fanOut);
    this.feeds.add(feed);
    return () => {
      if (!this.feeds.delete(feed)) return;
      if (this.feeds.size === 0) this.source.off('event', this.fanOut);
    };
  }
}
