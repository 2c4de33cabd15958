// The daemon as a process: one per network namespace, its pid file, starting it in the
// background (and waiting until it answers), stopping it, telling systemd it is ready.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import { IpvxClient } from '../api/client.js';
import { runSync } from '../common/command.js';
import type { Logger } from '../common/log.js';

/** The files of the daemon of one network namespace. */
export interface DaemonPaths { socket: string; pid: string; log: string; state: string }

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Throws when the pid file names another process that is alive. */
export function refuseIfRunning(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const old = Number(readFileSync(pidFile, 'utf8'));
  if (old && old !== process.pid && alive(old)) throw new Error(`already running in this network namespace (pid ${old}); stop it with: ipvx daemon stop`);
}

/**
 * systemd Type=notify. Node has no unix datagram sockets, so READY=1 goes through
 * systemd-notify; as it is a child process, the unit needs NotifyAccess=all.
 */
export function notifyReady(log: Logger): void {
  if (!process.env.NOTIFY_SOCKET) return;
  try {
    runSync('systemd-notify', ['--ready', `--pid=${process.pid}`, '--status=serving']);
  } catch (e) {
    log.warn('NOTIFY_SOCKET is set but systemd-notify failed; systemd will not see the daemon ready', { error: (e as Error).message });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `mainJs run ...args` in the background; returns once it answers on its socket (0) or failed (1). */
export async function start(args: string[], p: DaemonPaths, mainJs: string): Promise<number> {
  refuseIfRunning(p.pid);
  mkdirSync(p.log.slice(0, p.log.lastIndexOf('/')), { recursive: true, mode: 0o700 });
  const out = openSync(p.log, 'a', 0o600);
  const logStart = statSync(p.log).size; // show only what this start wrote
  const child = spawn(process.execPath, [mainJs, 'run', ...args], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  const logTail = () => (existsSync(p.log) ? readFileSync(p.log).subarray(logStart).toString('utf8').trim().split('\n').slice(-12).join('\n') : '');
  for (let i = 0; i < 600; i++) {
    if (exited !== undefined) {
      console.error(`ipvx daemon: failed to start (exit ${exited}); ${p.log} says:\n${logTail()}`);
      return 1;
    }
    if (existsSync(p.socket)) {
      const c = new IpvxClient(`unix:${p.socket}`, { timeoutMs: 1000 });
      try {
        const s = await c.getStatus();
        if (s.pid !== child.pid) throw new Error('another daemon answers'); // keep waiting for ours (or its exit)
        child.unref();
        console.log(`ipvx daemon started (pid ${child.pid}, socket ${p.socket}, ${s.services} services)`);
        return 0;
      } catch {
        // not serving yet
      } finally {
        c.close();
      }
    }
    await sleep(100);
  }
  console.error(`ipvx daemon: did not answer on ${p.socket} within 60 s; ${p.log} says:\n${logTail()}`);
  return 1;
}

/** SIGTERM the daemon of the pid file and wait until it is gone (30 s). */
export async function stop(p: DaemonPaths): Promise<number> {
  if (!existsSync(p.pid)) { console.error(`ipvx daemon: not running in this network namespace (no ${p.pid})`); return 1; }
  const pid = Number(readFileSync(p.pid, 'utf8'));
  if (!pid || !alive(pid)) { rmSync(p.pid, { force: true }); console.error('ipvx daemon: not running (removed a stale pid file)'); return 1; }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300 && alive(pid); i++) await sleep(100);
  if (alive(pid)) { console.error(`ipvx daemon: pid ${pid} did not stop within 30 s`); return 1; }
  console.log('ipvx daemon stopped');
  return 0;
}
