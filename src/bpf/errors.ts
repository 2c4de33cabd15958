// Every libbpf failure as an Error with the call, errno and libbpf's own words.
import { F, recentLog, errno } from './libbpf.js';

export class BpfError extends Error {
  constructor(readonly op: string, readonly errno: number, detail = '', readonly log: string[] = []) {
    super(`${op}: ${describe(errno)} (errno ${errno})${detail ? ': ' + detail : ''}${log.length ? '\n' + log.join('\n') : ''}`);
    this.name = 'BpfError';
  }
}

function describe(err: number): string {
  const buf = new Uint8Array(256);
  F.strerror(err, buf, buf.length);
  return Buffer.from(buf.subarray(0, buf.indexOf(0))).toString();
}

/** libbpf 1.x returns -errno from int APIs. */
export function check(op: string, rc: number, detail?: string): number {
  if (rc < 0) throw new BpfError(op, -rc, detail);
  return rc;
}

/** For calls that return NULL (or -1) and set errno; attaches libbpf's log since `mark`. */
export function checkPtr<T>(op: string, p: T | null, detail?: string, mark = recentLog.length): T {
  if (p === null || p === undefined) throw new BpfError(op, errno() || 22, detail, recentLog.slice(mark));
  return p;
}

export function logMark(): number {
  return recentLog.length;
}

export { recentLog };
