// Replace a file so that a reader (or a crash) sees the old file or the new one, never
// half of one: write a temporary beside it, fsync, rename over it, fsync the directory.
// The state file and BIRD's configuration are written this way.
import { openSync, writeSync, writevSync, fsyncSync, closeSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Buffers per writev call (IOV_MAX is 1024 on Linux). */
const IOV_BATCH = 512;

/**
 * `mkdir` (default true): create the directory when missing, for the daemon's own files;
 * false where the path came from a request (BIRD's configuration), which must exist.
 */
export function writeFileAtomic(path: string, data: string | Buffer[], opts: { mode?: number; dirMode?: number; mkdir?: boolean } = {}): void {
  const dir = dirname(path);
  if (opts.mkdir !== false) mkdirSync(dir, { recursive: true, ...(opts.dirMode !== undefined ? { mode: opts.dirMode } : {}) });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', opts.mode ?? 0o640);
    try {
      if (typeof data === 'string') writeSync(fd, data);
      else writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* not ours to remove (e.g. a directory) */ }
    throw e;
  }
  // The rename is durable only once the directory entry is.
  const dfd = openSync(dir, 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}

/** Every byte of `chunks`, with writev in batches (short writes finished piece by piece). */
function writeAll(fd: number, chunks: Buffer[]): void {
  for (let i = 0; i < chunks.length;) {
    const batch = chunks.slice(i, i + IOV_BATCH);
    let want = 0;
    for (const b of batch) want += b.length;
    let done = writevSync(fd, batch);
    if (done === want) { i += batch.length; continue; }
    // A short write: finish this batch piece by piece from where it stopped.
    for (const b of batch) {
      if (done >= b.length) { done -= b.length; continue; }
      let off = done;
      done = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    }
    i += batch.length;
  }
}
