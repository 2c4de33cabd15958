// Health checks end to end: the real daemon (`daemon.js run`, XDP data plane, health
// checks on) on a director between a client and two real servers, NAT, in namespaces
// made here.
//
//   client --- dir (daemon, XDP on eth0/eth1) --- sw (bridge) --- rs1, rs2
//
// Each real runs the service (http-name on 8080, answering its own name), a separate
// health endpoint (http-name on 8081, the HTTP check's port) and a load agent (8082).
// Stopping only the health endpoint makes the real fail its checks while the service
// itself keeps running, so a connection already open to it must keep working.
//
// 1. Quiesce and come back: after rs1's health endpoint stops, new connections go only to
//    rs2 within interval x fall + timeout; a keep-alive connection open to rs1 keeps being
//    answered by rs1; the transition comes on Watch with its reason, in the log, in
//    metrics, and GetStats shows rs1 down with effective weight 0. Starting the endpoint
//    again brings rs1 back after `rise` successes and new connections reach it again.
// 2. Dynamic weights: on a wrr service whose load agents answer 100 % (rs1) and 25 % (rs2),
//    new connections split as the effective weights 20:5, counted by GetStats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type Host, type Proc } from '../../src/lab/topology.js';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { IpvxClient, type Event } from '../../src/api/client.js';
import { sleep, until } from '../lib/wait.js';

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const DAEMON = js('../../src/daemon/main.js');

const VIP = '203.0.113.10', CLIENT = '192.0.2.1', DIR_FRONT = '192.0.2.254', DIR_BACK = '198.51.100.254';
const REALS = ['198.51.100.1', '198.51.100.2'] as const;
const APP_PORT = 8080, HEALTH_PORT = 8081, AGENT_PORT = 8082;
// The check's protocol: interval x fall (+ timeout) to go down, interval x rise to come back.
const INTERVAL = 0.5, TIMEOUT = 0.5, FALL = 2, RISE = 2;
const DOWN_BOUND_MS = (INTERVAL * FALL + TIMEOUT) * 1000;
const UP_BOUND_MS = (INTERVAL * RISE + TIMEOUT) * 1000;
/** Added to those bounds: the data plane update, the client's own pace (50 ms) and a loaded 2-core machine. */
const SLACK_MS = 1500;

const SVC_FAILOVER = `tcp|${VIP}|80`;
const SVC_WEIGHTS = `tcp|${VIP}|81`;
const realId = (i: number) => `${REALS[i]}|${APP_PORT}`;
const IPVX = fileURLToPath(new URL('../../../../bin/ipvx', import.meta.url));
/** The CLI as an operator runs it on the director. */
const ipvxCli = (...args: string[]) => execFileSync('ip', ['netns', 'exec', dir.ns, process.execPath, IPVX, '--socket', socket, ...args], { encoding: 'utf8' });

const config = {
  services: [
    {
      vip: VIP, port: 80, scheduler: 'rr', method: 'nat',
      reals: REALS.map((address) => ({ address, port: APP_PORT, weight: 1 })),
      health: { check: { type: 'http', path: '/', port: HEALTH_PORT }, interval: INTERVAL, timeout: TIMEOUT, rise: RISE, fall: FALL, onFailure: 'quiesce' },
    },
    {
      vip: VIP, port: 81, scheduler: 'wrr', method: 'nat',
      reals: REALS.map((address) => ({ address, port: APP_PORT, weight: 20 })),
      health: { check: { type: 'tcp' }, interval: INTERVAL, timeout: TIMEOUT, rise: RISE, fall: FALL },
      load: { type: 'agent', port: AGENT_PORT, interval: INTERVAL, timeout: TIMEOUT },
    },
  ],
};



interface Answer { t: number; started: number; name?: string; error?: string; local?: number }
const answers = (p: Proc): Answer[] => p.lines.flatMap((l) => { try { const x = JSON.parse(l) as Answer; return x.t ? [x] : []; } catch { return []; } });

const usedOn80: Answer[] = [];
let lab: Lab;
let dir: Host, client: Host;
let rs: Host[] = [];
let daemon: Proc;
let api: IpvxClient;
let work = '';
let socket = '';
const events: Event[] = [];
let cancelWatch: (() => void) | undefined;
const healthServers: (Proc | undefined)[] = [];

async function stats(service: string) {
  const s = (await api.getStats()).services.find((x) => x.service === service);
  assert.ok(s, `GetStats has ${service}`);
  return new Map(s.reals.map((r) => [r.real, r]));
}

const startHealth = async (i: number) => {
  healthServers[i] = await lab.node(rs[i]!, server('http-name'), ['--name', `health${i + 1}`, '--port', String(HEALTH_PORT), '--host', '::'], { ready: 'ready' });
};

before(async () => {
  lab = await Lab.create('ipvxhc');
  client = await lab.addHost('client');
  dir = await lab.addHost('dir');
  const sw = await lab.addHost('sw');
  rs = [await lab.addHost('rs1'), await lab.addHost('rs2')];
  const front = await lab.link(client, dir, { xdp: true });
  const back = await lab.link(dir, sw, { xdp: true });
  const ports = [back.b.ifname];
  for (const [i, r] of rs.entries()) {
    const l = await lab.link(sw, r, { xdp: true });
    ports.push(l.a.ifname);
    await lab.addAddress(r, l.b.ifname, `${REALS[i]}/24`);
    await lab.addRoute(r, 'default', DIR_BACK);
  }
  await lab.bridge(sw, 'br0', ports);
  await lab.addAddress(client, front.a.ifname, `${CLIENT}/24`);
  await lab.addAddress(dir, front.b.ifname, `${DIR_FRONT}/24`);
  await lab.addAddress(dir, back.a.ifname, `${DIR_BACK}/24`);
  await lab.addRoute(client, '203.0.113.0/24', DIR_FRONT);
  await lab.setSysctl(dir, 'net.ipv4.ip_forward', 1);
  for (const [i, r] of rs.entries()) {
    await lab.node(r, server('http-name'), ['--name', `rs${i + 1}`, '--port', String(APP_PORT), '--host', '::'], { ready: 'ready' });
    await startHealth(i);
    await lab.node(r, js('./fixtures/agent.js'), ['--port', String(AGENT_PORT), '--percent', i === 0 ? '100' : '25'], { ready: 'ready' });
  }

  work = mkdtempSync(join(tmpdir(), 'ipvx-health-e2e-'));
  lab.removeOnDestroy(work);
  writeFileSync(join(work, 'config.yaml'), JSON.stringify(config, null, 2)); // YAML is a superset of JSON
  // The daemon pins and names its socket by its namespace's identity (the lab removes the pins).
  const inode = lab.nsId(dir);
  daemon = await lab.spawn(dir, process.execPath, [
    DAEMON, 'run', '--run-dir', join(work, 'run'), '--state', join(work, 'state.yaml'), '--config', join(work, 'config.yaml'),
    '--interfaces', `${front.b.ifname},${back.a.ifname}`, '--metrics', '127.0.0.1:9100', '--detach-on-stop',
  ]);
  socket = join(work, 'run', `${inode}.sock`);
  api = new IpvxClient(`unix:${socket}`, { timeoutMs: 5000 });
  await until('the daemon to serve', async () => {
    if (!daemon.running) throw new Error(`daemon exited: ${daemon.stderr.slice(-2000)}`);
    return api.getStatus().then(() => true, () => false);
  }, 60_000, 100);
  const w = api.watch();
  cancelWatch = w.cancel;
  void (async () => { try { for await (const e of w.events) events.push(e); } catch { /* cancelled */ } })();
  await w.subscribed;
});

after(async () => {
  cancelWatch?.();
  api?.close();
  try {
    if (daemon?.running) await daemon.kill(10_000);
  } finally {
    await lab?.destroy();
  }
});

test('health: a failing real is quiesced within interval x fall + timeout, its open connection keeps working, and it returns after rise successes', { timeout: 90_000 }, async () => {
  // Both reals are up (checked) and rr alternates between them.
  await until('both reals checked up', async () => {
    const s = await stats(SVC_FAILOVER);
    return [0, 1].every((i) => s.get(realId(i))?.health === 'up' && s.get(realId(i))?.effectiveWeight === 1);
  });
  const warm = await lab.runNode(client, js('./fixtures/conn-loop.js'), ['--host', VIP, '--port', '80', '--every', '20', '--count', '6']);
  assert.deepEqual(new Set(answers({ lines: warm.split('\n') } as Proc).map((a) => a.name)), new Set(['rs1', 'rs2']), `both reals answer: ${warm}`);

  // A long-lived connection that lands on rs1 (rr: retry until one does).
  let held: Proc | undefined;
  for (let i = 0; i < 6 && !held; i++) {
    const k = await lab.node(client, js('./fixtures/keepalive-client.js'), ['--host', VIP, '--port', '80', '--every', '200', '--duration', '60000'], { ready: 'connected' });
    const first = await k.waitForLine(/"name"/, 5000);
    if (JSON.parse(first).name === 'rs1') held = k;
    else await k.kill();
  }
  assert.ok(held, 'a keep-alive connection reached rs1');

  // New connections every 50 ms across the failure and the recovery.
  const loop = await lab.node(client, js('./fixtures/conn-loop.js'), ['--host', VIP, '--port', '80', '--every', '50', '--count', '1000', '--duration', '40000']);
  await until('new connections flowing', () => answers(loop).length >= 5);

  // rs1's health endpoint stops; its service (and the held connection) keep running.
  const stoppedAt = Date.now();
  await healthServers[0]!.kill();
  const down = await until('a Watch event: rs1 down', () =>
    events.find((e) => e.kind === 'real' && e.service === SVC_FAILOVER && e.real === realId(0) && e.to === 'down'), DOWN_BOUND_MS + 10_000);
  const downAt = Date.parse(down.at);
  assert.equal(down.from, 'up');
  assert.match(down.reason, /connection refused \(2 consecutive failures\)/, 'the event says why');
  assert.ok(downAt - stoppedAt <= DOWN_BOUND_MS + SLACK_MS, `down after ${downAt - stoppedAt} ms; bound ${DOWN_BOUND_MS} + ${SLACK_MS} ms`);
  const s1 = await stats(SVC_FAILOVER);
  assert.equal(s1.get(realId(0))?.health, 'down');
  assert.equal(s1.get(realId(0))?.effectiveWeight, 0, 'quiesced: weight 0');
  assert.equal(s1.get(realId(1))?.effectiveWeight, 1);
  // What an operator sees: `ipvx -L -n` shows the down real with weight 0 (as IPVS shows a
  // keepalived inhibit_on_failure real); --json says why and since when.
  const list = ipvxCli('-L', '-n', '-t', `${VIP}:80`);
  assert.match(list, new RegExp(`  -> ${REALS[0]!.replace(/\./g, '\\.')}:${APP_PORT} +Masq +0 `), list);
  assert.match(list, new RegExp(`  -> ${REALS[1]!.replace(/\./g, '\\.')}:${APP_PORT} +Masq +1 `), list);
  const json = JSON.parse(ipvxCli('-L', '-n', '-t', `${VIP}:80`, '--json')) as { services: { reals: { address: string; weight: number; configuredWeight: number; health: string; healthDetail?: { reason: string; since: string } }[] }[] };
  const jr = json.services[0]!.reals.find((r) => r.address === REALS[0])!;
  assert.deepEqual([jr.health, jr.weight, jr.configuredWeight], ['down', 0, 1]);
  assert.match(jr.healthDetail!.reason, /connection refused/);
  assert.ok(Math.abs(Date.parse(jr.healthDetail!.since) - downAt) < 1000, `since ${jr.healthDetail!.since}, event at ${down.at}`);

  // Let new connections run a while against the quiesced real, then bring it back.
  await sleep(2500);
  const restartAt = Date.now();
  await startHealth(0);
  const up = await until('a Watch event: rs1 up', () =>
    events.find((e) => e.kind === 'real' && e.service === SVC_FAILOVER && e.real === realId(0) && e.to === 'up'), UP_BOUND_MS + 10_000);
  const upAt = Date.parse(up.at);
  assert.match(up.reason, /HTTP 200 \(2 consecutive successes\)/, 'up after `rise` successes, and says so');
  assert.ok(upAt - restartAt <= UP_BOUND_MS + SLACK_MS, `up after ${upAt - restartAt} ms; bound ${UP_BOUND_MS} + ${SLACK_MS} ms`);
  // New connections reach rs1 again (and rs2 still) once its weight is back in the data plane.
  await until('new connections to both reals after the come-back', () => {
    const back = answers(loop).filter((a) => a.started > upAt);
    return back.some((a) => a.name === 'rs1') && back.some((a) => a.name === 'rs2');
  }, 10_000);
  await loop.kill();
  await held.kill();

  // New connections: only rs2 from the bound after the failure until rs1 came back up;
  // rs1 again once its data-plane weight is back.
  const all = answers(loop);
  usedOn80.push(...all);
  const failed = all.filter((a) => a.error);
  if (failed.length) {
    const rel = (t: number) => ({ sinceStop: t - stoppedAt, sinceDown: t - downAt, sinceRestart: t - restartAt, sinceUp: t - upAt });
    const global = (await api.getStatus()).globalCounters;
    assert.fail(`new connections failed: ${JSON.stringify(failed.slice(0, 3).map((a) => ({ ...a, ...rel(a.started) })))}; data plane counters ${JSON.stringify(global)}`);
  }
  const quiet = all.filter((a) => a.started > stoppedAt + DOWN_BOUND_MS + SLACK_MS && a.t < upAt);
  assert.ok(quiet.length >= 10, `${quiet.length} new connections while rs1 was down`);
  assert.deepEqual([...new Set(quiet.map((a) => a.name))], ['rs2'], 'new connections avoid the down real');
  const lastToRs1 = all.filter((a) => a.name === 'rs1' && a.started > stoppedAt && a.t < upAt).at(-1);
  const switchMs = lastToRs1 ? lastToRs1.started - stoppedAt : 0;
  assert.ok(switchMs <= DOWN_BOUND_MS + SLACK_MS, `last new connection to rs1 started ${switchMs} ms after the failure`);

  // The held connection was answered by rs1 throughout, on one TCP connection.
  const kept = held.lines.flatMap((l) => { try { return [JSON.parse(l) as { t?: number; name?: string; local?: number; error?: string }]; } catch { return []; } });
  assert.equal(kept.filter((k) => k.error).length, 0, `the held connection never failed: ${held.lines.slice(-3)}`);
  const during = kept.filter((k) => k.t && k.t > downAt && k.t < upAt);
  assert.ok(during.length >= 5, `${during.length} answers on the held connection while rs1 was down`);
  assert.ok(kept.every((k) => k.name === undefined || k.name === 'rs1'), 'always rs1');
  assert.equal(new Set(kept.filter((k) => k.local).map((k) => k.local)).size, 1, 'one TCP connection');

  // Logged with its reason, and counted in metrics.
  assert.match(daemon.stderr, /"msg":"real health changed"[^\n]*"reason":"connection refused \(2 consecutive failures\)"|"reason":"connection refused \(2 consecutive failures\)"[^\n]*"msg":"real health changed"/);
  const metrics = await lab.exec(dir, process.execPath, ['-e', "fetch('http://127.0.0.1:9100/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"]);
  const line = (to: string) => new RegExp(`ipvx_real_transitions_total\\{service="${SVC_FAILOVER.replace(/\|/g, '\\|')}",real="${realId(0).replace(/\|/g, '\\|')}",to="${to}"\\} 1\\b`);
  assert.match(metrics, line('down'));
  assert.match(metrics, line('up'));
  console.log(`# quiesce: down event ${downAt - stoppedAt} ms, last new connection to rs1 ${switchMs} ms after the failure (bound ${DOWN_BOUND_MS} ms); up event ${upAt - restartAt} ms after restart (bound ${UP_BOUND_MS} ms)`);
});

test('health: dynamic weights from the load agents shift new connections in proportion to the effective weights', { timeout: 60_000 }, async () => {
  // rs1's agent says 100 %, rs2's 25 %: weights 20 and 5 of the configured 20.
  const weights = await until('effective weights from the agents', async () => {
    const s = await stats(SVC_WEIGHTS);
    const w = [s.get(realId(0))?.effectiveWeight, s.get(realId(1))?.effectiveWeight];
    return w[0] === 20 && w[1] === 5 ? w as number[] : undefined;
  });
  const before = await stats(SVC_WEIGHTS);
  const N = 200;
  const out = await lab.runNode(client, js('./fixtures/conn-loop.js'), ['--host', VIP, '--port', '81', '--every', '5', '--count', String(N), '--duration', '40000']);
  const got = answers({ lines: out.split('\n') } as Proc);
  const failed = got.filter((a) => a.error);
  if (failed.length) assert.fail(`new connections failed: ${JSON.stringify(failed.slice(0, 3))}; local ports used on port 80 before: ${JSON.stringify(failed.map((f) => usedOn80.filter((u) => u.local === f.local)))}; data plane counters ${JSON.stringify((await api.getStatus()).globalCounters)}`);
  const after = await stats(SVC_WEIGHTS);
  const delta = [0, 1].map((i) => Number(after.get(realId(i))!.counters!.conns) - Number(before.get(realId(i))!.counters!.conns));
  assert.equal(delta[0]! + delta[1]!, N, `GetStats counted every new connection: ${delta}`);
  // wrr with a per-CPU cursor: each CPU follows the 20:5 sequence, so the split is within
  // a few connections of exact; allow 5 percentage points.
  const expected = weights[1]! / (weights[0]! + weights[1]!);
  const share = delta[1]! / N;
  assert.ok(Math.abs(share - expected) <= 0.05, `rs2 got ${delta[1]} of ${N} (${(share * 100).toFixed(1)} %), expected ${(expected * 100).toFixed(1)} % +- 5`);
  // The answers agree with the counters.
  assert.equal(got.filter((a) => a.name === 'rs2').length, delta[1]);
  console.log(`# dynamic weights: effective ${weights.join(':')}, new connections ${delta.join(':')}`);
});
