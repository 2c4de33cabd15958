// The daemon as a process (memory data plane, every file in a temp dir) against what a
// careless operator or an attacker leaves in its way: broken state files of every kind,
// a TCP port in use, a user without the rights to its socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, existsSync, rmSync, lstatSync, symlinkSync, chmodSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsId } from '../../../src/dataplane/pins.js';
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
    ['alias bomb', () => writeFileSync(state, `version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n`), /it uses YAML aliases/],
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
