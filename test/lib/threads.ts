// The threads of this process as the kernel sees them.
import { readdirSync, readFileSync } from 'node:fs';

/** The nice value of every thread of this process (/proc/self/task/TID/stat, field 19). */
export function threadNices(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After "tid (comm) ": field 3 onwards; comm may hold spaces and parentheses.
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}
