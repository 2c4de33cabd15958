// BgpSupervisor with a fake BIRD: the config follows the VIPs that have a live real,
// role fault and stopping withdraw everything, a BIRD that refuses leaves an error that
// status shows and that is retried, and turning bgp off withdraws once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from '../../../src/daemon/controller.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { BgpSupervisor } from '../../../src/daemon/bgp.js';
import type { Bird, BirdSession } from '../../../src/bgp/bird.js';
import { emptyState, type BgpSpec, type DesiredState, type ServiceSpec } from '../../../src/core/model.js';
import { logger, silentLogger } from '../../../src/common/log.js';

const SPEC: BgpSpec = {
  enabled: true, localAs: 65001, routerId: '192.0.2.11', nextHop: '', peers: [{ address: '192.0.2.1', as: 65000, port: 0, password: '' }],
  birdConfig: '/nonexistent/bird.conf', birdSocket: '/nonexistent/bird.ctl', holdTime: 3, connectRetry: 1,
};

class FakeBird implements Bird {
  loads: string[] = [];
  refuse = '';
  async load(text: string) {
    if (this.refuse) throw new Error(this.refuse);
    this.loads.push(text);
  }
  async sessions(): Promise<BirdSession[]> {
    return [{ name: 'ipvx_peer1', state: 'up', info: 'Established', since: '10:00:00' }];
  }
  async routes() {
    return [...(this.loads.at(-1) ?? '').matchAll(/route (\S+) blackhole/g)].map((m) => m[1]!);
  }
  /** Prefixes of the last config loaded. */
  get announced() { return [...(this.loads.at(-1) ?? '').matchAll(/route (\S+) blackhole/g)].map((m) => m[1]!); }
}

const svc = (vip: string, weight: number): ServiceSpec => ({
  vip, port: 80, protocol: 'tcp', scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
  reals: [{ address: '198.51.100.21', port: 80, method: 'dr', weight, upperThreshold: 0, lowerThreshold: 0 }],
});

test('BGP: announcements follow live reals, role and stop; failures are reported and retried', async () => {
  const bird = new FakeBird();
  const c = new Controller({ dataplane: new MemoryDataplane(), health: false });
  await c.start();
  const logs: string[] = [];
  const sup = new BgpSupervisor(c, () => bird, logger((_l, m) => logs.push(m)));
  sup.follow();
  const set = async (f: (s: DesiredState) => DesiredState) => { await c.commit((s) => ({ ok: true, value: f(s) })); await sup.sync(); };

  await sup.sync();
  assert.equal(bird.loads.length, 0, 'bgp never enabled: BIRD is not touched');
  assert.equal(await sup.status(), undefined);

  await set((s) => ({ ...s, services: [svc('203.0.113.10', 1), svc('203.0.113.11', 0)], bgp: SPEC }));
  assert.deepEqual(bird.announced, ['203.0.113.10/32'], 'a VIP whose only real is at weight 0 is not announced');
  const n = bird.loads.length;
  await sup.sync();
  assert.equal(bird.loads.length, n, 'no reload when nothing changed');

  await set((s) => ({ ...s, services: [svc('203.0.113.10', 0), svc('203.0.113.11', 2)] }));
  assert.deepEqual(bird.announced, ['203.0.113.11/32']);

  const st = await sup.status();
  assert.deepEqual(st, {
    announced: ['203.0.113.11/32'], wanted: ['203.0.113.11/32'], error: '', withdrawnReason: '',
    sessions: [{ name: 'ipvx_peer1', peer: '192.0.2.1', state: 'Established', info: 'Established', since: '10:00:00' }],
  });

  // HA fault: everything withdrawn; back to active: announced again.
  c.setRole('fault', 'link down');
  await sup.sync();
  assert.deepEqual(bird.announced, []);
  assert.match((await sup.status())!.withdrawnReason, /fault/);
  c.setRole('active', 'recovered');
  await sup.sync();
  assert.deepEqual(bird.announced, ['203.0.113.11/32']);

  // BIRD refuses: the error is kept and shown; the next sync tries again.
  bird.refuse = 'Unable to connect to server control socket';
  await set((s) => ({ ...s, services: [svc('203.0.113.10', 1), svc('203.0.113.11', 2)] }));
  assert.match((await sup.status())!.error, /control socket/);
  assert.deepEqual(bird.announced, ['203.0.113.11/32'], 'the last config BIRD took is still in force');
  bird.refuse = '';
  await sup.sync();
  assert.deepEqual(bird.announced, ['203.0.113.10/32', '203.0.113.11/32']);
  assert.equal((await sup.status())!.error, '');

  // Stopping withdraws everything, sessions stay configured.
  await sup.stop();
  assert.deepEqual(bird.announced, []);
  assert.match(bird.loads.at(-1)!, /protocol bgp ipvx_peer1/);
  c.stop();
});

test('BGP: turning it off withdraws once, then leaves BIRD alone', async () => {
  const bird = new FakeBird();
  const c = new Controller({ dataplane: new MemoryDataplane(), health: false, initial: { ...emptyState(), services: [svc('203.0.113.10', 1)], bgp: SPEC } });
  await c.start();
  const sup = new BgpSupervisor(c, () => bird, silentLogger);
  sup.follow();
  await sup.sync();
  assert.deepEqual(bird.announced, ['203.0.113.10/32']);
  await c.commit((s) => ({ ok: true, value: { ...s, bgp: { ...SPEC, enabled: false } } }));
  await sup.sync();
  assert.deepEqual(bird.announced, []);
  const n = bird.loads.length;
  await c.commit((s) => ({ ok: true, value: { ...s, services: [svc('203.0.113.10', 1), svc('203.0.113.12', 1)] } }));
  await sup.sync();
  await sup.stop();
  assert.equal(bird.loads.length, n, 'not reloaded while off');
  c.stop();
});
