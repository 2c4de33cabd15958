// Role state machine with an injected clock: deadtime takeover, priorities, ties,
// preempt and its delay, fault, split brain, announcements; and two machines wired
// together through a simulated link that never has two actives for over a keepalive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoleMachine, type RoleConfig, type Output, type Action, type Vip } from '../../../src/ha/roles.js';
import type { Heartbeat, Role } from '../../../src/ha/wire.js';

const KA = 200, DEAD = 600;
const VIPS: Vip[] = [{ address: '192.0.2.10', prefixLength: 24, interface: 'eth0' }];
const id = (last: number) => Uint8Array.from([192, 0, 2, last, ...new Array(12).fill(0)]);

function machine(over: Partial<RoleConfig> = {}): RoleMachine {
  return new RoleMachine({
    priority: 100, preempt: false, preemptDelayMs: 0, keepaliveMs: KA, deadtimeMs: DEAD, selfId: id(1), vips: VIPS,
    announce: { count: 3, delayMs: 0, refreshMs: 0 }, ...over,
  });
}

let seq = 0n;
function peer(role: Role, priority: number, over: Partial<Heartbeat> = {}): Heartbeat {
  return { role, priority, preempt: false, senderId: id(2), bootId: 7n, seq: ++seq, timestamp: 0, ...over };
}

const types = (o: Output) => o.actions.map((a) => a.type);
const roleOf = (o: Output) => o.transitions.at(-1)?.role;

test('roles: start as standby, release leftovers; take over after deadtime of silence, not before', () => {
  const m = machine();
  const s = m.start(0);
  assert.equal(m.role, 'standby');
  assert.deepEqual(types(s), ['release', 'sendHeartbeat']);
  assert.deepEqual(s.transitions, [{ role: 'standby', previous: null, reason: 'start', at: 0 }]);
  assert.equal(roleOf(m.tick(DEAD - 1)), undefined);
  assert.equal(m.role, 'standby');
  const o = m.tick(DEAD);
  assert.equal(m.role, 'active');
  assert.deepEqual(types(o), ['takeOver', 'announce', 'sendHeartbeat']);
  assert.deepEqual(o.actions[1], { type: 'announce', vips: VIPS, count: 3 });
  assert.match(o.transitions[0]!.reason, /deadtime/);
});

test('roles: a standby takes over deadtime after the last heartbeat of the active peer', () => {
  const m = machine();
  m.start(0);
  for (let t = 100; t <= 1000; t += KA) m.heartbeat(peer('active', 150), t); // last at 900
  assert.equal(m.role, 'standby');
  m.tick(900 + DEAD - 1);
  assert.equal(m.role, 'standby');
  const o = m.tick(900 + DEAD);
  assert.equal(m.role, 'active');
  assert.match(o.transitions[0]!.reason, /no heartbeat from the peer for 600 ms/);
});

test('roles: heartbeats are sent every keepalive', () => {
  const m = machine();
  m.start(0);
  let sent = 0;
  for (let t = 10; t <= 1000; t += 10) if (types(m.tick(t)).includes('sendHeartbeat')) sent++;
  // at 200, 400, 600 (+ takeover at 600 in the same output), 800, 1000
  assert.equal(sent, 5);
});

test('roles: both standby at start: the higher priority becomes active at once, the lower waits', () => {
  const hi = machine({ priority: 150 });
  hi.start(0);
  assert.equal(roleOf(hi.heartbeat(peer('standby', 100), 50)), 'active');
  const lo = machine({ priority: 100 });
  lo.start(0);
  lo.heartbeat(peer('standby', 150), 50);
  assert.equal(lo.role, 'standby');
  lo.heartbeat(peer('active', 150), 60);
  lo.tick(60 + DEAD - 1);
  assert.equal(lo.role, 'standby');
  lo.tick(60 + DEAD); // the winner went silent: deadtime after its last heartbeat
  assert.equal(lo.role, 'active');
});

test('roles: both standby with equal priority: the higher address wins, deterministically', () => {
  const a = machine({ selfId: id(1) });
  const b = machine({ selfId: id(9) });
  a.start(0);
  b.start(0);
  a.heartbeat(peer('standby', 100, { senderId: id(9) }), 10);
  b.heartbeat(peer('standby', 100, { senderId: id(1) }), 10);
  assert.equal(a.role, 'standby');
  assert.equal(b.role, 'active');
});

test('roles: equal priority keeps the current active; a long run of heartbeats causes no flapping', () => {
  const m = machine({ selfId: id(1), preempt: true }); // even with preempt and a lower address
  m.start(0);
  m.tick(DEAD); // active
  assert.equal(m.role, 'active');
  const transitions: Output['transitions'] = [];
  for (let t = DEAD + 10; t < 20_000; t += KA) {
    transitions.push(...m.heartbeat(peer('standby', 100, { senderId: id(9) }), t).transitions);
    transitions.push(...m.tick(t + 5).transitions);
  }
  assert.deepEqual(transitions, []);
  // And as the standby hearing an equal-priority active: stays standby.
  const s = machine({ selfId: id(9), preempt: true });
  s.start(0);
  for (let t = 10; t < 20_000; t += KA) s.heartbeat(peer('active', 100, { senderId: id(1) }), t);
  assert.equal(s.role, 'standby');
});

test('roles: a recovered higher-priority node with preempt takes over after preemptDelay', () => {
  const m = machine({ priority: 150, preempt: true, preemptDelayMs: 1000 });
  m.start(0);
  let t = 10;
  for (; t < 1010; t += 50) {
    m.heartbeat(peer('active', 100), t);
    assert.equal(m.role, 'standby', `at ${t}`);
  }
  const o = m.heartbeat(peer('active', 100), t); // 1010: held since 10 for 1000 ms
  assert.equal(m.role, 'active');
  assert.match(o.transitions[0]!.reason, /preempt/);
  assert.deepEqual(types(o), ['takeOver', 'announce', 'sendHeartbeat']);
});

test('roles: the preempt delay starts again when the condition is interrupted', () => {
  const m = machine({ priority: 150, preempt: true, preemptDelayMs: 1000 });
  m.start(0);
  m.heartbeat(peer('active', 100), 0);
  m.heartbeat(peer('active', 200), 900); // peer now outranks us: condition broken
  m.heartbeat(peer('active', 100), 1000);
  m.heartbeat(peer('active', 100), 1900);
  assert.equal(m.role, 'standby');
  m.heartbeat(peer('active', 100), 2000);
  assert.equal(m.role, 'active');
});

test('roles: without preempt a recovered higher-priority node stays standby', () => {
  const m = machine({ priority: 150, preempt: false });
  m.start(0);
  for (let t = 10; t < 30_000; t += KA) m.heartbeat(peer('active', 100), t);
  assert.equal(m.role, 'standby');
  // ...until the active goes away.
  m.tick(30_000 + DEAD);
  assert.equal(m.role, 'active');
});

test('roles: fault releases the VIPs at once; recovery returns to standby and waits', () => {
  const m = machine();
  m.start(0);
  m.tick(DEAD);
  assert.equal(m.role, 'active');
  const f = m.health(false, 700, 'interface eth0 is down');
  assert.equal(m.role, 'fault');
  assert.deepEqual(types(f), ['release', 'sendHeartbeat']);
  assert.equal(f.transitions[0]!.reason, 'local fault: interface eth0 is down');
  m.tick(5000);
  assert.equal(m.role, 'fault'); // no deadtime takeover while in fault
  const r = m.health(true, 5000);
  assert.equal(m.role, 'standby');
  assert.equal(r.transitions[0]!.reason, 'recovered from fault');
  m.tick(5000 + DEAD - 1);
  assert.equal(m.role, 'standby');
  m.tick(5000 + DEAD);
  assert.equal(m.role, 'active');
});

test('roles: start unhealthy = fault; a standby whose live peer is in fault takes over at once', () => {
  const f = machine();
  f.start(0, false);
  assert.equal(f.role, 'fault');
  const m = machine();
  m.start(0);
  m.heartbeat(peer('active', 150), 100);
  const o = m.heartbeat(peer('fault', 150), 150);
  assert.equal(m.role, 'active');
  assert.equal(o.transitions[0]!.reason, 'peer is in fault');
});

test('roles: split brain: an active hearing a winning active steps down on that heartbeat; the winner stays and answers', () => {
  const lo = machine({ priority: 100 });
  lo.start(0);
  lo.tick(DEAD);
  const o = lo.heartbeat(peer('active', 150), DEAD + 1);
  assert.equal(lo.role, 'standby');
  assert.deepEqual(types(o), ['release', 'sendHeartbeat']);
  assert.match(o.transitions[0]!.reason, /split brain/);

  const hi = machine({ priority: 150 });
  hi.start(0);
  hi.tick(DEAD);
  const h = hi.heartbeat(peer('active', 100), DEAD + 1);
  assert.equal(hi.role, 'active');
  assert.deepEqual(types(h), ['sendHeartbeat']);

  // Equal priority: the higher address stays.
  const eq = machine({ selfId: id(1) });
  eq.start(0);
  eq.tick(DEAD);
  eq.heartbeat(peer('active', 100, { senderId: id(9) }), DEAD + 1);
  assert.equal(eq.role, 'standby');
});

test('roles: announcements: a burst on takeover, a delayed second burst, periodic refresh; none after release', () => {
  const m = machine({ announce: { count: 5, delayMs: 5000, refreshMs: 2000 } });
  m.start(0);
  m.tick(DEAD);
  const bursts: number[] = [];
  for (let t = DEAD + 100; t <= DEAD + 6000; t += 100) {
    if (m.tick(t).actions.some((a: Action) => a.type === 'announce')) bursts.push(t - DEAD);
  }
  assert.deepEqual(bursts, [2000, 4000, 5000, 6000]);
  m.health(false, 10_000);
  m.health(true, 10_001);
  const after = [];
  for (let t = 10_100; t < 10_000 + DEAD - 1; t += 100) after.push(...m.tick(t).actions.filter((a) => a.type === 'announce'));
  assert.deepEqual(after, []);
});

test('roles: shutdown releases and reports fault so the peer need not wait for deadtime', () => {
  const m = machine();
  m.start(0);
  m.tick(DEAD);
  const o = m.shutdown(1000);
  assert.equal(m.role, 'fault');
  assert.deepEqual(types(o), ['release', 'sendHeartbeat']);
  assert.equal(o.transitions[0]!.reason, 'shutdown');
});

// Two machines over a simulated link with a configurable delay; tracks who holds the VIP.
function simulate(opts: { aPrio: number; bPrio: number; aPreempt: boolean; delayMs: number; script: (t: number, net: Net) => void; until: number }) {
  const a = machine({ priority: opts.aPrio, preempt: opts.aPreempt, preemptDelayMs: 300, selfId: id(1) });
  const b = machine({ priority: opts.bPrio, selfId: id(2) });
  const net: Net = { aUp: true, bUp: true, aAlive: true };
  const holds = { a: false, b: false };
  let both = 0, maxBoth = 0, bootA = 1n;
  const inflight: { at: number; to: 'a' | 'b'; msg: Heartbeat }[] = [];
  let s = 0n;
  const apply = (who: 'a' | 'b', m: RoleMachine, o: Output, t: number) => {
    for (const act of o.actions) {
      if (act.type === 'takeOver') holds[who] = true;
      if (act.type === 'release') holds[who] = false;
      if (act.type === 'sendHeartbeat') {
        const up = who === 'a' ? net.aUp && net.aAlive : net.bUp;
        if (up) inflight.push({ at: t + opts.delayMs, to: who === 'a' ? 'b' : 'a', msg: { role: m.role, priority: m.cfg.priority, preempt: m.cfg.preempt, senderId: m.cfg.selfId, bootId: who === 'a' ? bootA : 2n, seq: ++s, timestamp: t } });
      }
    }
  };
  apply('a', a, a.start(0), 0);
  apply('b', b, b.start(0), 0);
  const roles: string[] = [];
  for (let t = 1; t <= opts.until; t++) {
    const wasAlive = net.aAlive;
    opts.script(t, net);
    if (wasAlive && !net.aAlive) holds.a = false; // crash: the interface went down with it
    if (!wasAlive && net.aAlive) { // restart: a fresh machine
      bootA++;
      const fresh = machine({ priority: opts.aPrio, preempt: opts.aPreempt, preemptDelayMs: 300, selfId: id(1) });
      Object.assign(a, fresh);
      apply('a', a, a.start(t), t);
    }
    for (const p of inflight.filter((x) => x.at <= t)) {
      inflight.splice(inflight.indexOf(p), 1);
      const dstUp = p.to === 'a' ? net.aUp && net.aAlive : net.bUp;
      if (!dstUp) continue;
      if (p.to === 'a') apply('a', a, a.heartbeat(p.msg, t), t);
      else apply('b', b, b.heartbeat(p.msg, t), t);
    }
    if (net.aAlive) apply('a', a, a.tick(t), t);
    apply('b', b, b.tick(t), t);
    const r = `${net.aAlive ? a.role : 'dead'}/${b.role}`;
    if (roles.at(-1) !== r) roles.push(r);
    if (holds.a && holds.b) maxBoth = Math.max(maxBoth, ++both);
    else both = 0;
  }
  return { roles, maxBoth, holds };
}
interface Net { aUp: boolean; bUp: boolean; aAlive: boolean }

test('roles: two machines: primary wins at start, failover on crash, preempt back after restart, overlap under a keepalive', () => {
  const r = simulate({
    aPrio: 150, bPrio: 100, aPreempt: true, delayMs: 2, until: 6000,
    script: (t, net) => { if (t === 2000) net.aAlive = false; if (t === 4000) net.aAlive = true; },
  });
  assert.deepEqual(r.roles, ['standby/standby', 'active/standby', 'dead/standby', 'dead/active', 'standby/active', 'active/active', 'active/standby']);
  assert.ok(r.maxBoth <= KA, `both held the VIP for ${r.maxBoth} ms`);
  assert.deepEqual(r.holds, { a: true, b: false });
});

test('roles: two machines without preempt: the restarted primary stays standby', () => {
  const r = simulate({
    aPrio: 150, bPrio: 100, aPreempt: false, delayMs: 2, until: 8000,
    script: (t, net) => { if (t === 2000) net.aAlive = false; if (t === 4000) net.aAlive = true; },
  });
  assert.deepEqual(r.roles, ['standby/standby', 'active/standby', 'dead/standby', 'dead/active', 'standby/active']);
  assert.deepEqual(r.holds, { a: false, b: true });
});

test('roles: two machines: a partition makes both active; when it heals the lower steps down within a keepalive', () => {
  const r = simulate({
    aPrio: 150, bPrio: 100, aPreempt: false, delayMs: 2, until: 6000,
    script: (t, net) => { if (t === 2000) net.bUp = false; if (t === 4000) net.bUp = true; },
  });
  assert.deepEqual(r.roles, ['standby/standby', 'active/standby', 'active/active', 'active/standby']);
  assert.deepEqual(r.holds, { a: true, b: false });
});
