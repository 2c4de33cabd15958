// The web console on a kept demo lab (`ipvx demo --keep`): `ipvx console` in this
// namespace on 127.0.0.1 (3636, or the next free port), on the director's daemon socket,
// with a password made for the lab. Its password file, log and pid live in the daemon's
// temp dir, which `ipvx demo --clean` removes after stopping it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setPassword } from '../console/passwd.js';
import { IPVX_BIN, type DirectorDaemon } from './classic.js';

const FIRST_PORT = 3636;
const passwdFileIn = (dir: string) => join(dir, 'console-passwd');
const PORTS_TRIED = 20;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function startDemoConsole(d: Pick<DirectorDaemon, 'dir' | 'socket'>): Promise<{ url: string; password: string }> {
  let port = 0;
  for (let p = FIRST_PORT; p < FIRST_PORT + PORTS_TRIED && !port; p++) if (await portFree(p)) port = p;
  if (!port) throw new Error(`no free port for the console in ${FIRST_PORT}-${FIRST_PORT + PORTS_TRIED - 1}`);
  const password = randomBytes(12).toString('base64url');
  const passwdFile = passwdFileIn(d.dir);
  await setPassword(passwdFile, 'admin', password);
  const log = join(d.dir, 'console.log');
  const out = openSync(log, 'a', 0o600);
  const child = spawn(process.execPath, [IPVX_BIN, 'console', '--socket', d.socket, '--passwd-file', passwdFile, '--listen', `127.0.0.1:${port}`],
    { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  writeFileSync(join(d.dir, 'console.pid'), String(child.pid));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`ipvx console exited (${child.exitCode}): ${readFileSync(log, 'utf8').slice(-2000)}`);
    if (readFileSync(log, 'utf8').includes('listening on http://')) {
      child.unref();
      return { url: `http://127.0.0.1:${port}/`, password };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`ipvx console did not listen within 30 s: ${readFileSync(log, 'utf8').slice(-2000)}`);
}

/** Stop the console a kept demo started (its pid file in `dir`), if it still runs. */
export function stopDemoConsole(dir: string): void {
  const f = join(dir, 'console.pid');
  if (!existsSync(f)) return;
  const pid = Number(readFileSync(f, 'utf8'));
  // Only ours (the pid may have been reused since): its command line names its password file in `dir`.
  let cmd = '';
  try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return; }
  if (!cmd.includes(passwdFileIn(dir))) return;
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
}
