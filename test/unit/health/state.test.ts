import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolicy } from '../../../src/health/policy.js';
import { initialHealth, observe, type RealHealth, type Transition } from '../../../src/health/state.js';
import type { CheckResult } from '../../../src/health/types.js';

const OK: CheckResult = { ok: true, reason: 'connected', latencyMs: 1 };
const refused: CheckResult = { ok: false, reason: 'connection refused', latencyMs: 1 };

function feed(h: RealHealth, results: CheckResult[], policy = checkPolicy(spec()), start = 0) {
  const transitions: Transition[] = [];
  const times: number[] = [];
  let now = start;
  for (const r of results) {
    now = h.nextCheckAt;
    times.push(now);
    const o = observe(h, r, policy, now);
    h = o.health;
    if (o.transition) transitions.push(o.transition);
  }
  return { h, transitions, times };
}

function spec(over: Record<string, unknown> = {}) {
  return { check: { type: 'tcp' as const }, interval: 10, timeout: 3, rise: 2, fall: 3, onFailure: 'quiesce' as const, ...over };
}

test('state: starts up by default, down with alpha', () => {
  assert.equal(initialHealth(checkPolicy(spec()), 0).state, 'up');
  const a = initialHealth(checkPolicy(spec({ alpha: true })), 0);
  assert.equal(a.state, 'down');
  assert.match(a.reason, /alpha/);
});

test('state: up -> down after `fall` consecutive failures, with the last reason', () => {
  const p = checkPolicy(spec());
  const { h, transitions } = feed(initialHealth(p, 0), [refused, refused, OK, refused, refused, refused], p);
  assert.equal(h.state, 'down');
  assert.equal(transitions.length, 1);
  assert.deepEqual({ ...transitions[0], at: undefined }, { from: 'up', to: 'down', reason: 'connection refused (3 consecutive failures)', at: undefined });
  assert.equal(h.reason, 'connection refused (3 consecutive failures)');
  assert.equal(h.consecutiveFail, 3);
});

test('state: down -> up after `rise` consecutive successes', () => {
  const p = checkPolicy(spec({ alpha: true }));
  const { h, transitions } = feed(initialHealth(p, 0), [OK, refused, OK, OK], p);
  assert.equal(h.state, 'up');
  assert.equal(transitions.length, 1);
  assert.equal(transitions[0]!.to, 'up');
  assert.equal(transitions[0]!.reason, 'connected (2 consecutive successes)');
});

test('state: alpha with rise 1 comes up on the first success', () => {
  const p = checkPolicy(spec({ alpha: true, rise: 1 }));
  const { transitions } = feed(initialHealth(p, 0), [OK], p);
  assert.deepEqual(transitions.map((t) => [t.from, t.to, t.reason]), [['down', 'up', 'connected']]);
});

test('state: delay_before_retry: failures while up are retried sooner, then the interval resumes', () => {
  const p = checkPolicy(spec({ delayBeforeRetry: 2, fall: 3 }));
  // first check at t=1000 (the monitor's jitter)
  const { times, h } = feed(initialHealth(p, 0, 1000), [OK, refused, refused, refused, refused, OK, OK], p);
  // 1000 ok -> +10s; fail -> +2s; fail -> +2s; 3rd fail = down -> +10s; fail (down) -> +10s; ok -> +10s; ok
  assert.deepEqual(times, [1000, 11000, 13000, 15000, 25000, 35000, 45000]);
  assert.equal(h.state, 'up');
});

test('state: without delay_before_retry failures are re-checked on the interval', () => {
  const p = checkPolicy(spec());
  const { times } = feed(initialHealth(p, 0), [refused, refused, refused], p);
  assert.deepEqual(times, [0, 10000, 20000]);
});

test('state: every transition carries a reason', () => {
  const p = checkPolicy(spec({ rise: 1, fall: 1 }));
  const results = [refused, OK, { ok: false, reason: 'HTTP 500', latencyMs: 1 }, { ok: true, reason: 'HTTP 200', latencyMs: 1 }];
  const { transitions } = feed(initialHealth(p, 0), results, p);
  assert.deepEqual(transitions.map((t) => `${t.from}->${t.to}: ${t.reason}`), [
    'up->down: connection refused',
    'down->up: connected',
    'up->down: HTTP 500',
    'down->up: HTTP 200',
  ]);
});
