// The configuration's serial: a compare-and-swap revision so that read-modify-write
// clients (ipvx -R, apply --serial, the console) never overwrite a change they did not see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { harness, rejection } from './harness.js';
import { Controller, ApiError } from '../../../src/daemon/controller.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { stateToPlain } from '../../../src/config/schema.js';
import { stateFromMsg } from '../../../src/api/proto.js';
import type { DesiredState } from '../../../src/core/model.js';
import type { Service } from '../../../src/api/gen/ipvx/v1/Service.js';

const svc = (n: number): Service => ({ vip: `203.0.113.${n}`, port: 80, protocol: 'tcp', scheduler: 'rr', reals: [{ address: '192.0.2.1', weight: 1 }] });

/** GetConfig's state as ApplyConfig takes it back (what a read-modify-write client does). */
async function read(h: Awaited<ReturnType<typeof harness>>): Promise<{ state: DesiredState; serial: string }> {
  const msg = await h.client.getConfig();
  const r = stateFromMsg({ ...msg, serial: undefined } as never);
  assert.ok(r.ok);
  return { state: r.value, serial: String(msg.serial) };
}

test('serial: 1 for a new configuration, raised by every applied change, not by a dry run or a no-op', async () => {
  const h = await harness();
  try {
    assert.equal((await h.client.getConfig()).serial, '1');
    assert.equal((await h.client.getStatus()).configSerial, '1');
    await h.client.addService(svc(1));
    assert.equal((await h.client.getConfig()).serial, '2');
    const { state } = await read(h);
    const dry = await h.client.applyConfig(stateToPlain({ ...state, services: [] }) as never, true);
    assert.equal(dry.serial, '2');
    assert.deepEqual(dry.changes.map((x) => [x.op, x.kind]), [['-', 'service']]);
    const same = await h.client.applyConfig(stateToPlain(state) as never);
    assert.equal(same.applied, false);
    assert.equal(same.serial, '2');
    await h.client.clear();
    assert.equal((await h.client.getConfig()).serial, '3');
    assert.equal((await h.client.getStatus()).configSerial, '3');
  } finally { await h.close(); }
});

test('ApplyConfig with a stale expected serial is ABORTED and changes nothing; with the current one it applies', async () => {
  const h = await harness();
  try {
    await h.client.addService(svc(1));
    const mine = await read(h); // serial 2
    await h.client.addService(svc(2)); // another client, acknowledged: serial 3
    const saves = h.saved.length;
    const edited = stateToPlain({ ...mine.state, services: [...mine.state.services].reverse().slice(0, 0) });
    const r = await rejection(h.client.applyConfig(edited as never, false, mine.serial));
    assert.equal(r.code, grpc.status.ABORTED);
    assert.match(r.message, /expected_serial: the configuration changed since it was read \(serial 2, now 3\); nothing was changed/);
    assert.equal(h.saved.length, saves);
    assert.deepEqual((await h.client.getConfig()).services.map((s) => s.vip), ['203.0.113.1', '203.0.113.2']);
    // A dry run checks the serial too: its diff would not be the one applied.
    assert.equal((await rejection(h.client.applyConfig(edited as never, true, mine.serial))).code, grpc.status.ABORTED);
    // Read again, redo: applied, serial raised.
    const again = await read(h);
    const res = await h.client.applyConfig(stateToPlain({ ...again.state, services: again.state.services.slice(1) }) as never, false, again.serial);
    assert.equal(res.applied, true);
    assert.equal(res.serial, '4');
    assert.deepEqual((await h.client.getConfig()).services.map((s) => s.vip), ['203.0.113.2']);
  } finally { await h.close(); }
});

test('the config event carries the serial it made', async () => {
  const h = await harness();
  try {
    const w = h.client.watch();
    await w.subscribed;
    await h.client.addService(svc(1));
    for await (const e of w.events) {
      assert.equal(e.kind, 'config');
      assert.equal(e.serial, '2');
      break;
    }
    w.cancel();
  } finally { await h.close(); }
});

test('Controller: starts from the saved serial and saves each change with the next one', async () => {
  const saved: number[] = [];
  let diskFull = false;
  const c = new Controller({
    dataplane: new MemoryDataplane(), health: false, initialSerial: 41,
    save: (_s, serial) => { if (diskFull) throw new Error('disk full'); saved.push(serial); },
  });
  await c.start();
  try {
    assert.equal(c.serial, 41);
    const { vip, port, protocol } = svc(1);
    const r = await c.commitSummary((s) => ({ ok: true, value: { ...s, services: [{ vip: vip!, port: port!, protocol: protocol as 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [] }] } }));
    assert.equal(r.serial, 42);
    assert.deepEqual(saved, [42]);
    // A stale expected serial: refused before the edit runs.
    let edited = false;
    await assert.rejects(c.commitSummary((s) => { edited = true; return { ok: true, value: { ...s, services: [] } }; }, { expectedSerial: 41 }),
      (e: Error) => e instanceof ApiError && e.code === 'conflict' && e.field === 'expected_serial');
    assert.equal(edited, false);
    assert.equal(c.serial, 42);
    // A change that could not be saved is not applied and raises nothing.
    diskFull = true;
    await assert.rejects(c.commitSummary((s) => ({ ok: true, value: { ...s, services: [] } }), { expectedSerial: 42 }), /disk full/);
    assert.equal(c.serial, 42);
    assert.equal(c.current.services.length, 1);
    assert.deepEqual(saved, [42]);
  } finally { c.stop(); }
});
