// `ipvx daemon start|status|stop` as processes, with the fake data plane and every
// file (socket, pid, log, state) in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpvxClient } from '../../../src/api/client.js';
import { netnsId } from '../../../src/common/netns.js';

const DAEMON = fileURLToPath(new URL('../../../src/daemon/main.js', import.meta.url));
const IPVX = fileURLToPath(new URL('../../../../../bin/ipvx', import.meta.url));

function daemon(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [DAEMON, ...args], { encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-daemon-'));
  const common = ['--dataplane', 'memory', '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml')];
  return { dir, common, socket: join(dir, 'run', `${netnsId()}.sock`) };
}

const CONFIG = 'services:\n  - vip: 203.0.113.10\n    port: 80\n    scheduler: wrr\n    reals:\n      - address: 192.0.2.1\n        weight: 2\n';

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

test('start (with --config) / status / stop; the state survives a restart', async () => {
  const { dir, common, socket } = setup();
  try {
    writeFileSync(join(dir, 'config.yaml'), CONFIG);
    const metricsPort = 20000 + (process.pid % 20000);
    const started = daemon(['start', ...common, '--config', join(dir, 'config.yaml'), '--metrics', `127.0.0.1:${metricsPort}`]);
    assert.equal(started.code, 0, started.err);
    assert.match(started.out, /^ipvx daemon started \(pid \d+, socket .*\.sock, 1 services\)/);

    const st = daemon(['status', ...common]);
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /services: 1, reals: 1/);
    assert.match(st.out, /interfaces: memory0/);

    const c = new IpvxClient(`unix:${socket}`);
    await c.addReal({ vip: '203.0.113.10', port: 80, protocol: 'tcp' }, { address: '192.0.2.2' });
    c.close();
    const metrics = await scrape(metricsPort);
    assert.match(metrics, /ipvx_connections_total\{service="tcp\|203\.0\.113\.10\|80",real="192\.0\.2\.2\|80"\} 0/);
    assert.match(metrics, /ipvx_ha_role\{role="standalone"\} 1/);
    assert.match(metrics, /ipvx_scrape_ok 1/);

    const again = daemon(['start', ...common]);
    assert.notEqual(again.code, 0, 'a second daemon in the same namespace is refused');
    assert.match(again.err, /already running in this network namespace/);

    const stopped = daemon(['stop', ...common]);
    assert.equal(stopped.code, 0, stopped.err);
    assert.equal(existsSync(socket), false);
    const down = daemon(['status', ...common]);
    assert.equal(down.code, 3);
    assert.match(down.err, /ipvx daemon is not running in this network namespace \(no socket at .*\); start it with: ipvx daemon start/);

    // Restart without --config: the saved state comes back, including the real added over the API.
    assert.equal(daemon(['start', ...common]).code, 0);
    assert.match(daemon(['status', ...common]).out, /services: 1, reals: 2/);
    assert.equal(daemon(['stop', ...common]).code, 0);
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken state file: the daemon refuses to start and leaves it; --reset-state moves it aside', () => {
  const { dir, common } = setup();
  try {
    const broken = 'version: 1\nservices:\n  - vip: 203.0.113.10\n    port: 80\n    reals:\n      - address: 192.0';
    writeFileSync(join(dir, 'state.yaml'), broken);
    const r = daemon(['start', ...common]);
    assert.equal(r.code, 1);
    assert.match(r.err, /state file .*state\.yaml is not valid: it ends before its checksum line \(truncated\?\)/);
    assert.match(r.err, /--reset-state/);
    assert.equal(readFileSync(join(dir, 'state.yaml'), 'utf8'), broken, 'the broken file is untouched');

    const ok = daemon(['start', ...common, '--reset-state']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(daemon(['status', ...common]).out, /services: 0, reals: 0/);
    const aside = readdirSync(dir).filter((f) => f.startsWith('state.yaml.broken-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(dir, aside[0]!), 'utf8'), broken);
    assert.equal(daemon(['stop', ...common]).code, 0);
  } finally {
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad options and a bad --config are refused with the reason', () => {
  const { dir, common } = setup();
  try {
    writeFileSync(join(dir, 'config.yaml'), CONFIG.replace('weight: 2', 'weight: -2'));
    const r = daemon(['run', ...common, '--config', join(dir, 'config.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /config file .*config\.yaml is not valid: services\[0\]\.reals\[0\]\.weight: line 7: -2 is not a weight/);
    const tcp = daemon(['run', ...common, '--listen-tcp', '0.0.0.0:7070']);
    assert.equal(tcp.code, 1);
    assert.match(tcp.err, /refusing plaintext TCP on 0\.0\.0\.0:7070/);
    // TLS without --tls-ca: refused before anything is bound (the files need not exist yet).
    const noCa = daemon(['run', ...common, '--listen-tcp', '0.0.0.0:7070', '--tls-cert', join(dir, 'c.pem'), '--tls-key', join(dir, 'k.pem')]);
    assert.equal(noCa.code, 1);
    assert.match(noCa.err, /refusing TLS on 0\.0\.0\.0:7070 without client authentication/);
    const unknown = daemon(['run', '--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /Unknown option '--bogus'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IPVX_RUN_DIR: ipvx daemon start|status|stop and the ipvsadm commands resolve the run directory alike', () => {
  const { dir } = setup();
  const env = { ...process.env, IPVX_RUN_DIR: join(dir, 'run') };
  const ipvx = (args: string[]) => spawnSync(process.execPath, [IPVX, ...args], { encoding: 'utf8', timeout: 90_000, env });
  try {
    const s = ipvx(['daemon', 'start', '--dataplane', 'memory', '--no-health', '--state', join(dir, 'state.yaml')]);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`socket ${join(dir, 'run')}/`), 'the socket is in IPVX_RUN_DIR');
    const add = ipvx(['-A', '-t', '203.0.113.10:80', '-s', 'rr']);
    assert.equal(add.status, 0, add.stderr);
    const st = ipvx(['daemon', 'status']);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /services: 1, reals: 0/);
    const stop = ipvx(['daemon', 'stop']);
    assert.equal(stop.status, 0, stop.stderr);
    assert.deepEqual(readdirSync(join(dir, 'run')).filter((f) => !f.endsWith('.log')), [], 'socket and pid file gone from IPVX_RUN_DIR');
  } finally {
    ipvx(['daemon', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  }
});


test('stop: a client that holds its connection and reads nothing does not keep the daemon running', async () => {
  const { dir, common, socket } = setup();
  // Connects, closes its client, then blocks its event loop: the connection stays half closed.
  const holder = `import { IpvxClient } from ${JSON.stringify(fileURLToPath(new URL('../../../src/api/client.js', import.meta.url)))};
const c = new IpvxClient('unix:' + process.argv[1]);
await c.getStatus(); c.close(); console.log('holding');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);`;
  let child: import('node:child_process').ChildProcess | undefined;
  try {
    assert.equal(daemon(['start', ...common]).code, 0);
    const { spawn } = await import('node:child_process');
    child = spawn(process.execPath, ['--input-type=module', '-e', holder, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
    const stopped = daemon(['stop', ...common]); // waits up to 30 s for the daemon to exit
    assert.equal(stopped.code, 0, stopped.err);
  } finally {
    child?.kill('SIGKILL');
    daemon(['stop', ...common]);
    rmSync(dir, { recursive: true, force: true });
  }
});
