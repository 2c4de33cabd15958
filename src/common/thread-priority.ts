// Linux nice values belong to threads, not processes: setpriority(PRIO_PROCESS, tid)
// changes one thread. The daemon's worker threads use it so that heartbeats go first and
// screening a large request comes after the main thread's answers.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Set the calling thread's nice value (-20 highest .. 19 lowest). Raising it needs root
 * (CAP_SYS_NICE). Returns the error's message when it could not, else undefined.
 */
export function setThreadNice(nice: number): string | undefined {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
