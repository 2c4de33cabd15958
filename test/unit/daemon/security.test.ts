// The daemon as a process (memory data plane, every file in a temp dir) against what a
// careless operator or an attacker leaves in its way: broken state files of every kind,
// a TCP port in use, a user without the rights to its socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync, lstatSync, symlinkSync, chmodSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import bcrypt from 'bcryptjs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsId } from '../../../src/common/netns.js';
import { IpvxClient } from '../../../src/api/client.js';

const DAEMON = fileURLToPath(new URL('../../../src/daemon/main.js', import.meta.url));
const IPVX = fileURLToPath(new URL('../../../../../bin/ipvx', import.meta.url));

function daemon(args: string[], timeout = 90_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [DAEMON, ...args], { encoding: 'utf8', timeout });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-sec-'));
  const common = ['--dataplane', 'memory', '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml')];
  return { dir, common, socket: join(dir, 'run', `${netnsId()}.sock`) };
}

test('broken state files of every kind: start refuses naming the file, quickly; --reset-state moves each aside', () => {
  const { dir, common } = setup();
  const state = join(dir, 'state.yaml');
  const kinds: [string, () => void, RegExp][] = [
    ['alias bomb', () => writeFileSync(state, `version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n`), /line 3: it uses YAML aliases/],
    ['FIFO', () => spawnSync('mkfifo', [state]), /it is a FIFO, not a regular file/],
    ['dangling link', () => symlinkSync(join(dir, 'gone.yaml'), state), /it is a symbolic link/],
    ['link to /dev/zero', () => symlinkSync('/dev/zero', state), /it is a symbolic link/],
  ];
  try {
    for (const [what, make, why] of kinds) {
      make();
      // A FIFO used to block the daemon before its pid file: `start` waited 60 s and `run` never ended.
      const r = daemon(['run', ...common], 20_000);
      assert.equal(r.code, 1, `${what}: ${r.err}`);
      assert.match(r.err, new RegExp(`state file ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: ${why.source}`), what);
      assert.match(r.err, /--reset-state/, what);
      assert.ok(lstatSync(state), `${what}: left where it was`);
      const ok = daemon(['start', ...common, '--reset-state']);
      assert.equal(ok.code, 0, `${what}: ${ok.err}`);
      assert.equal(daemon(['stop', ...common]).code, 0);
      const aside = readdirSync(dir).filter((f) => f.startsWith('state.yaml.broken-'));
      assert.equal(aside.length, 1, `${what}: moved aside`);
      rmSync(join(dir, aside[0]!), { recursive: true, force: true });
      rmSync(state, { force: true }); // the state the restart saved
    }
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a TCP port in use: the daemon fails with the reason and leaves no socket file behind', async () => {
  const { dir, common, socket } = setup();
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as AddressInfo).port;
  try {
    const r = daemon(['run', ...common, '--listen-tcp', `127.0.0.1:${port}`, '--insecure-loopback']);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
    assert.equal(existsSync(socket), false, 'no stale socket');
    // And so the next start is not told that "another daemon" might serve it.
    const ok = daemon(['start', ...common]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(daemon(['stop', ...common]).code, 0);
  } finally {
    busy.close();
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a user who may not reach the socket is told permission denied, not "start it with: ipvx daemon start"', { skip: process.getuid?.() !== 0 && 'needs root (runs the CLI as nobody)' }, () => {
  const { dir, common } = setup();
  const asNobody = (args: string[]) => spawnSync(process.execPath, [IPVX, ...args], { encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534, cwd: '/' });
  try {
    chmodSync(dir, 0o755);
    assert.equal(daemon(['start', ...common]).code, 0);
    // The run directory is 0700: the socket cannot even be seen.
    const hidden = asNobody(['--run-dir', join(dir, 'run'), '-L', '-n']);
    assert.equal(hidden.status, 1, hidden.stderr);
    assert.match(hidden.stderr, /permission denied: cannot reach the ipvx daemon's socket .*\.sock as this user \(uid 65534\)/);
    assert.doesNotMatch(hidden.stderr, /start it with/);
    const status = spawnSync(process.execPath, [DAEMON, 'status', '--run-dir', join(dir, 'run')], { encoding: 'utf8', uid: 65534, gid: 65534, cwd: '/' });
    assert.equal(status.status, 4, status.stderr);
    // The directory open, the socket itself 0600: connect() is refused.
    chmodSync(join(dir, 'run'), 0o755);
    const refused = asNobody(['--run-dir', join(dir, 'run'), '-L', '-n']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /permission denied: cannot reach the ipvx daemon's socket/);
    assert.doesNotMatch(refused.stderr, /start it with/);
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bgp.birdConfig from the API: refused unless in an existing root-owned directory, also while bgp is off; no directory is made', { skip: process.getuid?.() !== 0 && 'needs root (root-owned directories)' }, async () => {
  const { dir, common, socket } = setup();
  try {
    assert.equal(daemon(['start', ...common]).code, 0);
    const c = new IpvxClient(`unix:${socket}`);
    const bgp = (birdConfig: string, enabled: boolean) => ({ bgp: { enabled, localAs: 65001, peers: [{ address: '192.0.2.1', as: 65000 }], birdConfig, birdSocket: join(dir, 'bird.ctl') } });
    const made = join(dir, 'made', 'by', 'request');
    for (const enabled of [true, false]) {
      const r = await c.applyConfig(bgp(join(made, 'bird.conf'), enabled)).then(() => undefined, (e: Error & { code: number }) => e);
      assert.equal(r?.code, 3, `enabled ${enabled}: INVALID_ARGUMENT`);
      assert.match(r!.message, /^state\.bgp\.birdConfig: its directory .*made\/by\/request does not exist \(ipvx does not create directories/);
      assert.equal(existsSync(join(dir, 'made')), false);
    }
    const rel = await c.applyConfig(bgp('bird.conf', false)).then(() => undefined, (e: Error) => e);
    assert.match(rel!.message, /state\.bgp\.birdConfig: 'bird\.conf' is not an absolute path/);
    // In a root directory (the temp dir) it is accepted (while off, nothing is written).
    await c.applyConfig(bgp(join(dir, 'bird.conf'), false));
    c.close();
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec checks from the API: refused unless --exec-allow allows the program, and then run as nobody', { skip: process.getuid?.() !== 0 && 'needs root (running programs as nobody)' }, async () => {
  const { dir, common, socket } = setup();
  chmodSync(dir, 0o755);
  const bin = join(dir, 'checks');
  mkdirSync(bin, { mode: 0o755 });
  const nobody = join(bin, 'is-nobody.sh');
  writeFileSync(nobody, '#!/bin/sh\n[ "$(id -u)" = 65534 ]\n', { mode: 0o755 });
  const svc = (command: string) => ({
    vip: '203.0.113.10', port: 80, reals: [{ address: '192.0.2.1' }],
    health: { check: { type: 'exec', command }, interval: 0.2, timeout: 2, rise: 1, fall: 1, alpha: true },
  });
  try {
    // Without --exec-allow: any program an API client names would run as root.
    const first = daemon(['start', ...common]);
    assert.equal(first.code, 0, first.err);
    let c = new IpvxClient(`unix:${socket}`);
    const r = await c.addService(svc(`${nobody} %h`)).then(() => undefined, (e: Error & { code: number }) => e);
    assert.equal(r?.code, 3, 'INVALID_ARGUMENT');
    assert.match(r!.message, /^service\.health\.check\.command: .*is-nobody\.sh is not a program this daemon may run: allow it with the daemon option --exec-allow PATH/);
    const shell = await c.addService(svc('bash -c "id"')).then(() => undefined, (e: Error) => e);
    assert.match(shell!.message, /^service\.health\.check\.command: 'bash' is not an absolute path/);
    const load = await c.applyConfig({ services: [{ vip: '203.0.113.11', port: 80, load: { type: 'command', command: '/bin/uptime' } }] }).then(() => undefined, (e: Error) => e);
    assert.match(load!.message, /^state\.services\[0\]\.load\.command: \/bin\/uptime.* is not a program this daemon may run/);
    assert.equal((await c.getConfig()).services.length, 0);
    c.close();
    { const st = daemon(['stop', ...common]); assert.equal(st.code, 0, st.err + st.out); }

    // Allowed: accepted, and the check passes only as uid 65534.
    const allowed = daemon(['start', ...common, '--exec-allow', bin]);
    assert.equal(allowed.code, 0, allowed.err);
    c = new IpvxClient(`unix:${socket}`);
    await c.addService(svc(`${nobody} %h`));
    let health = '';
    for (let i = 0; i < 100 && health !== 'up'; i++) {
      health = (await c.getStats()).services[0]?.reals[0]?.health ?? '';
      if (health !== 'up') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(health, 'up', 'the check ran as nobody');
    c.close();
    { const st = daemon(['stop', ...common]); assert.equal(st.code, 0, st.err + st.out); }
    // The saved state names the program: a daemon without the allow list does not start over it.
    const refused = daemon(['run', ...common]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /saved state .*state\.yaml has health checks that run programs this daemon may not run: services\[0\]\.health\.check\.command: .*--exec-allow/);
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a client that does not read its end (its process busy) does not keep the daemon from stopping', async () => {
  const { dir, common, socket } = setup();
  try {
    assert.equal(daemon(['start', ...common]).code, 0);
    const c = new IpvxClient(`unix:${socket}`);
    await c.getStatus();
    c.close();
    // spawnSync blocks this process: its connection stays open and unread while the daemon stops.
    const st = daemon(['stop', ...common]);
    assert.equal(st.code, 0, st.err); // it waited for that client for ever ("did not stop within 30 s")
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--metrics-web-config: the daemon serves its metrics only with the password; off loopback without one it warns', async () => {
  const { dir, common, socket } = setup();
  const port = 20000 + ((process.pid + 313) % 20000);
  const hash = bcrypt.hashSync('s3cret', 8);
  writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  prometheus: ${hash}\n`);
  const scrape = (auth?: string) => new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', ...(auth ? { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } } : {}) }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', reject).end();
  });
  try {
    const started = daemon(['start', ...common, '--metrics', `127.0.0.1:${port}`, '--metrics-web-config', join(dir, 'web.yml')]);
    assert.equal(started.code, 0, started.err);
    assert.equal(await scrape(), 401);
    assert.equal(await scrape('prometheus:wrong'), 401);
    assert.equal(await scrape('prometheus:s3cret'), 200);
    assert.equal(daemon(['stop', ...common]).code, 0);
    const open = daemon(['start', ...common, '--metrics', `0.0.0.0:${port}`]);
    assert.equal(open.code, 0, open.err);
    assert.equal(daemon(['stop', ...common]).code, 0);
    const log = readFileSync(join(dir, 'run', `${socket.split('/').pop()!.replace('.sock', '')}.log`), 'utf8');
    assert.match(log, /"msg":"metrics are served to anyone who can reach them/);
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});
