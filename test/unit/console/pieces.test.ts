// The console's pure pieces: login throttle, secrets and local-only fields, rate history,
// listen rules, and the daemon's field errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, MAX_DELAY_MS } from '../../../src/console/throttle.js';
import { checkLocalOnly, redactSecrets, restoreSecrets, MASK } from '../../../src/console/guard.js';
import { RateHistory } from '../../../src/console/history.js';
import { listenPlan, parseListen } from '../../../src/console/listen.js';
import { fieldErrors } from '../../../src/console/daemon-link.js';
import { expired } from '../../../src/console/sessions.js';
import type { DesiredState, ServiceSpec } from '../../../src/core/model.js';

test('throttle: each failure doubles the wait up to a minute, per client; a success forgets; one attempt at a time', () => {
  let now = 0;
  const t = new LoginThrottle(() => now);
  const fail = (c: string) => { const a = t.admit(c); assert.ok(a.ok, `${c} admitted at ${now}`); a.done(false); };
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    fail('192.0.2.1');
    const a = t.admit('192.0.2.1');
    assert.equal(a.ok, false);
    waits.push((a as { retryAfterMs: number }).retryAfterMs);
    now += (a as { retryAfterMs: number }).retryAfterMs;
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 32000, MAX_DELAY_MS, MAX_DELAY_MS]);
  assert.ok(t.admit('192.0.2.2').ok, 'another client is not slowed');
  const busy = t.admit('192.0.2.3');
  assert.ok(busy.ok);
  assert.equal(t.admit('192.0.2.3').ok, false, 'a second attempt while the first runs');
  busy.done(true);
  const good = t.admit('192.0.2.1');
  assert.ok(good.ok);
  good.done(true);
  assert.equal(t.failures('192.0.2.1'), 0);
});

const svc = (extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [], ...extra,
});
const state = (services: ServiceSpec[], extra: Partial<DesiredState> = {}): DesiredState => ({ services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, ...extra });

test('secrets: masked for the browser, restored from the daemon; a new peer must be given its password', () => {
  const cur = state([], {
    ha: { enabled: true, localAddress: '192.0.2.1', peerAddress: '192.0.2.2', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: 'k3y', vips: [] },
    bgp: { enabled: true, localAs: 65001, routerId: '', nextHop: '', birdConfig: '/etc/bird/bird.conf', birdSocket: '/run/bird/bird.ctl', holdTime: 9, connectRetry: 5, peers: [{ address: '192.0.2.9', as: 65000, port: 0, password: 'md5' }] },
  });
  const shown = redactSecrets(JSON.parse(JSON.stringify(cur)));
  assert.equal(shown.ha.key, MASK);
  assert.equal(shown.bgp.peers[0].password, MASK);
  assert.doesNotMatch(JSON.stringify(shown), /k3y|md5/);
  const back = restoreSecrets(shown, cur);
  assert.deepEqual(back.errors, []);
  assert.equal(back.state.ha.key, 'k3y');
  assert.equal(back.state.bgp.peers[0].password, 'md5');
  shown.bgp.peers.push({ address: '192.0.2.10', as: 65000, port: 0, password: MASK });
  assert.deepEqual(restoreSecrets(shown, cur).errors.map((e) => e.field), ['bgp.peers[1].password']);
});

test('local-only: programs the daemon runs as root and BIRD\'s paths cannot come from the console; those in force may stay', () => {
  const check = { interval: 6, timeout: 3, rise: 1, fall: 1, onFailure: 'quiesce' as const };
  const cur = state([svc({ health: { check: { type: 'exec', command: '/opt/check %h' }, ...check } })]);
  assert.deepEqual(checkLocalOnly(cur, cur), []);
  const moved = state([svc({ port: 81, health: { check: { type: 'exec', command: '/opt/check %h' }, ...check } })]);
  assert.deepEqual(checkLocalOnly(moved, cur), [], 'the same program elsewhere is no new program');
  const next = state([svc({
    health: { check: { type: 'send-expect', send: 'x', expect: 'y', useRegex: false, sendProgram: '/tmp/evil' }, ...check },
    load: { type: 'command', command: 'rm -rf /' },
    reals: [{ address: '198.51.100.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0, health: { check: { type: 'exec', command: 'id' }, ...check } }],
  })], { bgp: { enabled: false, localAs: 1, routerId: '', nextHop: '', birdConfig: '/etc/passwd', birdSocket: '/run/bird/bird.ctl', holdTime: 9, connectRetry: 5, peers: [] } });
  assert.deepEqual(checkLocalOnly(next, cur).map((e) => e.field), [
    'services[0].health.check.sendProgram', 'services[0].load.command', 'services[0].reals[0].health.check.command', 'bgp.birdConfig',
  ]);
});

test('history: shared times, a fixed window, new series padded, vanished ones dropped after a window, bounded in number', () => {
  const h = new RateHistory({ points: 3, maxSeries: 2 });
  const r = (cps: number) => ({ cps, inpps: cps * 10, outpps: 0, inbps: 0, outbps: 0 });
  h.add(1, new Map([['a', r(1)]]));
  h.add(2, new Map([['a', r(2)], ['b', r(5)], ['c', r(9)]]));
  assert.deepEqual(h.one('cps'), { t: [1, 2], series: { a: [1, 2], b: [0, 5] } }, 'c is past maxSeries');
  h.add(3, new Map([['a', r(3)]]));
  h.add(4, new Map([['a', r(4)]]));
  assert.deepEqual(h.one('cps'), { t: [2, 3, 4], series: { a: [2, 3, 4], b: [5, 0, 0] } });
  h.add(5, new Map([['a', r(5)]]));
  assert.deepEqual(Object.keys(h.one('cps').series), ['a'], 'b gone after a window without it');
  assert.deepEqual(h.of('a').series.a!.inpps, [30, 40, 50]);
});

test('listen: loopback may be plain HTTP; elsewhere TLS or --insecure; bad addresses named', () => {
  assert.deepEqual(listenPlan({ listen: '127.0.0.1:3636' }), { host: '127.0.0.1', port: 3636 });
  assert.deepEqual(listenPlan({ listen: '[::1]:3636' }), { host: '::1', port: 3636 });
  assert.throws(() => listenPlan({ listen: '0.0.0.0:3636' }), /refusing plaintext HTTP on 0\.0\.0\.0:3636: .*--tls-cert and --tls-key, or --insecure/);
  assert.deepEqual(listenPlan({ listen: '192.0.2.5:443', insecure: true }), { host: '192.0.2.5', port: 443 });
  assert.throws(() => listenPlan({ listen: '192.0.2.5:443', tlsCert: '/nonexistent.pem' }), /both --tls-cert and --tls-key/);
  assert.throws(() => listenPlan({ listen: '192.0.2.5:443', tlsCert: '/nonexistent.pem', tlsKey: '/nonexistent.key' }), /cannot read the TLS certificate \/nonexistent\.pem/);
  assert.throws(() => parseListen('3636'), /expected ADDRESS:PORT/);
  assert.throws(() => parseListen('127.0.0.1:99999'), /expected ADDRESS:PORT/);
});

test('field errors of an ApplyConfig refusal, as the pages place them', () => {
  assert.deepEqual(fieldErrors('state.services[0].reals[1].weight: 70000 is not a weight (0-65535); state.ha.key: a shared key is required; x'), [
    { field: 'services[0].reals[1].weight', message: '70000 is not a weight (0-65535)' },
    { field: 'ha.key', message: 'a shared key is required; x' },
  ]);
  assert.deepEqual(fieldErrors('the configuration changed'), []);
});

test('sessions: none without a user, idle after idleMs without a request, over after maxMs in any case', () => {
  const p = { idleMs: 100, maxMs: 1000 };
  assert.equal(expired(undefined, p, 0), 'none');
  assert.equal(expired({ createdAt: 0, lastSeen: 0 }, p, 0), 'none');
  assert.equal(expired({ user: 'a', createdAt: 0, lastSeen: 950 }, p, 999), undefined);
  assert.equal(expired({ user: 'a', createdAt: 0, lastSeen: 850 }, p, 999), 'idle');
  assert.equal(expired({ user: 'a', createdAt: 0, lastSeen: 999 }, p, 1000), 'max');
});
