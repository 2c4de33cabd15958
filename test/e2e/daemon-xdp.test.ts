// Root only: `ipvx daemon` with the real XDP data plane, inside a network namespace
// this test makes (ipvxd-<pid>, one veth pair, documentation addresses) and removes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfMap } from '../../src/bpf/index.js';
import { ifMac } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';

const NS = `ipvxd-${process.pid}`;
const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
const OBJ = fileURLToPath(new URL('../../../bpf/ipvx_lb.bpf.o', import.meta.url));
const root = process.getuid?.() === 0;
const skip = !root ? 'needs root' : !existsSync(OBJ) ? `needs ${OBJ} (make bpf)` : false;

let dir = '';
let nsId = '';
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const inNs = (...args: string[]) => spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 90_000 });
const daemon = (...args: string[]) => inNs(process.execPath, DAEMON, ...args, '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml'));
const xdpOn = () => /prog\/xdp/.test(ip('-n', NS, '-d', 'link', 'show', 'va'));

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ipvxd-xdp-'));
  ip('netns', 'add', NS);
  ip('-n', NS, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  for (const l of ['lo', 'va', 'vb']) ip('-n', NS, 'link', 'set', l, 'up');
  ip('-n', NS, 'addr', 'add', '192.0.2.254/24', 'dev', 'va');
  nsId = NS; // a named namespace's identity is its name (src/common/netns.ts)
  writeFileSync(join(dir, 'config.yaml'), 'services:\n  - vip: 203.0.113.10\n    port: 80\n    scheduler: wrr\n    reals:\n      - address: 192.0.2.1\n');
});

after(() => {
  if (skip) return;
  daemon('stop');
  spawnSync('ip', ['netns', 'del', NS]);
  // Pins live in the host's bpffs under our namespace's identity: ours to remove.
  if (nsId) rmSync(`/sys/fs/bpf/ipvx/${nsId}`, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('start attaches XDP and serves; stop keeps the program forwarding', { skip }, () => {
  const s = daemon('start', '--config', join(dir, 'config.yaml'), '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health');
  assert.equal(s.status, 0, s.stderr);
  assert.ok(xdpOn(), 'XDP attached to va');
  const st = daemon('status');
  assert.match(st.stdout, /interfaces: va\nservices: 1, reals: 1/);
  assert.equal(daemon('stop').status, 0);
  assert.ok(xdpOn(), 'stopping the daemon leaves the program forwarding');
});

test('a restart adopts the running data plane', { skip }, () => {
  const again = daemon('start', '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health');
  assert.equal(again.status, 0, again.stderr);
  assert.match(daemon('status').stdout, /adopted a running data plane[\s\S]*services: 1, reals: 1/);
  assert.equal(daemon('stop').status, 0);
});

test('a restart over the pins of a build without if_macs_direct adopts them and fills the new map', { skip }, () => {
  // The pin directory as a daemon of that build leaves it: every map but if_macs_direct.
  const pin = `/sys/fs/bpf/ipvx/${nsId}/if_macs_direct`;
  rmSync(pin, { force: true });
  const again = daemon('start', '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health');
  assert.equal(again.status, 0, again.stderr);
  assert.match(daemon('status').stdout, /adopted a running data plane[\s\S]*services: 1, reals: 1/);
  const [va] = JSON.parse(ip('-n', NS, '-j', 'link', 'show', 'va')) as { ifindex: number; address: string }[];
  const m = BpfMap.openPinned(pin);
  try {
    const v = ifMac.decode(m.lookup(u32Key(va!.ifindex))!);
    assert.equal(v.valid, 1);
    assert.equal(Buffer.from(v.addr).toString('hex'), va!.address.replace(/:/g, ''));
  } finally {
    m.close();
  }
  assert.equal(daemon('stop').status, 0);
});

test('stop with --detach-on-stop removes the program and the pins', { skip }, () => {
  // Start clean whatever the previous test left.
  daemon('stop');
  if (nsId) rmSync(`/sys/fs/bpf/ipvx/${nsId}`, { recursive: true, force: true });
  ip('-n', NS, 'link', 'set', 'va', 'xdpgeneric', 'off');
  const s = daemon('start', '--config', join(dir, 'config.yaml'), '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health', '--detach-on-stop');
  assert.equal(s.status, 0, s.stderr);
  assert.ok(xdpOn());
  assert.equal(daemon('stop').status, 0);
  assert.equal(xdpOn(), false, 'program detached');
  assert.equal(existsSync(`/sys/fs/bpf/ipvx/${nsId}/services`), false, 'maps unpinned');
});
