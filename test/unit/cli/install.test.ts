// make install's ipvsadm option (scripts/install-ipvsadm-wrappers.sh, scripts/ipvsadm/) and
// the manual page ipvx(8), generated from the help texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, chmodSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manPage } from '../../../src/cli/manpage.js';
import { helpText, IMPORT_HELP, APPLY_HELP, WATCH_HELP } from '../../../src/cli/help.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const script = join(ROOT, 'scripts/install-ipvsadm-wrappers.sh');
const NAMES = ['ipvsadm', 'ipvsadm-save', 'ipvsadm-restore'];

function install(dest: string, wrappers: string) {
  return spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, WRAPPERS: wrappers, SBINDIR: '/sbin', DESTDIR: dest } });
}

test('without the option no ipvsadm command is installed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-install-'));
  try {
    const r = install(dir, '');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /ipvsadm wrappers not installed/);
    for (const n of NAMES) assert.ok(!existsSync(join(dir, 'sbin', n)));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('IPVSADM_WRAPPERS=1 installs the three commands, and never over a real ipvsadm unless told to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-install-'));
  try {
    const r = install(dir, '1');
    assert.equal(r.status, 0, r.stderr);
    for (const n of NAMES) assert.ok(statSync(join(dir, 'sbin', n)).mode & 0o111, n);
    assert.equal(install(dir, '1').status, 0, 'installing over its own wrappers is fine');
    const real = '#!/bin/sh\necho the real ipvsadm\n';
    writeFileSync(join(dir, 'sbin', 'ipvsadm'), real);
    const refused = install(dir, '1');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /sbin\/ipvsadm exists and is not an ipvx wrapper/);
    assert.equal(readFileSync(join(dir, 'sbin', 'ipvsadm'), 'utf8'), real);
    assert.equal(install(dir, 'overwrite').status, 0);
    assert.match(readFileSync(join(dir, 'sbin', 'ipvsadm'), 'utf8'), /exec ipvx "\$@"/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the wrappers run ipvx as ipvsadm, ipvsadm-save and ipvsadm-restore would run ipvsadm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-install-'));
  try {
    assert.equal(install(dir, '1').status, 0);
    // A stand-in ipvx that records its arguments and stdin.
    mkdirSync(join(dir, 'bin'));
    const fake = join(dir, 'bin', 'ipvx');
    writeFileSync(fake, `#!/bin/sh\necho "args: $*" > ${dir}/called\ncat >> ${dir}/called\n`);
    chmodSync(fake, 0o755);
    const run = (name: string, args: string[], input = '') =>
      spawnSync(join(dir, 'sbin', name), args, { input, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } });
    assert.equal(run('ipvsadm', ['-L', '-n', '--stats']).status, 0);
    assert.equal(readFileSync(join(dir, 'called'), 'utf8'), 'args: -L -n --stats\n');
    assert.equal(run('ipvsadm-save', ['-n']).status, 0);
    assert.equal(readFileSync(join(dir, 'called'), 'utf8'), 'args: -S -n\n');
    assert.equal(run('ipvsadm-save', ['-x']).status, 1, 'ipvsadm-save takes -n only, as the original script');
    // ipvsadm-restore: ipvsadm -C, then the input without '#' lines to ipvsadm -R; here one -R.
    assert.equal(run('ipvsadm-restore', [], '# saved\n-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1\n').status, 0);
    assert.equal(readFileSync(join(dir, 'called'), 'utf8'), 'args: -R\n-C\n-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ipvx(8) is generated from the help texts and renders without warnings', () => {
  const page = manPage();
  const roffText = (l: string) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1');
  for (const help of [helpText('ipvx').split('\n').slice(1).join('\n'), IMPORT_HELP, APPLY_HELP, WATCH_HELP]) {
    for (const line of help.split('\n').filter((l) => l.trim())) assert.ok(page.includes(roffText(line)), `man page lacks: ${line}`);
  }
  const built = join(ROOT, 'build/man/ipvx.8');
  assert.equal(readFileSync(built, 'utf8'), manPage(), 'make build writes the same page');
  const man = spawnSync('man', ['--warnings', '-l', built], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '100' } });
  if (man.error) return; // no man(1) here: the text checks above still hold
  assert.equal(man.status, 0, man.stderr);
  assert.equal(man.stderr, '');
  assert.match(man.stdout, /--persistent-conn/);
});
