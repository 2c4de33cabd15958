// A Watch call's feed: bounded, and a watcher that fell behind is told what it missed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { watchFeed } from '../../../src/api/watch.js';
import type { IpvxEvent } from '../../../src/daemon/controller.js';

class Sink extends EventEmitter {
  readonly written: IpvxEvent[] = [];
  pending = 0;
  get writableLength() { return this.pending; }
  write(e: IpvxEvent): boolean { this.written.push(e); this.pending++; return false; }
  drain() { this.pending = 0; this.emit('drain'); }
}
const ev = (kind: IpvxEvent['kind'], i: number): IpvxEvent => ({ kind, at: '2024-01-01T00:00:00.000Z', real: String(i) });

test('past the backlog limit events are counted, and after the drain one missed event says how many, then the feed goes on', () => {
  const sink = new Sink();
  const send = watchFeed(sink, 3, () => new Date('2024-01-02T00:00:00.000Z'));
  for (let i = 0; i < 3; i++) send(ev('real', i));
  assert.equal(sink.written.length, 3);
  for (let i = 3; i < 10; i++) send(ev('real', i));
  send(ev('service', 10));
  assert.equal(sink.written.length, 3, 'nothing queued beyond the limit');
  sink.drain();
  assert.equal(sink.written.length, 4);
  const m = sink.written[3]!;
  assert.equal(m.kind, 'missed');
  assert.equal(m.changesOmitted, 8);
  assert.match(m.reason!, /^8 events not sent \(7 real, 1 service\)/);
  sink.drain();
  send(ev('real', 11));
  assert.deepEqual(sink.written.at(-1), ev('real', 11), 'delivered again once caught up');
  assert.equal(sink.written.filter((e) => e.kind === 'missed').length, 1, 'one missed event per lag');
});

test('a watcher that keeps up gets every event and no missed event', () => {
  const sink = new Sink();
  const send = watchFeed(sink, 3);
  for (let i = 0; i < 20; i++) {
    send(ev('real', i));
    sink.drain();
  }
  assert.equal(sink.written.length, 20);
  assert.ok(sink.written.every((e) => e.kind === 'real'));
});

test('50 Watch streams: every one gets the change, no MaxListenersExceededWarning (it came from the 11th), none left after they end', async () => {
  const { harness } = await import('./harness.js');
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const h = await harness();
  try {
    const listenersBefore = h.controller.listenerCount('event');
    const watches = Array.from({ length: 50 }, () => h.client.watch());
    await Promise.all(watches.map((w) => w.subscribed));
    const firsts = watches.map(async (w) => { for await (const e of w.events) return e; return undefined; });
    await h.client.addService({ vip: '203.0.113.10', port: 80 });
    const got = await Promise.all(firsts);
    assert.equal(got.filter((e) => e?.kind === 'config').length, 50);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    assert.ok(h.controller.listenerCount('event') <= listenersBefore + 1, 'one listener for all watchers');
    for (const w of watches) w.cancel();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.controller.listenerCount('event'), listenersBefore, 'cancelled watchers are gone');
  } finally {
    process.off('warning', onWarning);
    await h.close();
  }
});
