import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, rmSync, existsSync, symlinkSync, lstatSync, truncateSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, loadSavedState, saveState, moveAside, StateFileError, formatStateFile, STATE_VERSION, MAX_STATE_BYTES } from '../../../src/config/store.js';
import { parseConfig } from '../../../src/config/schema.js';
import { validateState } from '../../../src/core/validate.js';
import type { DesiredState } from '../../../src/core/model.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ipvx-store-'));

const STATE: DesiredState = {
  services: [
    {
      vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
      reals: [
        { address: '192.0.2.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
        { address: '192.0.2.2', port: 80, method: 'dr', weight: 0, upperThreshold: 100, lowerThreshold: 50,
          health: { check: { type: 'http', path: '/health', statusCodes: '200-299' }, interval: 5, timeout: 2, rise: 2, fall: 3, onFailure: 'quiesce' } },
      ],
    },
    {
      vip: '2001:db8::10', port: 0, protocol: 'udp', scheduler: 'sh', flags: ['sh-port'], persistence: 600, persistenceMask: '/64', method: 'tun',
      reals: [{ address: '198.51.100.1', port: 0, method: 'tun', weight: 2, upperThreshold: 0, lowerThreshold: 0 }],
      sorryServer: { address: '2001:db8::99', port: 0, method: 'dr' },
    },
  ],
  timeouts: { tcp: 600, tcpFin: 60, udp: 120 },
};

function expectStateError(path: string, pattern: RegExp): StateFileError {
  const before = readFileSync(path);
  let caught: unknown;
  try { loadState(path); } catch (e) { caught = e; }
  assert.ok(caught instanceof StateFileError, `expected a StateFileError, got ${String(caught)}`);
  assert.match(caught.message, new RegExp(`^state file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: `));
  assert.match(caught.message, pattern);
  assert.deepEqual(readFileSync(path), before, 'the broken file must stay as it was');
  return caught;
}

test('round trip: what is saved loads back equal', () => {
  const p = join(dir(), 'state.yaml');
  saveState(p, STATE);
  assert.deepEqual(loadState(p), STATE);
  const text = readFileSync(p, 'utf8');
  assert.match(text, new RegExp(`^version: ${STATE_VERSION}\n`));
  assert.match(text, /\nchecksum: sha256:[0-9a-f]{64}\n$/);
});

test('no state file yet: undefined, not an error', () => {
  assert.equal(loadState(join(dir(), 'none.yaml')), undefined);
});

test('save is atomic: temp file in the same directory, renamed; mode 0600; no leftovers', () => {
  const d = dir(), p = join(d, 'sub', 'state.yaml');
  saveState(p, STATE);
  saveState(p, { ...STATE, services: [] });
  assert.deepEqual(readdirSync(join(d, 'sub')), ['state.yaml']);
  assert.equal(statSync(p).mode & 0o777, 0o600);
  assert.deepEqual(loadState(p)!.services, []);
});

test('a save that fails leaves the previous file whole', () => {
  const d = dir(), p = join(d, 'state.yaml');
  saveState(p, STATE);
  const before = readFileSync(p);
  // The temp file's name is taken by a directory: the write fails before the rename.
  mkdirSync(join(d, `.state.yaml.${process.pid}.tmp`));
  assert.throws(() => saveState(p, { ...STATE, services: [] }), /^Error: cannot save the state to .*state\.yaml: /);
  assert.deepEqual(readFileSync(p), before);
  assert.deepEqual(loadState(p), STATE);
});

test('truncated file (cut anywhere): clear error, file untouched', () => {
  const full = formatStateFile(STATE);
  const p = join(dir(), 'state.yaml');
  // Cut at every line boundary and in the middle of lines: none may load as a (smaller) state.
  const cuts = new Set<number>();
  for (let i = 1; i < full.length - 1; i += Math.max(1, Math.floor(full.length / 60))) cuts.add(i);
  for (let i = full.indexOf('\n'); i > 0 && i < full.length - 1; i = full.indexOf('\n', i + 1)) cuts.add(i + 1);
  for (const n of cuts) {
    writeFileSync(p, full.slice(0, n));
    expectStateError(p, /truncated|line \d+|checksum|not a|expected|version/);
  }
  writeFileSync(p, full.slice(0, full.lastIndexOf('checksum:')));
  expectStateError(p, /it ends before its checksum line \(truncated\?\)/);
});

test('empty file: clear error, file untouched', () => {
  const p = join(dir(), 'state.yaml');
  writeFileSync(p, '');
  expectStateError(p, /the file is empty \(truncated\?\)/);
});

test('YAML syntax error names the line', () => {
  const p = join(dir(), 'state.yaml');
  writeFileSync(p, 'version: 1\nservices:\n  - vip: 203.0.113.10\n    port: [80\n');
  expectStateError(p, /line \d+: /);
});

test('a bad value names the field and its line', () => {
  const p = join(dir(), 'state.yaml');
  const text = formatStateFile(STATE).replace('weight: 2', 'weight: 70000');
  writeFileSync(p, text);
  const line = text.split('\n').findIndex((l) => l.includes('weight: 70000')) + 1;
  expectStateError(p, new RegExp(`services\\[1\\]\\.reals\\[0\\]\\.weight: line ${line}: 70000 is not a weight`));
});

test('an unknown field is an error, not ignored', () => {
  const p = join(dir(), 'state.yaml');
  writeFileSync(p, formatStateFile(STATE).replace('scheduler: wrr', 'schedular: wrr'));
  expectStateError(p, /services\[0\]\.schedular: line \d+: unknown field/);
});

test('checksum mismatch (damaged or hand-edited), bad version', () => {
  const p = join(dir(), 'state.yaml');
  writeFileSync(p, formatStateFile(STATE).replace('upperThreshold: 100', 'upperThreshold: 101'));
  expectStateError(p, /checksum does not match/);
  writeFileSync(p, formatStateFile(STATE).replace('version: 1', 'version: 7'));
  expectStateError(p, /version 7; this ipvx reads version 1/);
  writeFileSync(p, formatStateFile(STATE).replace('version: 1\n', ''));
  expectStateError(p, /no version line/);
});

test('moveAside keeps the broken file under a new name', () => {
  const d = dir(), p = join(d, 'state.yaml');
  writeFileSync(p, 'garbage: [');
  const aside = moveAside(p, new Date('2026-01-02T03:04:05.678Z'));
  assert.equal(aside, `${p}.broken-2026-01-02T03-04-05-678Z`);
  assert.equal(existsSync(p), false);
  assert.equal(readFileSync(aside, 'utf8'), 'garbage: [');
  rmSync(d, { recursive: true });
});

test('a config file (no version, no checksum) parses with ipvsadm defaults', () => {
  const r = parseConfig('services:\n  - vip: 203.0.113.10\n    port: 80\n    reals:\n      - address: 192.0.2.1\n', (s) => validateState(s));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.value.state.services[0], {
    vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: [{ address: '192.0.2.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
  });
  const bad = parseConfig('services:\n  - vip: 203.0.113.10\n    port: "eighty"\n', (s) => validateState(s));
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors, [{ field: 'services[0].port', message: 'line 3: expected a number, found string "eighty"' }]);
});

test('the serial is saved with the state and read back; a file without one reads as serial 1', () => {
  const p = join(dir(), 'state.yaml');
  saveState(p, STATE, 17);
  assert.match(readFileSync(p, 'utf8'), /^version: 1\nserial: 17\n/);
  assert.deepEqual(loadSavedState(p), { state: STATE, serial: 17 });
  saveState(p, STATE);
  assert.deepEqual(loadSavedState(p), { state: STATE, serial: 1 });
  writeFileSync(p, formatStateFile(STATE, 17).replace('serial: 17', 'serial: -3'));
  assert.throws(() => loadSavedState(p), /state file .* is not valid: serial -3 is not a positive integer/);
});

/** loadSavedState(path) in a child process, so that a read that blocks (a FIFO) or never ends (/dev/zero) fails the test instead of hanging it. */
function loadInChild(path: string): { status: number | null; out: string } {
  const store = new URL('../../../src/config/store.js', import.meta.url).href;
  const code = `const { loadSavedState } = await import(${JSON.stringify(store)});
    try { loadSavedState(${JSON.stringify(path)}); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, out: (r.stdout ?? '').trim() };
}

test('state file guards: a YAML alias bomb is a StateFileError naming the file (it was a bare "Excessive alias count")', () => {
  const d = dir();
  const p = join(d, 'state.yaml');
  const level = (n: number) => `l${n}: &l${n} [${Array(9).fill(`*l${n - 1}`).join(',')}]\n`;
  writeFileSync(p, `version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n${[1, 2, 3, 4, 5, 6].map(level).join('')}checksum: sha256:0\n`);
  expectStateError(p, /it uses YAML aliases \(&anchor, \*alias\), which are not allowed here/);
  rmSync(d, { recursive: true });
});

test('state file guards: links (dangling, or to a valid file), directories and oversized files are refused, nothing replaced', () => {
  const d = dir();
  const p = join(d, 'state.yaml');
  const target = join(d, 'real.yaml');
  saveState(target, STATE, 3);
  symlinkSync(target, p);
  assert.throws(() => loadSavedState(p), (e: Error) => e instanceof StateFileError && /state file .*state\.yaml is not valid: it is a symbolic link; the state file must be a regular file/.test(e.message));
  assert.equal(lstatSync(p).isSymbolicLink(), true, 'the link is left as it was');
  rmSync(p);
  symlinkSync(join(d, 'nowhere.yaml'), p);
  assert.throws(() => loadSavedState(p), (e: Error) => e instanceof StateFileError && /it is a symbolic link/.test(e.message), 'a dangling link is not "no state yet"');
  rmSync(p);
  mkdirSync(p);
  assert.throws(() => loadSavedState(p), (e: Error) => e instanceof StateFileError && /it is a directory, not a regular file/.test(e.message));
  rmSync(p, { recursive: true });
  writeFileSync(p, '');
  truncateSync(p, MAX_STATE_BYTES + 1); // sparse: refused from its size, not read
  assert.throws(() => loadSavedState(p), (e: Error) => e instanceof StateFileError && new RegExp(`it is ${MAX_STATE_BYTES + 1} bytes; a state file is at most ${MAX_STATE_BYTES}`).test(e.message));
  rmSync(d, { recursive: true });
});

test('state file guards: a FIFO is refused at once (it blocked the daemon for ever), a link to /dev/zero too (it read 6 GB)', () => {
  const d = dir();
  const fifo = join(d, 'fifo.yaml');
  spawnSync('mkfifo', [fifo]);
  const f = loadInChild(fifo);
  assert.equal(f.status, 0, 'the child ended');
  assert.match(f.out, /^StateFileError: state file .*fifo\.yaml is not valid: it is a FIFO, not a regular file$/);
  const zero = join(d, 'zero.yaml');
  symlinkSync('/dev/zero', zero);
  const z = loadInChild(zero);
  assert.equal(z.status, 0, 'the child ended');
  assert.match(z.out, /^StateFileError: .*zero\.yaml is not valid: it is a symbolic link/);
  rmSync(d, { recursive: true });
});
