// The daemon's saved desired state: the config schema in YAML, plus a version and the
// configuration's serial (its compare-and-swap revision) at the top and a checksum as the last line, so a truncated or damaged file is told
// apart from a valid one. Saved atomically (temp file in the same directory, fsync,
// rename, fsync the directory). A broken file is never replaced behind the user's
// back: loading it fails with where it is broken, and only an explicit request
// moves it aside.
//
// The state file is a regular file, read with a size limit. Anything else at its path
// (a symbolic link, dangling or not; a FIFO, which would block the read for ever; a
// device such as /dev/zero, which never ends) is refused as a broken state file, like
// a YAML alias bomb: every such failure is a StateFileError naming the file, which
// `--reset-state` moves aside. Links are refused rather than followed: a save renames a
// new file over the path, which would replace the link and leave its target stale.
// The directory may be a link.
import { createHash } from 'node:crypto';
import { openSync, fstatSync, readSync, closeSync, renameSync, constants, type Stats } from 'node:fs';
import { DesiredState, ServiceSpec } from '../core/model.js';
import { validateState, type Limits } from '../core/validate.js';
import { formatErrors } from '../core/result.js';
import { parseConfig } from './schema.js';
import { yamlMap, yamlSeqItem } from './yaml-emit.js';
import { writeFileAtomic } from './atomic-write.js';

export const STATE_VERSION = 1;
/** Largest state file read (16,384 services x 8 reals with a health check each is about 40 MB). */
export const MAX_STATE_BYTES = 256 * 1024 * 1024;

export class StateFileError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`state file ${path} is not valid: ${detail}`);
    this.name = 'StateFileError';
  }
}

const checksumOf = (plain: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(plain)).digest('hex')}`;

/**
 * Each service's YAML item and JSON text as UTF-8 bytes, by object: states are never
 * mutated (edits copy what they change), so a save after a one-real edit formats one
 * service, not all of them, and the file is written from these pieces (writev) without
 * building and encoding a 12 MB string. Weak: entries go with the states that hold them.
 */
const serviceText = new WeakMap<ServiceSpec, { yaml: Buffer; json: Buffer }>();

function textOf(s: ServiceSpec): { yaml: Buffer; json: Buffer } {
  let t = serviceText.get(s);
  if (!t) {
    const json = JSON.stringify(s);
    t = { yaml: Buffer.from(yamlSeqItem(JSON.parse(json), '  ')), json: Buffer.from(json) };
    // Only validated (frozen) services: one that can still change cannot be cached.
    if (Object.isFrozen(s)) serviceText.set(s, t);
  }
  return t;
}

const COMMA = Buffer.from(',');

/**
 * The file for `state` as pieces to write in order: version first, checksum of the
 * state last. The checksum is over JSON.stringify of the state's plain form (what the
 * file reads back as), built here from the same per-service pieces.
 */
export function stateFileChunks(state: DesiredState, serial?: number): Buffer[] {
  const parts: Buffer[] = [Buffer.from(`version: ${STATE_VERSION}\n${serial !== undefined ? `serial: ${serial}\n` : ''}`)];
  const hash = createHash('sha256');
  hash.update('{');
  let first = true;
  for (const [k, v] of Object.entries(state)) {
    if (v === undefined || typeof v === 'function') continue;
    hash.update(`${first ? '' : ','}${JSON.stringify(k)}:`);
    first = false;
    if (k === 'services' && Array.isArray(v)) {
      const services = v as ServiceSpec[];
      parts.push(Buffer.from(services.length ? 'services:\n' : 'services: []\n'));
      hash.update('[');
      services.forEach((s, i) => {
        const t = textOf(s);
        parts.push(t.yaml);
        if (i) hash.update(COMMA);
        hash.update(t.json);
      });
      hash.update(']');
    } else {
      const plain = JSON.parse(JSON.stringify(v)) as unknown;
      parts.push(Buffer.from(yamlMap({ [k]: plain })));
      hash.update(JSON.stringify(plain));
    }
  }
  hash.update('}');
  parts.push(Buffer.from(`checksum: sha256:${hash.digest('hex')}\n`));
  return parts;
}

/** The file's text for `state` (see stateFileChunks). */
export function formatStateFile(state: DesiredState, serial?: number): string {
  return Buffer.concat(stateFileChunks(state, serial)).toString('utf8');
}

/** A saved state and its serial (1 when the file has none: written before serials). */
export interface SavedState { state: DesiredState; serial: number }

/** Parse a state file's text; throws StateFileError naming `path` and the line. */
export function parseStateFile(text: string, path: string, limits?: Limits): DesiredState {
  return parseSavedState(text, path, limits).state;
}

export function parseSavedState(text: string, path: string, limits?: Limits): SavedState {
  if (!text.trim()) throw new StateFileError(path, 'the file is empty (truncated?)');
  // Version and checksum first: a truncated file is reported as truncated, not as whatever its cut left.
  const precheck = (top: Record<string, unknown>) => {
    if (top.version === undefined) return 'no version line (not an ipvx state file?)';
    if (top.version !== STATE_VERSION) return `version ${String(top.version)}; this ipvx reads version ${STATE_VERSION}`;
    if (top.checksum === undefined) return 'it ends before its checksum line (truncated?)';
    if (top.serial !== undefined && !(Number.isSafeInteger(top.serial) && (top.serial as number) >= 1)) return `serial ${String(top.serial)} is not a positive integer`;
    return undefined;
  };
  // The state file is written by ipvx without aliases: any is an alias bomb or a hand edit.
  const r = parseConfig(text, (s) => validateState(s, limits), { skipKeys: ['version', 'serial', 'checksum'], precheck, maxAliasCount: 0 });
  if (!r.ok) throw new StateFileError(path, formatErrors(r.errors));
  const { top } = r.value;
  const { version: _v, serial, checksum, ...plain } = top;
  if (checksum !== checksumOf(plain)) {
    throw new StateFileError(path, 'the checksum does not match the content (damaged, or edited by hand: change the state through ipvx, or start with --config FILE)');
  }
  return { state: r.value.state, serial: (serial as number | undefined) ?? 1 };
}

/** The saved state, or undefined when there is none yet. */
export function loadState(path: string, limits?: Limits): DesiredState | undefined {
  return loadSavedState(path, limits)?.state;
}

/** The saved state with its serial, or undefined when there is none yet. Any failure is a StateFileError. */
export function loadSavedState(path: string, limits?: Limits): SavedState | undefined {
  const text = readStateText(path);
  if (text === undefined) return undefined;
  try {
    return parseSavedState(text, path, limits);
  } catch (e) {
    if (e instanceof StateFileError) throw e;
    throw new StateFileError(path, (e as Error).message);
  }
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The state file's text, or undefined when there is none. Opened without following a
 * link and without blocking (a FIFO opens at once, then is refused), checked to be a
 * regular file, read up to `max` bytes.
 */
export function readStateText(path: string, max = MAX_STATE_BYTES): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new StateFileError(path, 'it is a symbolic link; the state file must be a regular file (give its real path with --state)');
    throw new StateFileError(path, `cannot read it: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StateFileError(path, `it is ${fileKind(st)}, not a regular file`);
    if (st.size > max) throw new StateFileError(path, `it is ${st.size} bytes; a state file is at most ${max}`);
    // One byte more than fstat said, to see a file that is longer than it claims (ipvx
    // replaces the file whole, it never grows in place).
    const buf = Buffer.allocUnsafe(st.size + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > st.size) throw new StateFileError(path, `it holds more than the ${st.size} bytes it claims (not a file ipvx wrote)`);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof StateFileError) throw e;
    throw new StateFileError(path, `cannot read it: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

export function saveState(path: string, state: DesiredState, serial?: number): void {
  try {
    writeFileAtomic(path, stateFileChunks(state, serial), { mode: 0o600, dirMode: 0o700 });
  } catch (e) {
    throw new Error(`cannot save the state to ${path}: ${(e as Error).message}`);
  }
}

/** Move a broken state file out of the way (kept for inspection); returns its new name. */
export function moveAside(path: string, now = new Date()): string {
  const aside = `${path}.broken-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}
