// Heartbeat wire format: round trip, and every kind of bad datagram rejected and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { encode, decode, newDecodeState, HEARTBEAT_SIZE, type Heartbeat, type DecodeState } from '../../../src/ha/wire.js';
import { ReplayGuard } from '../../../src/ha/replay.js';

const KEY = 'correct horse battery staple';
const idA = Uint8Array.from([192, 0, 2, 1, ...new Array(12).fill(0)]);
const idB = Uint8Array.from([192, 0, 2, 2, ...new Array(12).fill(0)]);
const T0 = 1_700_000_000_000;

function hb(over: Partial<Heartbeat> = {}): Heartbeat {
  return { role: 'active', priority: 150, preempt: true, senderId: idA, bootId: 0x1234_5678_9abc_def0n, seq: 1n, timestamp: T0, ...over };
}

function receiver(now = { t: T0 }): { st: DecodeState; now: { t: number } } {
  return { st: newDecodeState({ windowMs: 600, now: () => now.t, selfId: idB }), now };
}

test('wire: encode/decode round trip keeps every field', () => {
  for (const m of [hb(), hb({ role: 'standby', priority: 0, preempt: false, seq: 2n ** 63n, bootId: 2n ** 64n - 1n }), hb({ role: 'fault', priority: 255, seq: 2n ** 64n - 1n })]) {
    const bytes = encode(m, KEY);
    assert.equal(bytes.length, HEARTBEAT_SIZE);
    const fresh = receiver().st; // one receiver per message: sequences differ in boot
    const r = decode(bytes, KEY, fresh);
    assert.ok(r.ok, r.ok ? '' : r.why);
    assert.deepEqual(r.msg, m);
    assert.equal(fresh.accepted, 1);
  }
});

test('wire: forged datagrams (wrong key, any flipped byte) are rejected as forged and counted', () => {
  const { st } = receiver();
  assert.deepEqual(decode(encode(hb(), 'wrong key'), KEY, st), { ok: false, kind: 'forged', why: 'HMAC does not match the shared key' });
  const good = encode(hb(), KEY);
  // Flip one bit in every byte after magic+version (those are checked first and give 'malformed').
  for (let i = 5; i < HEARTBEAT_SIZE; i++) {
    const bad = Uint8Array.from(good);
    bad[i]! ^= 0x01;
    const r = decode(bad, KEY, st);
    assert.equal(r.ok, false);
    assert.equal((r as { kind: string }).kind, 'forged', `byte ${i}`);
  }
  assert.equal(st.counters.forged, 1 + HEARTBEAT_SIZE - 5);
  assert.equal(st.accepted, 0);
  // The genuine one still goes through: forgeries did not move the replay state.
  assert.ok(decode(good, KEY, st).ok);
});

test('wire: malformed datagrams are rejected and counted', () => {
  const { st } = receiver();
  const good = encode(hb(), KEY);
  const cases: Uint8Array[] = [
    new Uint8Array(0),
    good.subarray(0, 79),
    Uint8Array.from([...good, 0]),
    (() => { const b = Uint8Array.from(good); b[0] = 0x58; return b; })(), // magic
    (() => { const b = Uint8Array.from(good); b[4] = 2; return b; })(), // version
    new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'),
  ];
  for (const c of cases) {
    const r = decode(c, KEY, st);
    assert.equal(r.ok, false);
    assert.equal((r as { kind: string }).kind, 'malformed');
  }
  // An unknown role with a valid MAC (a newer sender): malformed, not forged.
  const b = Uint8Array.from(encode(hb(), KEY));
  b[5] = 7;
  b.set(createHmac('sha256', KEY).update(b.subarray(0, 48)).digest(), 48);
  assert.equal((decode(b, KEY, st) as { kind: string }).kind, 'malformed');
  assert.equal(st.counters.malformed, cases.length + 1);
});

test('wire: replayed datagrams (sequence not above the last accepted) are rejected', () => {
  const { st, now } = receiver();
  assert.ok(decode(encode(hb({ seq: 5n }), KEY), KEY, st).ok);
  now.t += 100;
  assert.equal((decode(encode(hb({ seq: 5n }), KEY), KEY, st) as { kind: string }).kind, 'replayed');
  assert.equal((decode(encode(hb({ seq: 4n }), KEY), KEY, st) as { kind: string }).kind, 'replayed');
  assert.ok(decode(encode(hb({ seq: 6n, timestamp: T0 + 100 }), KEY), KEY, st).ok);
  assert.equal(st.counters.replayed, 2);
  assert.equal(st.accepted, 2);
});

test('wire: stale datagrams (timestamp outside the window, either way) are rejected', () => {
  const { st, now } = receiver();
  now.t = T0 + 601;
  assert.equal((decode(encode(hb(), KEY), KEY, st) as { kind: string }).kind, 'stale');
  assert.equal((decode(encode(hb({ timestamp: T0 + 1202 }), KEY), KEY, st) as { kind: string }).kind, 'stale');
  assert.ok(decode(encode(hb({ timestamp: T0 + 1 }), KEY), KEY, st).ok); // 600 ms old: still inside
  assert.equal(st.counters.stale, 2);
});

test('wire: our own heartbeat reflected back is rejected as own', () => {
  const { st } = receiver();
  assert.equal((decode(encode(hb({ senderId: idB }), KEY), KEY, st) as { kind: string }).kind, 'own');
  assert.equal(st.counters.own, 1);
});

test('wire: a restarted sender (new boot id) resumes from sequence 1 when fresh; old boot recordings stay out', () => {
  const { st, now } = receiver();
  const oldBoot = 111n, newBoot = 222n;
  const recorded = encode(hb({ bootId: oldBoot, seq: 900n, timestamp: T0 }), KEY);
  assert.ok(decode(recorded, KEY, st).ok);
  now.t = T0 + 300;
  // Restart: boot id changes, sequence starts again at 1, timestamp fresh.
  assert.ok(decode(encode(hb({ bootId: newBoot, seq: 1n, timestamp: T0 + 300 }), KEY), KEY, st).ok);
  assert.ok(decode(encode(hb({ bootId: newBoot, seq: 2n, timestamp: T0 + 350 }), KEY), KEY, st).ok);
  // Replaying the old boot within the window cannot switch us back to it...
  assert.equal((decode(recorded, KEY, st) as { kind: string }).kind, 'replayed');
  // ...and later it is stale.
  now.t = T0 + 5000;
  assert.equal((decode(recorded, KEY, st) as { kind: string }).kind, 'stale');
  // A new boot with a stale timestamp is not accepted either.
  assert.equal((decode(encode(hb({ bootId: 333n, seq: 1n, timestamp: T0 + 1000 }), KEY), KEY, st) as { kind: string }).kind, 'stale');
  // A restart after the sender was silent for a window is accepted (its clock may have stepped back a little).
  assert.ok(decode(encode(hb({ bootId: 444n, seq: 1n, timestamp: T0 + 4900 }), KEY), KEY, st).ok);
});

test('replay guard: reorder window accepts late sequences once, drops duplicates and ones too old', () => {
  const g = new ReplayGuard({ windowMs: 1000, reorder: 63 });
  const ok = (seq: bigint) => g.accept('p', 1n, seq, 0, 0);
  assert.equal(ok(10n), 'ok');
  assert.equal(ok(12n), 'ok');
  assert.equal(ok(11n), 'ok'); // late but inside the window
  assert.equal(ok(11n), 'replayed'); // duplicate
  assert.equal(ok(12n), 'replayed');
  assert.equal(ok(100n), 'ok');
  assert.equal(ok(37n), 'ok'); // 63 below: still inside
  assert.equal(ok(36n), 'replayed'); // 64 below: fell out of the window
  assert.equal(g.lastSeq('p'), 100n);
});
