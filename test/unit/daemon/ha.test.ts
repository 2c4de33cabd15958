// HaSupervisor with fake HA nodes: one node while HA is enabled, restarted on change,
// roles published through the Controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Controller, type IpvxEvent } from '../../../src/daemon/controller.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { HaSupervisor, type HaNodeLike } from '../../../src/daemon/ha.js';
import { emptyState, type HaSpec } from '../../../src/core/model.js';
import { logger, silentLogger } from '../../../src/common/log.js';

const HA: HaSpec = { enabled: true, localAddress: '192.0.2.250', peerAddress: '192.0.2.251', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: 'k', vips: [] };

class FakeNode extends EventEmitter implements HaNodeLike {
  started = false;
  stopped = false;
  constructor(readonly spec: HaSpec, private readonly failStart = false) { super(); }
  async start() { if (this.failStart) throw new Error('EADDRINUSE'); this.started = true; }
  async stop() { this.stopped = true; }
}

test('HA: node per enabled spec, restart on change, roles published, standalone when off', async () => {
  const c = new Controller({ dataplane: new MemoryDataplane(), health: false });
  await c.start();
  const nodes: FakeNode[] = [];
  const events: string[] = [];
  c.on('event', (e: IpvxEvent) => { if (e.kind === 'role') events.push(`${e.from}->${e.to} (${e.reason})`); });
  const sup = new HaSupervisor(c, (spec) => { const n = new FakeNode(spec); nodes.push(n); return n; }, silentLogger);
  sup.follow();

  await c.commit((s) => ({ ok: true, value: { ...s, ha: HA } }));
  await sup.sync(c.current.ha); // follow() queued it; this waits for the queue
  assert.equal(nodes.length, 1);
  assert.ok(nodes[0]!.started);
  nodes[0]!.emit('role', { role: 'active', previous: 'standby', reason: 'peer dead', at: 0 });
  assert.equal(c.role, 'active');

  await c.commit((s) => ({ ok: true, value: { ...s, timeouts: { ...s.timeouts, tcp: 600 } } }));
  await sup.sync(c.current.ha);
  assert.equal(nodes.length, 1, 'a change elsewhere does not restart HA');

  await c.commit((s) => ({ ok: true, value: { ...s, ha: { ...HA, priority: 50 } } }));
  await sup.sync(c.current.ha);
  assert.equal(nodes.length, 2);
  assert.ok(nodes[0]!.stopped, 'the old node gave up its VIPs first');
  assert.equal(nodes[1]!.spec.priority, 50);

  // HA taken out of the configuration: that is what the role change says.
  await c.commit((s) => ({ ok: true, value: { ...s, ha: { ...HA, enabled: false } } }));
  await sup.sync(c.current.ha);
  assert.ok(nodes[1]!.stopped);
  assert.equal(c.role, 'standalone');
  await c.commit((s) => ({ ok: true, value: { ...s, ha: HA } }));
  await sup.sync(c.current.ha);
  nodes[2]!.emit('role', { role: 'active', previous: 'standby', reason: 'peer dead', at: 0 });
  // An orderly stop is not "HA is not configured" (it said so).
  await sup.stop();
  assert.ok(nodes[2]!.stopped);
  assert.equal(c.role, 'standalone');
  assert.deepEqual(events, [
    'standalone->active (peer dead)', 'active->standalone (HA is not configured)',
    'standalone->active (peer dead)', 'active->standalone (the daemon is stopping: VIPs released, the peer told to take over)',
  ]);
  c.stop();
});

test('HA that cannot start shows as role fault with the reason', async () => {
  const c = new Controller({ dataplane: new MemoryDataplane(), health: false });
  const logs: string[] = [];
  const sup = new HaSupervisor(c, (spec) => new FakeNode(spec, true), logger((level, msg, f) => logs.push(`${level} ${msg} ${JSON.stringify(f)}`)));
  await sup.sync(HA);
  assert.equal(c.role, 'fault');
  assert.match(logs.join('\n'), /error HA change failed \{"error":"EADDRINUSE"\}/);
});
