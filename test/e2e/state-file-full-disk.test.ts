// A full disk while the daemon saves its state: the change is refused with the reason
// (nothing applied: the configuration and the data plane stay as they were), the state
// file on disk is the previous one, whole, and no temporary file is left. The disk is a
// 256 KiB tmpfs mounted in a mount namespace of the daemon's own (unshare -m), so nothing
// changes on the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpvxClient } from '../../src/api/client.js';
import { loadSavedState, parseSavedState } from '../../src/config/store.js';
import { serviceOf } from '../lib/random-state.js';
import { stateToPlain } from '../../src/config/schema.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';

const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
const skip = process.getuid?.() !== 0 ? 'needs root (unshare -m, mount)' : false;

test('a full disk during the save: refused with ENOSPC, nothing applied, the previous file whole', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-fulldisk-'));
  const disk = join(dir, 'disk');
  const run = join(dir, 'run');
  let pid = 0;
  try {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mkdir -p "${disk}" && mount -t tmpfs -o size=256k tmpfs "${disk}" && exec "$0" "$@"`,
      process.execPath, DAEMON, 'start', '--dataplane', 'memory', '--no-health', '--run-dir', run, '--state', join(disk, 'state.yaml')], { encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, r.stderr);
    const sock = readdirSync(run).find((f) => f.endsWith('.sock'))!;
    pid = Number(readFileSync(join(run, sock.replace(/\.sock$/, '.pid')), 'utf8'));
    const onDisk = join(`/proc/${pid}/root`, disk); // the daemon's mount namespace
    const c = new IpvxClient(`unix:${join(run, sock)}`, { timeoutMs: 60_000 });
    try {
      const small = { services: [serviceOf(1, 'rr', 2)], timeouts: DEFAULT_TIMEOUTS };
      await c.applyConfig(stateToPlain(small) as never);
      const before = readFileSync(join(onDisk, 'state.yaml'), 'utf8');
      const saved = parseSavedState(before, 'state.yaml');
      // About 1 MiB of YAML: more than the disk holds.
      const big = { services: Array.from({ length: 400 }, (_, i) => serviceOf(i, 'wrr', 16)), timeouts: DEFAULT_TIMEOUTS };
      await assert.rejects(c.applyConfig(stateToPlain(big) as never), (e: Error) => {
        assert.match(e.message, /the change was not applied \(the previous state stays\): cannot save the state to .*state\.yaml: ENOSPC/);
        return true;
      });
      const now = await c.getConfig();
      assert.equal(now.services.length, 1, 'the configuration is the previous one');
      assert.equal(Number(now.serial), saved.serial, 'the serial did not move');
      assert.equal(readFileSync(join(onDisk, 'state.yaml'), 'utf8'), before, 'the file on disk is the previous one');
      assert.equal(loadSavedState(join(onDisk, 'state.yaml'))!.state.services.length, 1);
      assert.deepEqual(readdirSync(onDisk), ['state.yaml'], 'no temporary file left');
      // Room again (a smaller change): saved as usual.
      await c.addReal({ vip: small.services[0]!.vip, port: small.services[0]!.port, protocol: 'tcp' }, { address: '192.0.2.77', port: 80 });
      assert.equal(parseSavedState(readFileSync(join(onDisk, 'state.yaml'), 'utf8'), 'state.yaml').state.services[0]!.reals.length, 3);
    } finally {
      c.close();
    }
  } finally {
    if (pid) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    await new Promise((res) => setTimeout(res, 500));
    if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
});
