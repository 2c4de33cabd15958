// `ipvx daemon start` on a veth says what XDP on a veth needs (docs/dataplane.md, "XDP on
// veth"): TX checksum offload off here and on the peer, an XDP program on the peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bpffsRoot } from '../../src/dataplane/pins.js';

const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
const OBJ = fileURLToPath(new URL('../../../bpf/ipvx_lb.bpf.o', import.meta.url));
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(OBJ) ? `needs ${OBJ} (make bpf)` : false;

test('daemon start on a veth warns, naming TX checksum offload when it is on', { skip }, () => {
  const ns = `ipvxveth${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-veth-'));
  const inNs = (...a: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...a], { encoding: 'utf8', timeout: 90_000 });
  const daemon = (...a: string[]) => inNs(process.execPath, DAEMON, ...a, '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml'));
  try {
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    assert.equal(inNs('sh', '-c', 'ip link add va type veth peer name vb && ip link set va up && ip link set vb up && ethtool -K va tx on').status, 0);
    const on = daemon('start', '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health');
    assert.equal(on.status, 0, on.stderr);
    assert.match(on.stderr, /^warning: va is a veth: TX checksum offload is on here \(turn it off: ethtool -K va tx off\); on its peer/m);
    assert.equal(daemon('stop').status, 0);
    assert.equal(inNs('ethtool', '-K', 'va', 'tx', 'off').status, 0);
    const off = daemon('start', '--interfaces', 'va', '--xdp-mode', 'generic', '--no-health');
    assert.equal(off.status, 0, off.stderr);
    assert.match(off.stderr, /^warning: va is a veth: on its peer, turn TX checksum offload off/m);
    assert.equal(daemon('stop').status, 0);
  } finally {
    daemon('stop');
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(join(bpffsRoot(), 'ipvx', ns), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
