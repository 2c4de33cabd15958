// One deadline per check: the check's own timeout or the caller's abort, whichever
// comes first. Checkers ask `why()` to tell a timeout from a cancellation.
export interface Deadline {
  signal: AbortSignal;
  /** "timeout" or "aborted" once the signal fired; undefined before. */
  why(): 'timeout' | 'aborted' | undefined;
  /** Calls fn with the cause once the deadline fires (soon, if it already has). */
  onFire(fn: (why: 'timeout' | 'aborted') => void): void;
  clear(): void;
}

export function deadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const ac = new AbortController();
  let cause: 'timeout' | 'aborted' | undefined;
  const fire = (c: 'timeout' | 'aborted') => {
    if (cause) return;
    cause = c;
    ac.abort(new Error(c));
  };
  const timer = setTimeout(() => fire('timeout'), Math.max(0, timeoutMs));
  const onParent = () => fire('aborted');
  if (parent?.aborted) fire('aborted');
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: ac.signal,
    why: () => cause,
    onFire: (fn) => {
      if (cause) queueMicrotask(() => fn(cause!));
      else ac.signal.addEventListener('abort', () => fn(cause ?? 'aborted'), { once: true });
    },
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Milliseconds since `start` (performance.now() based), rounded to 0.1 ms. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timeout',
  EPIPE: 'connection closed while sending',
  EADDRNOTAVAIL: 'address not available',
};

/** A short reason for a socket/process error: "connection refused", "ENOENT: ...". */
export function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code && CODES[e.code]) return CODES[e.code]!;
  if (e?.code) return `${e.code}: ${e.message ?? ''}`.trim();
  return e?.message ?? String(err);
}
