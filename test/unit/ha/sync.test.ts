// Connection sync: bounded batches and rate, HMAC, de-duplication, exactly the sent
// entries installed, full resync for a late standby, queue limit with drop counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOW, IPPROTO } from '../../../src/dataplane/codec.js';
import { portableFlowKey as flowKey, portableFlowVal, portablePersistKey, portablePersistVal } from '../../../src/dataplane/portable.js';
import { SyncSender, SyncReceiver, encodeBatch, decodeBatch, entryBytes, SYNC_HEADER, type SyncEntry } from '../../../src/ha/sync.js';
import { MAC_SIZE } from '../../../src/ha/wire.js';

const KEY = 'sync key';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function real(i: number): Uint8Array {
  const a = new Uint8Array(16); a.set([192, 0, 2, 100 + i]);
  return a;
}

function flow(i: number, op: 'upsert' | 'delete' = 'upsert'): SyncEntry {
  const src = new Uint8Array(16); src.set([198, 51, 100, i & 0xff, (i >> 8) & 0xff]);
  const dst = new Uint8Array(16); dst.set([203, 0, 113, 10]);
  const key = flowKey.encode({ src, dst, sport: 1024 + (i % 60000), dport: 80, proto: IPPROTO.tcp, family: 4 });
  return op === 'upsert'
    ? { kind: 'flow', op, key, value: portableFlowVal.encode({ real: real(i % 7), rport: 80, svcPort: 80, state: FLOW.est, flags: 0, ageMs: i, clientMac: new Uint8Array(6), ifname: new Uint8Array(16) }) }
    : { kind: 'flow', op, key };
}

function persist(i: number): SyncEntry {
  const client = new Uint8Array(16); client.set([198, 51, 100, i & 0xff]);
  const vip = new Uint8Array(16); vip.set([203, 0, 113, 10]);
  return { kind: 'persist', op: 'upsert', key: portablePersistKey.encode({ vip, svcPort: 0, proto: IPPROTO.tcp, family: 4, client }), value: portablePersistVal.encode({ real: real(1), rport: 80, ageMs: 5 }) };
}

function pair(over: { maxBatchBytes?: number; maxDatagramsPerSec?: number; burst?: number; queueLimit?: number; fullResyncMs?: number; snapshot?: () => Iterable<SyncEntry> } = {}) {
  const clock = { t: 1_700_000_000_000 };
  const wire: Uint8Array[] = [];
  const table = new Map<string, SyncEntry>();
  const sender = new SyncSender({ key: KEY, now: () => clock.t, send: (d) => wire.push(d), ...over });
  const receiver = new SyncReceiver({
    key: KEY, now: () => clock.t, windowMs: 2000,
    install: (e) => table.set(`${e.kind}:${hex(e.key)}`, e),
    remove: (e) => table.delete(`${e.kind}:${hex(e.key)}`),
  });
  const deliver = () => { for (const d of wire.splice(0)) receiver.receive(d); };
  return { clock, wire, table, sender, receiver, deliver };
}

test('sync: batch encode/decode round trip with both kinds and both ops', () => {
  const entries = [flow(1), flow(2, 'delete'), persist(3)];
  const d = encodeBatch(entries, { bootId: 9n, seq: 4n, timestamp: 1234 }, KEY);
  assert.equal(d.length, SYNC_HEADER + entries.reduce((n, e) => n + entryBytes(e), 0) + MAC_SIZE);
  const r = decodeBatch(d, KEY);
  assert.ok(r.ok);
  assert.deepEqual(r.batch, { bootId: 9n, seq: 4n, timestamp: 1234, entries });
  // Entries of the wrong size never get on the wire.
  assert.throws(() => encodeBatch([{ kind: 'flow', op: 'upsert', key: new Uint8Array(39), value: new Uint8Array(52) }], { bootId: 1n, seq: 1n, timestamp: 0 }, KEY), /40/);
});

test('sync: the receiver installs exactly the sent entries; deletes remove; batches stay under maxBatchBytes', () => {
  const { sender, wire, table, deliver, clock } = pair({ maxBatchBytes: 600, maxDatagramsPerSec: 1e6, burst: 1000 });
  const sent = new Map<string, SyncEntry>();
  for (let i = 0; i < 500; i++) {
    const e = i % 10 === 0 ? persist(i) : flow(i);
    sender.push(e);
    sent.set(`${e.kind}:${hex(e.key)}`, e);
  }
  clock.t += 1;
  sender.pump();
  assert.ok(wire.length > 1);
  for (const d of wire) assert.ok(d.length <= 600, `${d.length} bytes`);
  deliver();
  assert.deepEqual(new Map([...table].sort()), new Map([...sent].sort()));
  sender.push(flow(1, 'delete'));
  sender.push(flow(2, 'delete'));
  sender.pump();
  deliver();
  assert.equal(table.size, sent.size - 2);
  assert.ok(!table.has(`flow:${hex(flow(1).key)}`));
});

test('sync: the newest op per key wins in the queue (an upsert then a delete sends only the delete)', () => {
  const { sender, table, deliver } = pair();
  sender.push(flow(1));
  sender.push(flow(2));
  sender.push(flow(1, 'delete'));
  assert.equal(sender.stats().queued, 2);
  sender.pump();
  deliver();
  assert.deepEqual([...table.keys()], [`flow:${hex(flow(2).key)}`]);
});

test('sync: rate bounded by a token bucket; the rest waits its turn', () => {
  const { sender, wire, clock } = pair({ maxBatchBytes: 200, maxDatagramsPerSec: 100, burst: 5 });
  for (let i = 0; i < 100; i++) sender.push(flow(i));
  assert.equal(sender.pump(), 5); // the burst
  assert.equal(sender.pump(), 0); // no time passed
  clock.t += 100; // 100 ms at 100/s = 10 tokens, capped at the burst
  assert.equal(sender.pump(), 5);
  clock.t += 30;
  assert.equal(sender.pump(), 3);
  assert.equal(wire.length, 13);
  assert.ok(sender.busy);
  assert.equal(sender.stats().lagMs, 130);
});

test('sync: a full queue drops and counts; nothing is lost silently', () => {
  const { sender } = pair({ queueLimit: 10 });
  let accepted = 0;
  for (let i = 0; i < 25; i++) if (sender.push(flow(i))) accepted++;
  assert.equal(accepted, 10);
  assert.equal(sender.push(flow(3)), true); // an update of a queued key still fits
  assert.deepEqual([sender.stats().queued, sender.stats().dropped], [10, 15]);
});

test('sync: forged, tampered, replayed, duplicated and stale datagrams are rejected and counted', () => {
  const { sender, wire, receiver, table, clock } = pair();
  sender.push(flow(1));
  sender.pump();
  const [d] = wire.splice(0);
  const other = new SyncSender({ key: 'not the key', now: () => clock.t, send: (x) => wire.push(x) });
  other.push(flow(66));
  other.pump();
  assert.deepEqual(receiver.receive(wire.pop()!), { ok: false, kind: 'forged', why: 'HMAC does not match the shared key' });
  const tampered = Uint8Array.from(d!);
  tampered[SYNC_HEADER + 5]! ^= 1;
  assert.equal((receiver.receive(tampered) as { kind: string }).kind, 'forged');
  assert.equal((receiver.receive(d!.subarray(0, 20)) as { kind: string }).kind, 'malformed');
  assert.deepEqual(receiver.receive(d!), { ok: true, entries: 1 });
  assert.equal((receiver.receive(d!) as { kind: string }).kind, 'replayed');
  sender.push(flow(2));
  sender.pump();
  const late = wire.pop()!;
  clock.t += 2001;
  assert.equal((receiver.receive(late) as { kind: string }).kind, 'stale');
  assert.deepEqual([...table.keys()], [`flow:${hex(flow(1).key)}`]);
  const st = receiver.stats();
  assert.deepEqual(st.rejected, { malformed: 1, forged: 2, replayed: 1, stale: 1, own: 0, foreign: 0 });
  assert.equal(st.installed, 1);
});

test('sync: datagrams reordered on the way are all applied once', () => {
  const { sender, wire, receiver, table } = pair({ maxBatchBytes: 200 });
  for (let i = 0; i < 30; i++) sender.push(flow(i));
  sender.pump();
  const ds = wire.splice(0);
  for (const d of [...ds].reverse()) receiver.receive(d);
  for (const d of ds) receiver.receive(d); // every one again: duplicates
  assert.equal(table.size, 30);
  assert.equal(receiver.stats().installed, 30);
  assert.equal(receiver.stats().rejected.replayed, ds.length);
});

test('sync: periodic full resync brings a standby that started late up to date, lazily and rate-bounded', () => {
  const live = new Map<string, SyncEntry>();
  for (let i = 0; i < 300; i++) live.set(String(i), flow(i));
  let reads = 0;
  function* snapshot() { for (const e of live.values()) { reads++; yield e; } }
  const { sender, wire, clock } = pair({ fullResyncMs: 10_000, snapshot, maxBatchBytes: 1400, maxDatagramsPerSec: 100, burst: 2 });
  // The standby starts now: it missed everything before.
  const table = new Map<string, SyncEntry>();
  const late = new SyncReceiver({ key: KEY, now: () => clock.t, windowMs: 2000, install: (e) => table.set(hex(e.key), e), remove: () => {} });
  clock.t += 9_999;
  sender.pump();
  assert.equal(wire.length, 0); // not due yet
  clock.t += 1;
  sender.pump();
  assert.equal(wire.length, 2); // the burst: the rest is read when tokens allow
  assert.ok(reads < 300, `read ${reads} entries for 2 datagrams`);
  for (let i = 0; i < 100 && sender.busy; i++) { clock.t += 10; sender.pump(); }
  for (const d of wire.splice(0)) late.receive(d);
  assert.equal(table.size, 300);
  assert.equal(sender.stats().fullResyncs, 1);
  for (const d of table.values()) assert.ok(d.value && d.value.length === portableFlowVal.size);
});
