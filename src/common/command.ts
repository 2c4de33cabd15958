// The one way ipvx runs an external tool (ip, ethtool, arping, birdc, systemd-notify,
// and the lab's commands): execFile, never a shell; a timeout; on failure a
// CommandError that carries the command line, the exit code and what the tool said.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly args: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`\`${[cmd, ...args].join(' ')}\` failed (${code === null ? 'killed' : `exit ${code}`}): ${stderr.trim() || stdout.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string | Uint8Array;
  /** Kill the command after this long (default 30 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Kills the command when aborted. */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

const MAX_BUFFER = 256 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

type ExecError = NodeJS.ErrnoException & { code?: number | string; killed?: boolean; status?: number | null; stdout?: string; stderr?: string };

/** What the tool said, or (when it said nothing: not found, killed) why it failed. */
const said = (stdout: string, stderr: string, e: Error) => (stderr || stdout ? stderr : e.message);

/** Run a command to completion; rejects with CommandError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args as string[], {
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_BUFFER, encoding: 'utf8',
      ...(opts.env ? { env: opts.env } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
    }, (err, stdout, stderr) => {
      if (err) {
        const e = err as ExecError;
        reject(new CommandError(cmd, args, e.killed ? null : (e.code ?? null), stdout ?? '', said(stdout ?? '', stderr ?? '', err)));
      } else {
        resolve({ stdout, stderr });
      }
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** run() and return stdout. */
export async function sh(cmd: string, args: readonly string[], opts?: RunOptions): Promise<string> {
  return (await run(cmd, args, opts)).stdout;
}

/** Blocking run() for start-up and one-shot commands: stdout, or a CommandError. */
export function runSync(cmd: string, args: readonly string[], opts: Omit<RunOptions, 'signal'> = {}): string {
  try {
    return execFileSync(cmd, args as string[], {
      encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_BUFFER,
      ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.env ? { env: opts.env } : {}),
    });
  } catch (err) {
    const e = err as ExecError;
    const stdout = String(e.stdout ?? ''), stderr = String(e.stderr ?? '');
    throw new CommandError(cmd, args, e.status ?? (typeof e.code === 'string' ? e.code : null), stdout, said(stdout, stderr, e));
  }
}

/** Synchronous variant for exit hooks; returns false instead of throwing. */
export function runSyncQuiet(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args as string[], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of an executable on PATH (plus the sbin directories), or undefined. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}
