// Polling for a condition that a daemon, a lab or a peer reaches asynchronously:
// bounded, so a bug fails with what was awaited instead of hanging the run.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface WaitDefaults {
  timeoutMs: number;
  everyMs: number;
  /** Treat a throwing probe as "not yet" (a peer still starting), reporting the last error on timeout. */
  retryErrors?: boolean;
}

export type Probe<T> = () => Promise<T | undefined | false> | T | undefined | false;

/** Poll `f` until it returns something other than undefined or false; that value is returned. */
export async function until<T>(what: string, f: Probe<T>, timeoutMs = 10_000, everyMs = 50, retryErrors = false): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (!retryErrors) throw e;
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** `until` with a file's own defaults (a quick unit test polls faster than a lab). */
export function untilWith(d: WaitDefaults) {
  return <T>(what: string, f: Probe<T>, timeoutMs = d.timeoutMs, everyMs = d.everyMs): Promise<T> => until(what, f, timeoutMs, everyMs, d.retryErrors);
}
