// Namespace identities and the records that keep one namespace's files from another:
// the rules (ownerMismatch), the pin directory's and the state directory's claims with
// faked identities (a namespace deleted and one made again under the same inode, name
// or cookie), and the one resolution of the run directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readlinkSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerMismatch, parseOwner, formatOwner, netnsIdentity, netnsInode, type Owner } from '../../../src/common/netns.js';
import { resolveRunDir, resolveSocket, runFiles } from '../../../src/common/paths.js';
import { claimPinDir, PIN_OWNER } from '../../../src/dataplane/pins.js';
import { claimStateDir, STATE_OWNER } from '../../../src/daemon/namespace-files.js';
import { daemonPaths } from '../../../src/daemon/main.js';

const BOOT = '11111111-2222-3333-4444-555555555555';
const named = (cookie: string, boot = BOOT): Owner => ({ id: 'lb', kind: 'name', cookie, boot });
const anon = (cookie: string, boot = BOOT): Owner => ({ id: `cookie-${cookie}`, kind: 'cookie', cookie, boot });
const host: Owner = { id: 'host', kind: 'host', cookie: '1', boot: BOOT };

test('this process has an identity: host, a name or a cookie; the record reads back', () => {
  const me = netnsIdentity();
  assert.match(me.id, /^(host|cookie-\d+|[^/]+)$/);
  assert.match(me.cookie, /^\d+$/);
  assert.deepEqual(parseOwner(formatOwner(me)), me);
  assert.equal(parseOwner('{"id":1}'), undefined);
  assert.equal(parseOwner('not json'), undefined);
});

test('boot-scoped files (pins, run files, real-server records) belong to one namespace of one boot', () => {
  assert.equal(ownerMismatch(named('7'), named('7'), 'boot'), undefined);
  // The same name made again: another namespace, another cookie.
  assert.match(ownerMismatch(named('7'), named('9'), 'boot')!, /namespace named 'lb' \(cookie 7\), not to this one.*deleted/);
  assert.match(ownerMismatch(anon('7', 'old-boot'), anon('7'), 'boot')!, /earlier boot/);
  assert.match(ownerMismatch(undefined, host, 'boot')!, /no namespace record/);
});

test('the saved state belongs to the identity: a named namespace keeps it across a reboot, a cookie never does', () => {
  assert.equal(ownerMismatch(named('7', 'old-boot'), named('42'), 'persistent'), undefined);
  assert.equal(ownerMismatch(host, { ...host, cookie: '3', boot: 'new' }, 'persistent'), undefined);
  assert.match(ownerMismatch(anon('7', 'old-boot'), anon('7'), 'persistent')!, /earlier boot/);
  // A namespace named 'host' is not the host.
  assert.match(ownerMismatch(host, { id: 'host', kind: 'name', cookie: '5', boot: BOOT }, 'persistent')!, /initial \(host\) namespace/);
});

test('claimPinDir: a new directory gets our record; pins of a namespace that was deleted are refused with how to remove them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-pins-'));
  try {
    const pins = join(dir, 'lb');
    claimPinDir(pins, named('7'));
    assert.deepEqual(parseOwner(readlinkSync(join(pins, PIN_OWNER))), named('7'));
    writeFileSync(join(pins, 'services'), ''); // stands for a pinned map
    claimPinDir(pins, named('7')); // the same namespace (a daemon restart): adopted
    assert.throws(() => claimPinDir(pins, named('8')), (e: Error) => {
      assert.match(e.message, new RegExp(`pinned maps in ${pins} are not this namespace's: .*cookie 7.*Nothing was adopted.*rm -r ${pins}`));
      return true;
    });
    // Pins without a record (an older ipvx, or not ipvx's): refused as well.
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'services'), '');
    assert.throws(() => claimPinDir(bare, named('7')), /no namespace record/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('claimPinDir, host: the pins of the director an older ipvx left under the namespace inode move to host; the host-decap of a real server never takes them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-pins-'));
  try {
    const legacy = join(dir, String(netnsInode()));
    mkdirSync(legacy);
    writeFileSync(join(legacy, 'services'), ''); // stands for the director's pinned maps
    claimPinDir(join(dir, 'host-decap'), host);
    assert.ok(existsSync(join(legacy, 'services')), 'the pins of the director stay where they are');
    assert.deepEqual(parseOwner(readlinkSync(join(dir, 'host-decap', PIN_OWNER))), host);
    claimPinDir(join(dir, 'host'), host);
    assert.ok(!existsSync(legacy));
    assert.ok(existsSync(join(dir, 'host', 'services')), 'moved to host, kept');
    assert.deepEqual(parseOwner(readlinkSync(join(dir, 'host', PIN_OWNER))), host);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('claimStateDir: the state of an unnamed namespace of an earlier boot is refused; a named one is found again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-state-'));
  try {
    const st = join(dir, 'cookie-7');
    claimStateDir(st, undefined, anon('7', 'old-boot'));
    assert.deepEqual(parseOwner(readFileSync(join(st, STATE_OWNER), 'utf8')), anon('7', 'old-boot'));
    writeFileSync(join(st, 'state.yaml'), 'version: 1\n');
    assert.throws(() => claimStateDir(st, undefined, anon('7')), (e: Error) => {
      assert.match(e.message, /saved state in .* is not this namespace's: .*earlier boot.*Nothing was loaded.*rm -r/);
      return true;
    });
    assert.equal(existsSync(join(st, 'state.yaml')), true, 'a refused state is left where it was');
    const lb = join(dir, 'lb');
    claimStateDir(lb, undefined, named('7', 'old-boot'));
    claimStateDir(lb, undefined, named('99')); // after a reboot: the same name, a new cookie
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one resolution of the run directory: --run-dir, else IPVX_RUN_DIR, else /run/ipvx', () => {
  assert.equal(resolveRunDir(undefined, {}), '/run/ipvx');
  assert.equal(resolveRunDir(undefined, { IPVX_RUN_DIR: '/tmp/r' }), '/tmp/r');
  assert.equal(resolveRunDir('/opt/r', { IPVX_RUN_DIR: '/tmp/r' }), '/opt/r');
  const env = { IPVX_RUN_DIR: '/tmp/r' };
  const d = daemonPaths({}, 'lb', env);
  assert.equal(d.socket, '/tmp/r/lb.sock');
  assert.equal(d.pid, '/tmp/r/lb.pid');
  assert.equal(d.state, '/var/lib/ipvx/lb/state.yaml');
  assert.equal(daemonPaths({ 'run-dir': '/opt/r' }, 'lb', env).socket, '/opt/r/lb.sock');
  assert.deepEqual(runFiles('/tmp/r', 'lb'), { socket: '/tmp/r/lb.sock', pid: '/tmp/r/lb.pid', log: '/tmp/r/lb.log' });
  // The processes (ipvx daemon start|status|stop and ipvx -L under IPVX_RUN_DIR): test/unit/daemon/main.test.ts.
});

test('one resolution of the socket, for the CLI and the console: --socket, else --run-dir, else IPVX_SOCKET, else the run directory', () => {
  const env = { IPVX_SOCKET: '/tmp/s.sock', IPVX_RUN_DIR: '/tmp/r' };
  const me = netnsIdentity().id;
  assert.equal(resolveSocket({ socket: '/opt/x.sock', runDir: '/opt/r' }, env), '/opt/x.sock');
  assert.equal(resolveSocket({ runDir: '/opt/r' }, env), `/opt/r/${me}.sock`, 'an explicit run directory before IPVX_SOCKET');
  assert.equal(resolveSocket({}, env), '/tmp/s.sock');
  assert.equal(resolveSocket({}, { IPVX_RUN_DIR: '/tmp/r' }), `/tmp/r/${me}.sock`);
  assert.equal(resolveSocket({}, {}), `/run/ipvx/${me}.sock`);
});
