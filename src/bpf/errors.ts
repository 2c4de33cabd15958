// Every libbpf failure as an Error with the call, errno and libbpf's own words.
import { F, errno, logPosition, logSince } from './libbpf.js';

/** The kernel's internal "not supported" (e.g. a batch operation on a map type without one). */
export const ENOTSUPP = 524;

export class BpfError extends Error {
  /**
   * @param op     the libbpf call (or the operation) that failed
   * @param errno  positive errno
   * @param detail what it was called on (a path, a map name, an ifindex)
   * @param log    libbpf's warn/info lines printed during the call (a verifier log on a failed load)
   */
  constructor(readonly op: string, readonly errno: number, detail = '', readonly log: string[] = []) {
    super(`${op}: ${describe(errno)} (errno ${errno})${detail ? ': ' + detail : ''}${log.length ? '\n' + log.join('\n') : ''}`);
    this.name = 'BpfError';
  }
}

function describe(err: number): string {
  if (err === ENOTSUPP) return 'Operation not supported (ENOTSUPP)';
  const buf = new Uint8Array(256);
  F.strerror(err, buf, buf.length);
  return Buffer.from(buf.subarray(0, buf.indexOf(0))).toString();
}

/** The position in libbpf's log now: lines after it belong to the call about to be made. */
export function logMark(): number {
  return logPosition();
}

/** libbpf 1.x returns -errno from int APIs; a failure carries what libbpf printed since `mark`. */
export function check(op: string, rc: number, detail?: string, mark?: number): number {
  if (rc < 0) throw new BpfError(op, -rc, detail, mark === undefined ? [] : logSince(mark));
  return rc;
}

/** For calls that return NULL and set errno (libbpf_get_error's contract in 1.x). */
export function checkPtr<T>(op: string, p: T | null, detail?: string, mark = logPosition()): T {
  if (p === null || p === undefined) throw new BpfError(op, errno() || 22, detail, logSince(mark));
  return p;
}
