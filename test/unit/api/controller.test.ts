// The Controller with health monitoring on (as the daemon runs it), over a MemoryDataplane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from '../../../src/api/controller.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import * as edit from '../../../src/core/edit.js';
import { emptyState, type ServiceSpec } from '../../../src/core/model.js';

const KEY = { vip: '203.0.113.10', port: 80, protocol: 'tcp' as const };
const SVC: ServiceSpec = { ...KEY, scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [] };
const real = (address: string) => ({ address, port: 80, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 });

test('with health monitoring on, a real added later reaches the data plane at once', async () => {
  const dp = new MemoryDataplane();
  const c = new Controller({ dataplane: dp, initial: { ...emptyState(), services: [{ ...SVC, reals: [real('192.0.2.1')] }] } });
  try {
    await c.start();
    assert.deepEqual(dp.applied!.services[0]!.reals.map((r) => r.address), ['192.0.2.1']);
    await c.commit((s) => edit.addReal(s, KEY, real('192.0.2.2')));
    assert.deepEqual(dp.applied!.services[0]!.reals.map((r) => r.address), ['192.0.2.1', '192.0.2.2']);
    // A failed apply puts back the previous reals, with the monitor in step.
    dp.failNext = new Error('boom');
    await assert.rejects(c.commit((s) => edit.addReal(s, KEY, real('192.0.2.3'))), /the change was not applied \(the previous state stays\): boom/);
    assert.deepEqual(dp.applied!.services[0]!.reals.map((r) => r.address), ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(c.current.services[0]!.reals.map((r) => r.address), ['192.0.2.1', '192.0.2.2']);
  } finally {
    c.stop();
  }
});

test('dry run and no-op changes neither apply nor save nor publish', async () => {
  const dp = new MemoryDataplane();
  let saves = 0, events = 0;
  const c = new Controller({ dataplane: dp, health: false, save: () => { saves++; } });
  c.on('event', () => { events++; });
  await c.start();
  const applies = dp.applies;
  const changes = await c.commit((s) => edit.addService(s, SVC), { dryRun: true });
  assert.deepEqual(changes.map((x) => `${x.op}${x.kind}`), ['+service']);
  assert.deepEqual(await c.commit((s) => edit.setTimeouts(s, { tcp: 0, tcpFin: 0, udp: 0 })), []);
  assert.equal(dp.applies, applies);
  assert.equal(saves, 0);
  assert.equal(events, 0);
  c.stop();
});
