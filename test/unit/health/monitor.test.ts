import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, type DesiredState, type HealthSpec, type RealSpec, type ServiceSpec } from '../../../src/core/model.js';
import { HealthMonitor, type HealthEvent, type ServiceEvent } from '../../../src/health/monitor.js';
import type { LoadReading } from '../../../src/health/load-source.js';
import type { CheckResult, CheckTarget } from '../../../src/health/types.js';
import { FakeClock, settle } from './fake-clock.js';

const SID = 'tcp|203.0.113.10|80';

function health(over: Partial<HealthSpec> & Record<string, unknown> = {}): HealthSpec {
  return { check: { type: 'tcp' }, interval: 10, timeout: 3, rise: 1, fall: 2, onFailure: 'quiesce', ...over } as HealthSpec;
}
function real(address: string, over: Partial<RealSpec> = {}): RealSpec {
  return { address, port: 0, method: 'dr', weight: 10, upperThreshold: 0, lowerThreshold: 0, ...over };
}
function service(reals: RealSpec[], over: Partial<ServiceSpec> & Record<string, unknown> = {}): ServiceSpec {
  return {
    vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals, health: health(), ...over,
  } as ServiceSpec;
}
function desired(...services: ServiceSpec[]): DesiredState {
  return { ...emptyState(), services };
}

/** Scripted checker: each address is up or down as the test says; records calls. */
function scripted() {
  const up = new Map<string, boolean>();
  const calls: { address: string; port: number; at: number }[] = [];
  let clock: FakeClock | undefined;
  const check = async (t: CheckTarget): Promise<CheckResult> => {
    calls.push({ address: t.address, port: t.port, at: clock?.now() ?? -1 });
    return up.get(t.address) === false
      ? { ok: false, reason: 'connection refused', latencyMs: 1 }
      : { ok: true, reason: 'connected', latencyMs: 1 };
  };
  return { up, calls, check, bind: (c: FakeClock) => (clock = c) };
}

function setup(opts: { maxInFlight?: number; random?: () => number } = {}) {
  const clock = new FakeClock();
  const s = scripted();
  s.bind(clock);
  const events: HealthEvent[] = [];
  const svcEvents: ServiceEvent[] = [];
  let changes = 0;
  const m = new HealthMonitor({ clock, check: s.check, random: opts.random ?? (() => 0), ...(opts.maxInFlight ? { maxInFlight: opts.maxInFlight } : {}) });
  m.on('transition', (e) => events.push(e));
  m.on('service', (e) => svcEvents.push(e));
  m.on('change', () => changes++);
  return { clock, s, m, events, svcEvents, changes: () => changes };
}

test('monitor: first checks are spread over the interval by the jitter', async () => {
  const rs = [0.0, 0.25, 0.5, 0.75];
  let i = 0;
  const { clock, s, m } = setup({ random: () => rs[i++ % rs.length]! });
  m.update(desired(service(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((a) => real(a)))));
  await clock.advance(10_000);
  assert.deepEqual(s.calls.map((c) => [c.address, c.at]), [
    ['198.51.100.1', 0],
    ['198.51.100.2', 2500],
    ['198.51.100.3', 5000],
    ['198.51.100.4', 7500],
    ['198.51.100.1', 10000],
  ]);
  assert.equal(s.calls[0]!.port, 80, 'port 0 = the service port');
  m.stop();
});

test('monitor: transitions are events with reasons; quiesced reals weigh 0, removed reals are absent', async () => {
  const { clock, s, m, events } = setup();
  m.update(desired(service([real('198.51.100.1'), real('198.51.100.2', { health: health({ onFailure: 'remove' }) }), real('198.51.100.3')])));
  await clock.advance(0);
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 10], ['198.51.100.2|0', 10], ['198.51.100.3|0', 10]]);
  s.up.set('198.51.100.1', false);
  s.up.set('198.51.100.2', false);
  await clock.advance(10_000); // first failure: fall is 2, still up
  assert.equal(events.length, 0);
  await clock.advance(10_000);
  assert.deepEqual(
    events.map((e) => [e.real, e.from, e.to, e.reason, e.at.getTime()]),
    [
      ['198.51.100.1|0', 'up', 'down', 'connection refused (2 consecutive failures)', 20_000],
      ['198.51.100.2|0', 'up', 'down', 'connection refused (2 consecutive failures)', 20_000],
    ],
  );
  assert.equal(events[0]!.service, SID);
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 0], ['198.51.100.3|0', 10]]);
  s.up.set('198.51.100.1', true);
  await clock.advance(10_000);
  assert.deepEqual(events.at(-1)!.reason, 'connected');
  assert.equal(m.effectiveWeights().get(SID)!.get('198.51.100.1|0'), 10);
  m.stop();
});

test('monitor: sorry server takes over when no real is up and a service event says why', async () => {
  const { clock, s, m, svcEvents } = setup();
  const sorryServer = { address: '198.51.100.99', port: 8080, method: 'nat' as const };
  m.update(desired(service([real('198.51.100.1'), real('198.51.100.2')], { sorryServer, health: health({ fall: 1 }) })));
  await clock.advance(0);
  assert.equal(m.effectiveWeights().get(SID)!.has('198.51.100.99|8080'), false);
  s.up.set('198.51.100.1', false);
  await clock.advance(10_000);
  assert.equal(m.effectiveWeights().get(SID)!.has('198.51.100.99|8080'), false, 'one real still up');
  s.up.set('198.51.100.2', false);
  await clock.advance(10_000);
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 0], ['198.51.100.2|0', 0], ['198.51.100.99|8080', 1]]);
  assert.equal(svcEvents.length, 1);
  assert.equal(svcEvents[0]!.to, 'down');
  assert.equal(svcEvents[0]!.sorryActive, true);
  assert.match(svcEvents[0]!.reason, /weigh 0 < quorum 1/);
  const v = m.view()[0]!;
  assert.equal(v.up, false);
  assert.equal(v.sorryActive, true);
  s.up.set('198.51.100.2', true);
  await clock.advance(10_000);
  assert.equal(m.effectiveWeights().get(SID)!.has('198.51.100.99|8080'), false);
  assert.equal(svcEvents.at(-1)!.to, 'up');
  m.stop();
});

test('monitor: quorum with hysteresis from the service options', async () => {
  const { clock, s, m, svcEvents } = setup();
  const reals = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((a) => real(a));
  m.update(desired(service(reals, { quorum: 30, hysteresis: 10, health: health({ fall: 1 }) })));
  await clock.advance(0); // 40 up
  const sums: string[] = [];
  for (const down of [['198.51.100.1'], ['198.51.100.1', '198.51.100.2'], ['198.51.100.1', '198.51.100.2', '198.51.100.3'], ['198.51.100.1', '198.51.100.2'], ['198.51.100.1'], []]) {
    for (const r of reals) s.up.set(r.address, !down.includes(r.address));
    await clock.advance(10_000);
    const v = m.view()[0]!;
    sums.push(`${v.sumUpWeights}:${v.up ? 'up' : 'down'}`);
  }
  // down below 30-10 = 20, up again at 30+10 = 40
  assert.deepEqual(sums, ['30:up', '20:up', '10:down', '20:down', '30:down', '40:up']);
  assert.deepEqual(svcEvents.map((e) => e.to), ['down', 'up']);
  m.stop();
});

test('monitor: at most maxInFlight checks run at once; the rest queue', async () => {
  const clock = new FakeClock();
  const release: (() => void)[] = [];
  let started = 0;
  const check = (_t: CheckTarget) =>
    new Promise<CheckResult>((res) => {
      started++;
      release.push(() => res({ ok: true, reason: 'connected', latencyMs: 1 }));
    });
  const m = new HealthMonitor({ clock, check, maxInFlight: 2, random: () => 0 });
  m.update(desired(service(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'].map((a) => real(a)))));
  await clock.advance(0);
  assert.equal(started, 2);
  assert.equal(m.running, 2);
  assert.equal(m.queued, 3);
  release.shift()!();
  await settle();
  assert.equal(started, 3);
  assert.equal(m.running, 2);
  assert.equal(m.queued, 2);
  while (release.length) {
    release.shift()!();
    await settle();
  }
  assert.equal(started, 5);
  assert.equal(m.running, 0);
  m.stop();
});

test('monitor: reconcile: new reals start checking, removed ones stop and their running check is aborted', async () => {
  const clock = new FakeClock();
  const signals = new Map<string, AbortSignal>();
  const calls: string[] = [];
  const check = (t: CheckTarget, _s: unknown, _to: number, signal?: AbortSignal) => {
    calls.push(t.address);
    if (t.address === '198.51.100.2') {
      signals.set(t.address, signal!);
      return new Promise<CheckResult>(() => {}); // hangs
    }
    return Promise.resolve({ ok: true, reason: 'connected', latencyMs: 1 });
  };
  const m = new HealthMonitor({ clock, check, random: () => 0 });
  m.update(desired(service([real('198.51.100.1'), real('198.51.100.2')])));
  await clock.advance(0);
  assert.deepEqual(calls, ['198.51.100.1', '198.51.100.2']);
  m.update(desired(service([real('198.51.100.1'), real('198.51.100.3')])));
  assert.equal(signals.get('198.51.100.2')!.aborted, true);
  await clock.advance(10_000);
  assert.equal(calls.filter((a) => a === '198.51.100.2').length, 1, 'no more checks of the removed real');
  assert.ok(calls.includes('198.51.100.3'));
  assert.deepEqual([...m.effectiveWeights().get(SID)!.keys()], ['198.51.100.1|0', '198.51.100.3|0']);
  assert.equal(m.running, 0, 'the aborted check freed its slot');
  // Removing the service removes it from the weights and stops every timer.
  m.update(desired());
  assert.equal(m.effectiveWeights().size, 0);
  assert.equal(clock.pending, 0);
  m.stop();
});

test('monitor: a changed weight keeps the state; a real without a check counts as up', async () => {
  const { clock, s, m } = setup();
  s.up.set('198.51.100.1', false);
  m.update(desired(service([real('198.51.100.1', { health: health({ fall: 1 }) }), real('198.51.100.2')], { health: undefined })));
  await clock.advance(0);
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 0], ['198.51.100.2|0', 10]]);
  m.update(desired(service([real('198.51.100.1', { health: health({ fall: 1 }), weight: 20 }), real('198.51.100.2', { weight: 30 })], { health: undefined })));
  const v = m.view()[0]!.reals;
  assert.equal(v[0]!.state, 'down');
  assert.equal(v[0]!.configuredWeight, 20);
  assert.equal(v[1]!.check, undefined);
  assert.equal(v[1]!.reason, 'no health check');
  assert.equal(v[1]!.effectiveWeight, 30);
  assert.equal(s.calls.filter((c) => c.address === '198.51.100.2').length, 0);
  m.stop();
});

test('monitor: a checker that never settles is given up on after its timeout', async () => {
  const clock = new FakeClock();
  const events: HealthEvent[] = [];
  const m = new HealthMonitor({ clock, check: () => new Promise<CheckResult>(() => {}), random: () => 0 });
  m.on('transition', (e) => events.push(e));
  m.update(desired(service([real('198.51.100.1')], { health: health({ fall: 1, timeout: 3 }) })));
  await clock.advance(4000);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.reason, 'timeout (checker did not finish)');
  assert.equal(m.running, 0);
  m.stop();
});

test('monitor: load from the agent lowers the weight of a busy real; change events follow', async () => {
  const clock = new FakeClock();
  const load = new Map<string, string>([['198.51.100.1', '25%'], ['198.51.100.2', '100%']]);
  const loadFn = async (t: CheckTarget): Promise<LoadReading> => {
    const raw = load.get(t.address)!;
    return { ok: true, sample: { kind: 'percent', percent: Number(raw.slice(0, -1)) }, raw };
  };
  const m = new HealthMonitor({ clock, check: async () => ({ ok: true, reason: 'connected', latencyMs: 1 }), load: loadFn, random: () => 0 });
  let changes = 0;
  m.on('change', () => changes++);
  m.update(desired(service([real('198.51.100.1', { weight: 100 }), real('198.51.100.2', { weight: 100 })], { load: { type: 'agent', port: 9999, interval: 5 } })));
  await clock.advance(0);
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 25], ['198.51.100.2|0', 100]]);
  assert.ok(changes >= 1);
  const before = changes;
  load.set('198.51.100.1', '0%');
  load.set('198.51.100.2', '0%');
  await clock.advance(5000);
  // Smoothed: the idle real moves past the dead band at once, the busy one (25 -> 17.8) not yet.
  assert.deepEqual([...m.effectiveWeights().get(SID)!], [['198.51.100.1|0', 25], ['198.51.100.2|0', 70]]);
  assert.ok(changes > before);
  await clock.advance(5000);
  await clock.advance(5000);
  await clock.advance(5000);
  // 17.8 -> 12.8 (published 13) -> 9.2 -> 6.8 (within the dead band of 13); 70 -> 50 -> 35 -> 25
  const w = [...m.effectiveWeights().get(SID)!];
  assert.deepEqual(w, [['198.51.100.1|0', 13], ['198.51.100.2|0', 25]]);
  const rv = m.view()[0]!.reals[0]!;
  assert.deepEqual(rv.load && { source: rv.load.source, raw: rv.load.raw, weight: rv.load.weight }, { source: 'agent', raw: '0%', weight: 13 });
  m.stop();
});

test('monitor: view has per-real detail for --json', async () => {
  const { clock, m } = setup();
  m.update(desired(service([real('198.51.100.1')])));
  await clock.advance(0);
  const r = m.view()[0]!.reals[0]!;
  assert.equal(r.service, SID);
  assert.equal(r.real, '198.51.100.1|0');
  assert.equal(r.port, 80);
  assert.equal(r.check, 'tcp');
  assert.equal(r.state, 'up');
  assert.equal(r.reason, 'connected');
  assert.equal(r.consecutiveOk, 1);
  assert.equal(r.lastCheckAt!.getTime(), 0);
  assert.equal(r.nextCheckAt!.getTime(), 10_000);
  assert.equal(r.lastResult!.ok, true);
  assert.equal(r.configuredWeight, 10);
  assert.equal(r.effectiveWeight, 10);
  assert.doesNotThrow(() => JSON.stringify(m.view()));
  m.stop();
});
