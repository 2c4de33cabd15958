// Where the daemon (root) may write BIRD's configuration. The path comes from the API,
// so it is checked against the file system before it is accepted, and again before each
// write: an absolute path whose directory exists, belongs to root and is not writable by
// everyone (no one else can swap a link in under us), naming a regular file owned by
// root or nothing yet. The daemon never creates directories for it.
import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import type { BgpSpec } from '../core/model.js';
import type { FieldError } from '../core/result.js';

function stat(f: (p: string) => Stats, path: string): Stats | undefined {
  try {
    return f(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Why the daemon must not write BIRD's configuration at `path`, or undefined. */
export function birdConfigProblem(path: string): string | undefined {
  if (!isAbsolute(path)) return `'${path}' is not an absolute path`;
  const dir = dirname(path);
  let d: Stats | undefined, f: Stats | undefined;
  try {
    d = stat(statSync, dir);
    f = stat(lstatSync, path);
  } catch (e) {
    return `cannot look at ${path}: ${(e as Error).message}`;
  }
  if (!d) return `its directory ${dir} does not exist (ipvx does not create directories for BIRD's configuration)`;
  if (!d.isDirectory()) return `${dir} is not a directory`;
  if (d.uid !== 0) return `its directory ${dir} is not owned by root (uid ${d.uid})`;
  if (d.mode & 0o002) return `its directory ${dir} is writable by everyone`;
  if (!f) return undefined;
  if (f.isDirectory()) return `${path} is a directory`;
  if (f.isSymbolicLink()) return `${path} is a symbolic link (give the file it points to)`;
  if (!f.isFile()) return `${path} is not a regular file`;
  if (f.uid !== 0) return `${path} is not owned by root (uid ${f.uid})`;
  return undefined;
}

/** Why the daemon must not use `path` as BIRD's control socket, or undefined. */
export function birdSocketProblem(path: string): string | undefined {
  if (!isAbsolute(path)) return `'${path}' is not an absolute path`;
  try {
    const s = stat(lstatSync, path);
    if (s?.isDirectory()) return `${path} is a directory`;
  } catch (e) {
    return `cannot look at ${path}: ${(e as Error).message}`;
  }
  return undefined;
}

/** The file-system checks of a BGP section (enabled or not), as validation errors. */
export function birdPathErrors(b: Pick<BgpSpec, 'birdConfig' | 'birdSocket'>): FieldError[] {
  const errors: FieldError[] = [];
  const config = birdConfigProblem(b.birdConfig);
  if (config) errors.push({ field: 'bgp.birdConfig', message: config });
  const socket = birdSocketProblem(b.birdSocket);
  if (socket) errors.push({ field: 'bgp.birdSocket', message: socket });
  return errors;
}
