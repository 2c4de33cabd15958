import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, type ServiceSpec } from '../../../src/core/model.js';
import { applyHealth } from '../../../src/health/adjust.js';
import { quorumUp } from '../../../src/health/quorum.js';
import { evaluateService, type RealInput } from '../../../src/health/service-health.js';
import { realWeight } from '../../../src/health/weights.js';

const real = (id: string, state: 'up' | 'down', over: Partial<RealInput> = {}): RealInput => ({
  id,
  configured: 10,
  state,
  onFailure: 'quiesce',
  ...over,
});

test('weights: quiesce gives 0, remove gives null (taken out)', () => {
  assert.equal(realWeight(10, 'down', 'quiesce'), 0);
  assert.equal(realWeight(10, 'down', 'remove'), null);
  assert.equal(realWeight(10, 'up', 'remove'), 10);
});

test('weights: misc_dynamic weight replaces the configured one; agent percent scales it; load scales the rest', () => {
  assert.equal(realWeight(10, 'up', 'quiesce', { ok: true, reason: 'exit 7', weight: 5, latencyMs: 1 }), 5);
  assert.equal(realWeight(10, 'up', 'quiesce', { ok: true, reason: 'agent', weightPercent: 75, latencyMs: 1 }), 8);
  assert.equal(realWeight(10, 'up', 'quiesce', undefined, { smoothed: 5, published: 5 }), 5);
});

test('service: quiesced reals stay with 0, removed reals are absent', () => {
  const o = evaluateService(
    [real('a|80', 'up'), real('b|80', 'down'), real('c|80', 'down', { onFailure: 'remove' })],
    { quorum: 1, hysteresis: 0 },
    undefined,
  );
  assert.deepEqual([...o.weights], [['a|80', 10], ['b|80', 0]]);
  assert.equal(o.up, true);
  assert.equal(o.sorryActive, false);
});

test('service: the sorry server serves when no real is up, and only then', () => {
  const sorry = { address: '198.51.100.99', port: 80 };
  const down = evaluateService([real('a|80', 'down'), real('b|80', 'down', { onFailure: 'remove' })], { quorum: 1, hysteresis: 0 }, true, sorry);
  assert.equal(down.up, false);
  assert.equal(down.sorryActive, true);
  assert.deepEqual([...down.weights], [['a|80', 0], ['198.51.100.99|80', 1]]);
  const up = evaluateService([real('a|80', 'up'), real('b|80', 'down')], { quorum: 1, hysteresis: 0 }, false, sorry);
  assert.equal(up.sorryActive, false);
  assert.equal(up.weights.has('198.51.100.99|80'), false);
  // Without a sorry server the service is down but nothing is added.
  const none = evaluateService([real('a|80', 'down')], { quorum: 1, hysteresis: 0 }, true);
  assert.equal(none.sorryActive, false);
  assert.deepEqual([...none.weights], [['a|80', 0]]);
});

test('quorum with hysteresis: down below q-h, up again at q+h', () => {
  const policy = { quorum: 20, hysteresis: 5 };
  let up: boolean | undefined;
  const trace: string[] = [];
  for (const sum of [30, 20, 16, 15, 14, 20, 24, 25, 19]) {
    up = quorumUp(sum, policy, up);
    trace.push(`${sum}:${up ? 'up' : 'down'}`);
  }
  assert.deepEqual(trace, ['30:up', '20:up', '16:up', '15:up', '14:down', '20:down', '24:down', '25:up', '19:up']);
});

test('applyHealth: reals take their effective weights, removed reals go, the sorry server is added', () => {
  const svc: ServiceSpec = {
    vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: [
      { address: '198.51.100.1', port: 80, method: 'dr', weight: 10, upperThreshold: 0, lowerThreshold: 0 },
      { address: '198.51.100.2', port: 80, method: 'dr', weight: 10, upperThreshold: 0, lowerThreshold: 0 },
    ],
    sorryServer: { address: '198.51.100.99', port: 80, method: 'nat' },
  };
  const state = { ...emptyState(), services: [svc] };
  const weights = new Map([['tcp|203.0.113.10|80', new Map([['198.51.100.1|80', 0], ['198.51.100.99|80', 1]])]]);
  const out = applyHealth(state, weights);
  assert.deepEqual(out.services[0]!.reals.map((r) => [r.address, r.weight, r.method]), [
    ['198.51.100.1', 0, 'dr'],
    ['198.51.100.99', 1, 'nat'],
  ]);
  assert.equal(state.services[0]!.reals.length, 2, 'input untouched');
});
