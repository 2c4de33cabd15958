// On-demand CPU profiles and heap snapshots of a running daemon, with IPVX_PROFILE_DIR set:
// SIGUSR2 starts the V8 profiler and the next SIGUSR2 writes <dir>/ipvx-<pid>-<n>.cpuprofile;
// SIGUSR1 writes <dir>/ipvx-<pid>-<n>.heapsnapshot (taking the place of Node's "start the
// inspector" on SIGUSR1, only while profiling is asked for).
// `node --cpu-prof` cannot be used for the daemon: its SIGPROF sampling from start
// interrupts the kernel verifier and the program load fails with EAGAIN.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';

export function profileOnSignal(dir: string | undefined, log: Logger): void {
  if (!dir) return;
  let session: Session | undefined;
  let n = 0;
  const memory = () => {
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1048576);
    log.warn(`memory: rss ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, array buffers ${mb(m.arrayBuffers)} MB`);
  };
  process.on('SIGUSR1', () => {
    memory();
    const file = writeHeapSnapshot(join(dir, `ipvx-${process.pid}-${++n}.heapsnapshot`));
    log.warn(`heap snapshot written: ${file}`);
  });
  process.on('SIGUSR2', () => {
    memory();
    if (!session) {
      const s = new Session();
      s.connect();
      session = s;
      s.post('Profiler.enable', () => s.post('Profiler.start', () => log.warn('CPU profile started')));
      return;
    }
    const s = session;
    session = undefined;
    s.post('Profiler.stop', (err, r) => {
      if (!err && r) {
        const file = join(dir, `ipvx-${process.pid}-${++n}.cpuprofile`);
        writeFileSync(file, JSON.stringify(r.profile));
        log.warn(`CPU profile written: ${file}`);
      }
      s.disconnect();
    });
  });
}
