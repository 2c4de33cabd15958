// Which programs health checks may run, and as whom (src/health/programs.ts): keepalived's
// script_user / enable_script_security, with an allow list of the daemon's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, chownSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveProgram, programErrors, programPolicy, lookupUser, type ProgramPolicy } from '../../../src/health/programs.js';
import { runProgram } from '../../../src/health/run-program.js';
import { checkExec } from '../../../src/health/exec.js';
import { emptyState, type DesiredState } from '../../../src/core/model.js';

const root = process.getuid?.() === 0;
const skip = !root && 'needs root (root-owned files, running as nobody)';

function programs() {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-prog-'));
  chmodSync(dir, 0o755);
  const bin = join(dir, 'checks');
  mkdirSync(bin, { mode: 0o755 });
  const script = (name: string, body: string, mode = 0o755) => {
    const p = join(bin, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode });
    chmodSync(p, mode);
    return p;
  };
  return { dir, bin, script };
}

test('resolveProgram: only absolute paths under --exec-allow, after links; root-owned and not writable by others; executable by the user', { skip }, () => {
  const { dir, bin, script } = programs();
  try {
    const ok = script('ok.sh', 'exit 0');
    const nobody = lookupUser('nobody')!;
    const policy: ProgramPolicy = { user: nobody, allow: [bin] };
    assert.deepEqual(resolveProgram(ok, policy), { ok: true, path: ok });
    assert.deepEqual(resolveProgram(ok, { user: nobody, allow: [ok] }), { ok: true, path: ok }, 'a file allowed by name');
    const relative = resolveProgram('sh', policy);
    assert.ok(!relative.ok && /^'sh' is not an absolute path: name the program by its path \(\/.*\/sh\?\) and allow it with the daemon option --exec-allow/.test(relative.why), JSON.stringify(relative));
    const outside = resolveProgram('/bin/sh', policy);
    assert.ok(!outside.ok && /is not a program this daemon may run: allow it with the daemon option --exec-allow PATH/.test(outside.why), JSON.stringify(outside));
    const dots = resolveProgram(`${bin}/../../../bin/sh`, policy);
    assert.ok(!dots.ok && /is not a program this daemon may run/.test(dots.why), '.. does not escape');
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const link = resolveProgram(join(bin, 'sh'), policy);
    assert.ok(!link.ok && /\(\/.*sh\) is not a program this daemon may run/.test(link.why), 'a link out of the directory is judged by where it leads');
    const writable = script('writable.sh', 'exit 0', 0o777);
    const w = resolveProgram(writable, policy);
    assert.ok(!w.ok && /writable\.sh is not safe to run: .*writable\.sh is writable by everyone/.test(w.why), JSON.stringify(w));
    const theirs = script('theirs.sh', 'exit 0');
    chownSync(theirs, 65534, 65534);
    const t = resolveProgram(theirs, policy);
    assert.ok(!t.ok && /not owned by root \(uid 65534\)/.test(t.why), JSON.stringify(t));
    const rootOnly = script('root-only.sh', 'exit 0', 0o700);
    const r = resolveProgram(rootOnly, policy);
    assert.ok(!r.ok && /is not executable by nobody \(uid 65534/.test(r.why), JSON.stringify(r));
    assert.deepEqual(resolveProgram('anything', {}), { ok: true, path: 'anything' }, 'no allow list: library use, as named');
    assert.throws(() => programPolicy(['relative/dir']), /--exec-allow relative\/dir: not an absolute path/);
    assert.throws(() => programPolicy([join(dir, 'missing')]), /--exec-allow .*missing: ENOENT/);
    chmodSync(bin, 0o777);
    assert.throws(() => programPolicy([bin]), /--exec-allow .*checks: .*checks is writable by everyone/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('programs run as the script user (nobody), in /, with a minimal environment; a refused one is not run', { skip }, async () => {
  const { dir, bin, script } = programs();
  try {
    const who = script('who.sh', 'echo "$(id -u):$(id -g):$(id -G):$(pwd):${IPVX_SECRET:-none}"');
    process.env.IPVX_SECRET = 'leaked';
    const policy = programPolicy([bin], 'nobody');
    const out = await runProgram([who], 5000, undefined, policy);
    assert.equal(out.kind, 'exit');
    if (out.kind === 'exit') assert.equal(out.stdout.trim(), `65534:${policy.user!.gid}:${policy.user!.gid}:/:none`);
    const marker = join(dir, 'ran');
    const outsider = join(dir, 'outside.sh');
    writeFileSync(outsider, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const refused = await checkExec({ address: '192.0.2.1', port: 80 }, { type: 'exec', command: outsider }, 5000, undefined, policy);
    assert.equal(refused.ok, false);
    assert.match(refused.reason, /^not run: .*outside\.sh is not a program this daemon may run/);
    assert.equal(lookupUser('no-such-user-ipvx'), undefined);
    assert.throws(() => programPolicy([bin], 'no-such-user-ipvx'), /--script-user no-such-user-ipvx: no such user/);
  } finally {
    delete process.env.IPVX_SECRET;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('programErrors names every program-running field the policy refuses, and skips services already checked', { skip }, () => {
  const { dir, bin, script } = programs();
  try {
    const ok = script('ok.sh', 'exit 0');
    const policy = programPolicy([bin], 'nobody');
    const svc = (i: number, extra: object) => ({
      vip: `203.0.113.${i}`, port: 80, protocol: 'tcp' as const, scheduler: 'wlc' as const, flags: [], persistence: 0, persistenceMask: '', method: 'dr' as const, reals: [], ...extra,
    });
    const check = (c: object) => ({ check: c, interval: 1, timeout: 1, rise: 1, fall: 1, onFailure: 'quiesce' as const });
    const state: DesiredState = {
      ...emptyState(),
      services: [
        svc(1, { health: check({ type: 'exec', command: `${ok} %h` }) }),
        svc(2, { health: check({ type: 'exec', command: '/bin/sh -c "exit 0"' }) }),
        svc(3, { load: { type: 'command', command: 'uptime' }, reals: [{ address: '192.0.2.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0, health: check({ type: 'send-expect', expect: 'x', useRegex: false, sendProgram: `/usr/bin/env x` }) }] }),
        svc(4, { health: check({ type: 'exec', command: `'${ok}` }) }),
      ],
    };
    assert.deepEqual(programErrors(state, policy).map((e) => e.field), [
      'services[1].health.check.command', 'services[2].load.command', 'services[2].reals[0].health.check.sendProgram', 'services[3].health.check.command',
    ]);
    assert.deepEqual(programErrors(state, policy, state), [], 'the same service objects: checked before');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
