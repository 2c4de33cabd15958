// The monitor with the real clock and the real checkers against a local server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { emptyState, type ServiceSpec } from '../../../src/core/model.js';
import { HealthMonitor, type HealthEvent } from '../../../src/health/monitor.js';
import { tcpServer } from './servers.js';

test('monitor (live): a real comes up when its server answers and goes down when it stops', { timeout: 20_000 }, async () => {
  const srv = await tcpServer((s) => s.end());
  const svc: ServiceSpec = {
    vip: '127.0.0.1', port: srv.port, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'nat',
    reals: [{ address: '127.0.0.1', port: 0, method: 'nat', weight: 5, upperThreshold: 0, lowerThreshold: 0 }],
    health: { check: { type: 'tcp' }, interval: 0.05, timeout: 2, rise: 1, fall: 1, onFailure: 'quiesce', alpha: true } as ServiceSpec['health'],
  };
  const m = new HealthMonitor();
  try {
    const up = once(m, 'transition');
    m.update({ ...emptyState(), services: [svc] });
    const [e1] = (await up) as [HealthEvent];
    assert.deepEqual([e1.from, e1.to, e1.reason], ['down', 'up', 'connected']);
    assert.equal(m.effectiveWeights().get(`tcp|127.0.0.1|${srv.port}`)!.get('127.0.0.1|0'), 5);
    const down = once(m, 'transition');
    await srv.close();
    const [e2] = (await down) as [HealthEvent];
    assert.deepEqual([e2.from, e2.to, e2.reason], ['up', 'down', 'connection refused']);
    assert.equal(m.effectiveWeights().get(`tcp|127.0.0.1|${srv.port}`)!.get('127.0.0.1|0'), 0);
  } finally {
    m.stop();
  }
});
