// The daemon's saved desired state: the config schema in YAML, plus a version at
// the top and a checksum as the last line, so a truncated or damaged file is told
// apart from a valid one. Saved atomically (temp file in the same directory, fsync,
// rename, fsync the directory). A broken file is never replaced behind the user's
// back: loading it fails with where it is broken, and only an explicit request
// moves it aside.
import { createHash } from 'node:crypto';
import { openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import YAML from 'yaml';
import { DesiredState } from '../core/model.js';
import { validateState } from '../core/validate.js';
import { formatErrors } from '../core/result.js';
import { parseConfig, stateToPlain } from './schema.js';

export const STATE_VERSION = 1;

export class StateFileError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`state file ${path} is not valid: ${detail}`);
    this.name = 'StateFileError';
  }
}

const checksumOf = (plain: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(plain)).digest('hex')}`;

/** The file's text for `state`: version first, checksum of the state last. */
export function formatStateFile(state: DesiredState): string {
  const plain = stateToPlain(state);
  const body = YAML.stringify({ version: STATE_VERSION, ...plain });
  return `${body}checksum: ${checksumOf(plain)}\n`;
}

/** Parse a state file's text; throws StateFileError naming `path` and the line. */
export function parseStateFile(text: string, path: string): DesiredState {
  if (!text.trim()) throw new StateFileError(path, 'the file is empty (truncated?)');
  // Version and checksum first: a truncated file is reported as truncated, not as whatever its cut left.
  const precheck = (top: Record<string, unknown>) => {
    if (top.version === undefined) return 'no version line (not an ipvx state file?)';
    if (top.version !== STATE_VERSION) return `version ${String(top.version)}; this ipvx reads version ${STATE_VERSION}`;
    if (top.checksum === undefined) return 'it ends before its checksum line (truncated?)';
    return undefined;
  };
  const r = parseConfig(text, (s) => validateState(s), { skipKeys: ['version', 'checksum'], precheck });
  if (!r.ok) throw new StateFileError(path, formatErrors(r.errors));
  const { top } = r.value;
  const { version: _v, checksum, ...plain } = top;
  if (checksum !== checksumOf(plain)) {
    throw new StateFileError(path, 'the checksum does not match the content (damaged, or edited by hand: change the state through ipvx, or start with --config FILE)');
  }
  return r.value.state;
}

/** The saved state, or undefined when there is none yet. */
export function loadState(path: string): DesiredState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(path, `cannot read it: ${(e as Error).message}`);
  }
  return parseStateFile(text, path);
}

export function saveState(path: string, state: DesiredState): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, formatStateFile(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* not ours to remove (e.g. a directory) */ }
    throw new Error(`cannot save the state to ${path}: ${(e as Error).message}`);
  }
  // The rename is durable only once the directory entry is.
  const dfd = openSync(dir, 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}

/** Move a broken state file out of the way (kept for inspection); returns its new name. */
export function moveAside(path: string, now = new Date()): string {
  const aside = `${path}.broken-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}
