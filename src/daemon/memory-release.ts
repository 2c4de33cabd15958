// Give memory back to the OS after a large configuration change. An ApplyConfig that
// replaces 10,000 services leaves the old state, the decoded request and its copies as
// garbage that V8 collects whenever its heuristics say so (often not before the next
// large request, whose copies then pile on top), and the array buffers freed by that
// collection go back to glibc's free lists, not to the OS. A full collection, then
// malloc_trim(0), right after such a change keeps the daemon at its retained size.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import koffi from 'koffi';
import type { Logger } from '../common/log.js';
import type { LargeChangePhase } from './controller.js';

let collect: (() => void) | undefined;
let trim: ((pad: number) => number) | undefined;

/** A full garbage collection (`gc()` without starting node with --expose-gc). */
function fullGc(): void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}

/** glibc's malloc_trim(0): returns free heap pages of every malloc arena. Not there (musl): nothing. */
function mallocTrim(): void {
  if (!trim) {
    try {
      trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
    } catch {
      trim = () => 0;
    }
  }
  trim(0);
}

/**
 * A full GC; with `toOs`, a second one and malloc_trim. V8 frees the backing stores of
 * dead array buffers on a background thread after a GC; the next GC waits for that, so
 * only after the second are they back in malloc's free lists for the trim to return
 * (measured: a trim right after one GC returned about half). Without `toOs`, freed memory
 * stays with the process for what comes next (the writes of a large change).
 * ~50-150 ms per GC with 10,000 services: for large changes only.
 */
export function releaseMemory(opts: { toOs: boolean }): { ms: number } {
  const t0 = process.hrtime.bigint();
  fullGc();
  if (opts.toOs) {
    fullGc();
    mallocTrim();
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/**
 * The hook the daemon installs as the controller's onLargeChange: collect once the
 * request's copies are garbage (before the writes, keeping the freed memory for them),
 * and after the change also give the replaced state's memory back to the OS.
 */
export function memoryHousekeeping(log: Logger): (phase: LargeChangePhase) => void {
  return (phase) => log.debug('memory released during a large change', { when: phase, ms: releaseMemory({ toOs: phase === 'after' }).ms });
}

/** Refused requests from this size on are followed by a release (their buffers and decoded copies are garbage). */
export const LARGE_REFUSAL_BYTES = 1024 * 1024;

/**
 * The daemon's server hook for refused requests: after a large one, give the memory back
 * (as after a large change). At most one release per `delayMs`, run after it: a client
 * sending refused requests in a loop costs one collection a second, not one each.
 */
export function releaseAfterRefusals(log: Logger, delayMs = 1000, release = () => releaseMemory({ toOs: true })): (bytes: number) => void {
  let timer: NodeJS.Timeout | undefined;
  return (bytes) => {
    if (bytes < LARGE_REFUSAL_BYTES || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      log.debug('memory released after a large refused request', { bytes, ms: release().ms });
    }, delayMs);
    timer.unref();
  };
}
