// The Controller with health monitoring on (as the daemon runs it), over a MemoryDataplane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, LARGE_CHANGE } from '../../../src/daemon/controller.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import * as edit from '../../../src/core/edit.js';
import { emptyState, type ServiceSpec } from '../../../src/core/model.js';
import { startServer } from '../../../src/api/server.js';
import { IpvxClient } from '../../../src/api/client.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../lib/wait.js';

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

test('health transitions reach Watch as real events, and the data plane gets the quiesced weight', async () => {
  let healthy = true;
  const dp = new MemoryDataplane();
  const c = new Controller({
    dataplane: dp,
    initial: { ...emptyState(), services: [{ ...SVC, reals: [{ ...real('192.0.2.1'), health: { check: { type: 'tcp' }, interval: 0.01, timeout: 0.01, rise: 1, fall: 1, onFailure: 'quiesce' } }] }] },
    healthOptions: { check: async () => ({ ok: healthy, reason: healthy ? 'connected' : 'connection refused', latencyMs: 0 }), random: () => 0 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-health-'));
  await c.start();
  const s = await startServer({ controller: c, socketPath: join(dir, 's.sock') });
  const client = new IpvxClient(`unix:${join(dir, 's.sock')}`);
  const weight = () => dp.applied!.services[0]!.reals[0]!.weight;
  try {
    const w = client.watch();
    await w.subscribed;
    healthy = false;
    const seen: string[] = [];
    for await (const e of w.events) {
      if (e.kind !== 'real') continue;
      seen.push(`${e.service} ${e.real} ${e.from}->${e.to} ${e.reason}`);
      if (seen.length === 1) {
        await until('the data plane to get the refused real at weight 0', () => weight() === 0);
        healthy = true;
      }
      if (seen.length === 2) break;
    }
    w.cancel();
    assert.match(seen[0]!, /^tcp\|203\.0\.113\.10\|80 192\.0\.2\.1\|80 up->down .*connection refused/);
    assert.match(seen[1]!, /^tcp\|203\.0\.113\.10\|80 192\.0\.2\.1\|80 down->up .*connected/);
    await until('the data plane to get the recovered real back at weight 1', () => weight() === 1);
    assert.equal(c.current.services[0]!.reals[0]!.weight, 1, 'health never changes the desired state');
  } finally {
    client.close();
    c.stop();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});


test('onLargeChange: called before the writes and after the save of an applied whole-state change of LARGE_CHANGE or more; before the writes only when the change then fails; not for dry runs, small reloads or targeted edits', async () => {
  const dp = new MemoryDataplane({ record: false });
  let released = 0;
  const whens: string[] = [];
  const c = new Controller({ dataplane: dp, health: false, onLargeChange: (when) => { released++; whens.push(when); } });
  await c.start();
  // 100 services x 10 reals = 1,100 service and real changes.
  const big = { ...emptyState(), services: Array.from({ length: 100 }, (_, i) => ({ ...SVC, port: 1000 + i, reals: Array.from({ length: 10 }, (_, j) => real(`192.0.2.${j + 1}`)) })) };
  assert.ok(100 * 11 >= LARGE_CHANGE);
  await c.commit(() => ({ ok: true, value: big }), { dryRun: true });
  assert.equal(released, 0, 'dry run');
  dp.failNext = new Error('injected');
  await assert.rejects(c.commit(() => ({ ok: true, value: big })), /not applied/);
  assert.equal(released, 1, 'failed change: before the writes only');
  await c.commit(() => ({ ok: true, value: big }));
  assert.equal(released, 3, 'whole-state change of 1,100 entries: before the writes and after the save');
  assert.deepEqual(whens, ['before-writes', 'before-writes', 'after']);
  await c.commit((s) => edit.editReal(s, { ...KEY, port: 1000 }, { ...c.current.services[0]!.reals[0]!, weight: 3 }));
  assert.equal(released, 3, 'targeted edit');
  const small = { ...emptyState(), services: big.services.slice(0, 99) }; // 11 changes, as a reload
  await c.commit(() => ({ ok: true, value: small }));
  assert.equal(released, 3, 'small reload');
  await c.commit(() => ({ ok: true, value: emptyState() }));
  assert.equal(released, 3, 'emptying 99 services is 99 changes (a removed service lists its reals with it)');
  const many = { ...emptyState(), services: Array.from({ length: LARGE_CHANGE }, (_, i) => ({ ...SVC, port: 1 + i, reals: [real('192.0.2.1')] })) };
  await c.commit(() => ({ ok: true, value: many }));
  assert.equal(released, 5, `${LARGE_CHANGE} services x 1 real`);
  await c.commit(() => ({ ok: true, value: emptyState() }));
  assert.equal(released, 7, `emptying ${LARGE_CHANGE} services`);
  c.stop();
});
