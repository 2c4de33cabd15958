// A namespace's files are its own: a namespace made after another was deleted, under the
// same inode number, starts empty (no adopted data plane, no saved state); a named
// namespace made again under its name (as after a reboot) finds its saved state, but not
// the pinned maps of the deleted one; `ipvx daemon stop --purge` removes what a namespace
// left, and refuses while its data plane is attached unless --detach. Real daemons with
// the XDP data plane (generic mode, on a veth pair inside each namespace) or the memory one,
// with the default state directory (/var/lib/ipvx/<identity>) and run directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpvxClient } from '../../src/api/client.js';
import { bpffsRoot } from '../../src/dataplane/pins.js';
import { parseOwner } from '../../src/common/netns.js';
import { STATE_ROOT, DEFAULT_RUN_DIR } from '../../src/common/paths.js';

const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
const IPVX = fileURLToPath(new URL('../../../../bin/ipvx', import.meta.url));
const OBJ = fileURLToPath(new URL('../../../bpf/ipvx_lb.bpf.o', import.meta.url));
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(OBJ) ? `needs ${OBJ} (make bpf)` : false;

type R = { status: number | null; stdout: string; stderr: string };
const sh = (cmd: string, args: string[]): R => spawnSync(cmd, args, { encoding: 'utf8', timeout: 90_000 });
const ok = (r: R, what: string) => { assert.equal(r.status, 0, `${what}: ${r.stderr}${r.stdout}`); return r.stdout; };
const VETH = 'ip link add va type veth peer name vb && ip link set va up && ip link set vb up';
const XDP_ARGS = ['--interfaces', 'va', '--xdp-mode', 'generic', '--no-health'];

/** The one daemon's files in a run directory: its identity and pid. */
function daemonIn(runDir: string, except?: string): { id: string; pid: number; ino: number } {
  const id = readdirSync(runDir).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4)).find((x) => x !== except);
  assert.ok(id, `a daemon's pid file in ${runDir}`);
  const pid = Number(readFileSync(join(runDir, `${id}.pid`), 'utf8'));
  return { id, pid, ino: statSync(`/proc/${pid}/ns/net`).ino };
}

const nsenter = (pid: number, args: string[]) => sh('nsenter', ['-t', String(pid), '-n', process.execPath, ...args]);

test('a namespace made under the inode of a deleted one starts empty: no adopted data plane, no saved state', { skip }, async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'ipvx-ident-'));
  const leftovers: string[] = [runDir];
  try {
    // An unnamed namespace (identity cookie-<N>) with a daemon, a service and pinned maps.
    ok(sh('unshare', ['-n', 'sh', '-c', `${VETH} && exec "$0" "$@"`, process.execPath, DAEMON, 'start', '--run-dir', runDir, ...XDP_ARGS]), 'first start');
    const first = daemonIn(runDir);
    assert.match(first.id, /^cookie-\d+$/);
    leftovers.push(join(STATE_ROOT, first.id), join(bpffsRoot(), 'ipvx', first.id));
    const c = new IpvxClient(`unix:${join(runDir, `${first.id}.sock`)}`);
    await c.addService({ vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'rr' });
    c.close();
    assert.ok(existsSync(join(STATE_ROOT, first.id, 'state.yaml')), 'the state is saved under the identity');
    assert.ok(existsSync(join(bpffsRoot(), 'ipvx', first.id, 'services')), 'the maps are pinned under the identity');
    // Stop it (the maps stay pinned: forwarding would go on) and let the namespace go.
    ok(nsenter(first.pid, [DAEMON, 'stop', '--run-dir', runDir]), 'first stop');
    const firstLog = readFileSync(join(runDir, `${first.id}.log`), 'utf8');

    // New unnamed namespaces until the kernel hands out the same inode again.
    let second: R | undefined;
    for (let i = 0; i < 400 && !second; i++) {
      const r = sh('unshare', ['-n', 'sh', '-c', `[ "$(stat -L -c %i /proc/self/ns/net)" = ${first.ino} ] || exit 99; ${VETH} && exec "$0" "$@"`,
        process.execPath, DAEMON, 'start', '--run-dir', runDir, ...XDP_ARGS]);
      if (r.status !== 99) second = r;
      else await new Promise((res) => setTimeout(res, 25));
    }
    if (!second) {
      t.diagnostic(`the kernel did not reuse inode ${first.ino} in 400 namespaces; checking with a namespace of another inode`);
      second = sh('unshare', ['-n', 'sh', '-c', `${VETH} && exec "$0" "$@"`, process.execPath, DAEMON, 'start', '--run-dir', runDir, ...XDP_ARGS]);
    }
    ok(second, 'second start');
    const next = daemonIn(runDir, first.id);
    leftovers.push(join(STATE_ROOT, next.id), join(bpffsRoot(), 'ipvx', next.id));
    t.diagnostic(`first namespace ${first.id} inode ${first.ino}; second ${next.id} inode ${next.ino}`);
    assert.notEqual(next.id, first.id);
    const st = ok(nsenter(next.pid, [DAEMON, 'status', '--run-dir', runDir]), 'status');
    assert.doesNotMatch(st, /adopted/, 'the pinned maps of the deleted namespace are not adopted');
    assert.match(st, /services: 0, reals: 0/, 'the saved state of the deleted namespace is not loaded');
    assert.equal(readFileSync(join(runDir, `${first.id}.log`), 'utf8'), firstLog, 'the new daemon does not append to the deleted namespace\'s log');
    assert.match(readFileSync(join(runDir, `${next.id}.log`), 'utf8'), /\S/, 'it logs to its own file');
    ok(nsenter(next.pid, [DAEMON, 'stop', '--run-dir', runDir, '--purge', '--detach']), 'purge');
    assert.equal(existsSync(join(STATE_ROOT, next.id)), false);
    assert.equal(existsSync(join(bpffsRoot(), 'ipvx', next.id)), false);
  } finally {
    for (const f of readdirSync(runDir).filter((x) => x.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(runDir, f), 'utf8'));
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const p of leftovers) rmSync(p, { recursive: true, force: true });
  }
});

test('a named namespace made again under its name (a reboot) finds its saved state; the CLI finds its daemon without options', { skip }, () => {
  const ns = `ipvxident${process.pid}n`;
  const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', ns, process.execPath, ...args]);
  const files = [join(STATE_ROOT, ns), ...['sock', 'pid', 'log'].map((e) => join(DEFAULT_RUN_DIR, `${ns}.${e}`))];
  try {
    ok(sh('ip', ['netns', 'add', ns]), 'netns add');
    ok(inNs(DAEMON, 'start', '--dataplane', 'memory', '--no-health'), 'start');
    ok(inNs(IPVX, '-A', '-t', '203.0.113.10:80', '-s', 'wlc'), 'ipvx -A');
    ok(inNs(DAEMON, 'stop'), 'stop');
    assert.deepEqual(parseOwner(readFileSync(join(STATE_ROOT, ns, 'netns.json'), 'utf8'))?.kind, 'name');
    const before = statSync(`/run/netns/${ns}`).ino;
    ok(sh('ip', ['netns', 'del', ns]), 'netns del');
    ok(sh('ip', ['netns', 'add', ns]), 'netns add again');
    ok(inNs(DAEMON, 'start', '--dataplane', 'memory', '--no-health'), 'start after the "reboot"');
    assert.match(ok(inNs(IPVX, '-S', '-n'), 'ipvx -S'), /-A -t 203\.0\.113\.10:80 -s wlc/, `the saved state is back (inode ${before} -> ${statSync(`/run/netns/${ns}`).ino})`);
    const p = ok(inNs(DAEMON, 'stop', '--purge'), 'stop --purge');
    assert.match(p, /ipvx daemon stopped\nremoved: /);
    for (const f of files) assert.equal(existsSync(f), false, `${f} removed`);
  } finally {
    inNs(DAEMON, 'stop');
    sh('ip', ['netns', 'del', ns]);
    for (const f of files) rmSync(f, { recursive: true, force: true });
  }
});

test('the pinned maps of a deleted namespace are refused by one made again under its name; stop --purge removes them, and refuses while attached', { skip }, () => {
  const ns = `ipvxident${process.pid}p`;
  const runDir = mkdtempSync(join(tmpdir(), 'ipvx-ident-'));
  const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);
  const daemon = (...args: string[]) => inNs(process.execPath, DAEMON, ...args, '--run-dir', runDir);
  const pins = join(bpffsRoot(), 'ipvx', ns);
  const makeNs = () => { ok(sh('ip', ['netns', 'add', ns]), 'netns add'); ok(inNs('sh', '-c', VETH), 'veth'); };
  try {
    makeNs();
    ok(daemon('start', ...XDP_ARGS), 'start');
    ok(daemon('stop'), 'stop');
    const attached = daemon('stop', '--purge');
    assert.equal(attached.status, 1);
    assert.match(attached.stderr, /the data plane is still attached to va .*nothing was removed\. Add --detach/);
    assert.ok(existsSync(join(pins, 'services')), 'refused: the pins stay');

    ok(sh('ip', ['netns', 'del', ns]), 'netns del');
    makeNs();
    const refused = daemon('start', ...XDP_ARGS);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`pinned maps in ${pins} are not this namespace's: it belongs to a namespace named '${ns}' \\(cookie \\d+\\), not to this one.*rm -r ${pins}`));
    // Nothing of ours is attached in the new namespace: purge removes the old pins.
    assert.match(ok(daemon('stop', '--purge'), 'purge'), new RegExp(`removed: ${pins}`));
    ok(daemon('start', ...XDP_ARGS), 'start after the purge');
    assert.doesNotMatch(ok(daemon('status'), 'status'), /adopted/);
    ok(daemon('stop', '--purge', '--detach'), 'stop --purge --detach');
    assert.equal(existsSync(pins), false, 'pins removed');
    assert.doesNotMatch(ok(inNs('ip', '-d', 'link', 'show', 'va'), 'ip link'), /prog\/xdp/, 'program detached');
  } finally {
    daemon('stop');
    sh('ip', ['netns', 'del', ns]);
    rmSync(pins, { recursive: true, force: true });
    rmSync(join(STATE_ROOT, ns), { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  }
});

test('the real-server record of a deleted namespace is refused by one made again under its name', { skip }, () => {
  const ns = `ipvxident${process.pid}r`;
  const rec = join(DEFAULT_RUN_DIR, `realserver-${ns}.json`);
  const rs = (...args: string[]) => sh('ip', ['netns', 'exec', ns, process.execPath, IPVX, 'realserver', ...args]);
  try {
    ok(sh('ip', ['netns', 'add', ns]), 'netns add');
    ok(rs('setup', '--vip', '203.0.113.10', '--method', 'dr'), 'setup');
    assert.equal(parseOwner(JSON.stringify(JSON.parse(readFileSync(rec, 'utf8')).netns))?.id, ns);
    ok(sh('ip', ['netns', 'del', ns]), 'netns del');
    ok(sh('ip', ['netns', 'add', ns]), 'netns add again');
    for (const sub of ['setup', 'teardown']) {
      const r = sub === 'setup' ? rs(sub, '--vip', '203.0.113.10', '--method', 'dr') : rs(sub);
      assert.notEqual(r.status, 0, sub);
      assert.match(r.stderr, new RegExp(`${rec} is not this namespace's record: it belongs to a namespace named '${ns}' \\(cookie \\d+\\), not to this one.*Nothing was changed; remove it with: rm ${rec}`), sub);
    }
    assert.doesNotMatch(sh('ip', ['-n', ns, 'addr', 'show', 'dev', 'lo']).stdout, /203\.0\.113\.10/, 'nothing was set up or torn down');
  } finally {
    sh('ip', ['netns', 'del', ns]);
    rmSync(rec, { force: true });
  }
});
