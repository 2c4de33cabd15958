// Whether a process lives, for pid files: signal 0 checks without signalling.

/** Whether process `pid` lives (EPERM: it does, as another user's). */
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
