// The saved state damaged in the ways disks and people damage it: every bit of a saved
// file flipped one at a time, every truncation, a YAML syntax error, a wrong checksum, a
// directory where the file should be. Loading says what is wrong and where (StateFileError,
// naming the file), never returns a configuration other than the one saved, and the daemon
// does not start over it (nor empty): the file is left as it was. The parse-level cases of
// one damage each are in store.test.ts; a full disk during a save is in
// test/e2e/state-file-full-disk.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatStateFile, loadSavedState, StateFileError } from '../../../src/config/store.js';
import { stateToPlain, parseConfig } from '../../../src/config/schema.js';
import { DEFAULT_TIMEOUTS } from '../../../src/core/model.js';
import { serviceOf, valid } from '../../lib/random-state.js';

const DAEMON = fileURLToPath(new URL('../../../src/daemon/main.js', import.meta.url));
const STATE = valid({ services: [serviceOf(1, 'wrr', 2), serviceOf(2, 'mh', 1)], timeouts: DEFAULT_TIMEOUTS });
const TEXT = formatStateFile(STATE, 7);
const same = (a: unknown, b: unknown) => JSON.stringify(stateToPlain(a as never)) === JSON.stringify(stateToPlain(b as never));

/** Load `bytes` as a state file: the state, or the StateFileError (anything else fails the test). */
function load(dir: string, bytes: Uint8Array): { state?: unknown; error?: StateFileError } {
  const f = join(dir, 'state.yaml');
  writeFileSync(f, bytes);
  try {
    return { state: loadSavedState(f)?.state };
  } catch (e) {
    assert.ok(e instanceof StateFileError, `not a StateFileError: ${(e as Error).stack}`);
    assert.match(e.message, new RegExp(`^state file ${f} is not valid: .+`));
    return { error: e };
  }
}

test('every single-bit flip of a saved file: refused with the reason, or (whitespace, quoting) the same state; never another one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-flip-'));
  try {
    const bytes = Buffer.from(TEXT);
    let refused = 0, same_ = 0;
    const reasons = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Buffer.from(bytes);
        b[i]! ^= 1 << bit;
        const r = load(dir, b);
        if (r.error) { refused++; reasons.add(r.error.detail.replace(/\d+/g, 'N').slice(0, 40)); continue; }
        assert.ok(r.state && same(r.state, STATE), `flip of bit ${bit} at byte ${i} (${JSON.stringify(TEXT[i])}) loaded another state`);
        same_++;
      }
    }
    assert.ok(refused > bytes.length * 7, `${refused} of ${bytes.length * 8} flips refused`);
    assert.ok(reasons.size > 3, `reasons named: ${[...reasons].join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every truncation of a saved file is refused (or is the whole file without its last newline)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-cut-'));
  try {
    const bytes = Buffer.from(TEXT);
    for (let n = 0; n < bytes.length; n++) {
      const r = load(dir, bytes.subarray(0, n));
      if (n === bytes.length - 1) assert.ok(r.state && same(r.state, STATE));
      else assert.ok(r.error, `cut at ${n} of ${bytes.length} loaded`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory where the state file should be: refused with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-dir-'));
  try {
    mkdirSync(join(dir, 'state.yaml'));
    assert.throws(() => loadSavedState(join(dir, 'state.yaml')), (e: unknown) => e instanceof StateFileError && /state\.yaml is not valid: .*(directory|EISDIR)/i.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Damaged files as the daemon meets them; each must stop its start with the reason. */
const DAMAGED: { name: string; write: (f: string) => void; says: RegExp }[] = [
  { name: 'a flipped bit in a weight', write: (f) => writeFileSync(f, TEXT.replace('weight: 2', 'weight: 3')), says: /checksum does not match/ },
  { name: 'a YAML syntax error', write: (f) => writeFileSync(f, TEXT.replace('services:\n', 'services:\n  - [\n')), says: /line \d+/ },
  { name: 'a wrong checksum', write: (f) => writeFileSync(f, TEXT.replace(/sha256:[0-9a-f]{8}/, 'sha256:00000000')), says: /checksum does not match/ },
  { name: 'a truncated file', write: (f) => writeFileSync(f, TEXT.slice(0, TEXT.length >> 1)), says: /truncated/ },
  { name: 'a directory', write: (f) => mkdirSync(f), says: /directory|EISDIR/i },
];

for (const d of DAMAGED) {
  test(`the daemon does not start over ${d.name} (nor empty), and leaves it as it was`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipvx-damaged-'));
    const f = join(dir, 'state.yaml');
    const args = ['--dataplane', 'memory', '--no-health', '--run-dir', join(dir, 'run'), '--state', f];
    try {
      d.write(f);
      const before = statSync(f).isDirectory() ? 'dir' : readFileSync(f, 'utf8');
      const r = spawnSync(process.execPath, [DAEMON, 'start', ...args], { encoding: 'utf8', timeout: 90_000 });
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`state file ${f} is not valid: `));
      assert.match(r.stderr, d.says);
      assert.match(r.stderr, /does not start over a broken state/);
      assert.equal(existsSync(join(dir, 'run', 'host.sock')) || spawnSync('ls', [join(dir, 'run')], { encoding: 'utf8' }).stdout.includes('.sock'), false, 'no daemon serves');
      assert.equal(statSync(f).isDirectory() ? 'dir' : readFileSync(f, 'utf8'), before, 'left as it was');
    } finally {
      spawnSync(process.execPath, [DAEMON, 'stop', ...args]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an alias without its anchor (what one flipped bit can make of a line) is an error with its line, not an exception', () => {
  const r = parseConfig('services:\n  - vip: 203.0.113.1\n    port: 80\n    reals: *nope\n', (s) => ({ ok: true, value: s }));
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors[0]!.message, /^line 4: Unresolved alias/);
});
