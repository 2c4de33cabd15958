// Running commands for the lab: execFile (never a shell), errors that carry the
// command line and its stderr. Everything that touches the network goes through a
// named namespace: `ip -n <ns> ...` or `ip netns exec <ns> ...`.
import { execFile, execFileSync } from 'node:child_process';

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
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Run a command to completion; rejects with CommandError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args as string[], {
      timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
      ...(opts.env ? { env: opts.env } : {}),
    }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        reject(new CommandError(cmd, args, e.killed ? null : (e.code ?? null), stdout ?? '', stderr ?? String(err.message)));
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

/** Synchronous variant for exit hooks; returns false instead of throwing. */
export function runSyncQuiet(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args as string[], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function checkNs(ns: string): void {
  if (!ns || !/^[A-Za-z0-9_.-]+$/.test(ns)) throw new Error(`bad network namespace name '${ns}'`);
}

/** `ip -n <ns> <args>`: iproute2 inside a namespace. */
export function ipIn(ns: string, args: readonly string[], opts?: RunOptions): Promise<string> {
  checkNs(ns);
  return sh('ip', ['-n', ns, ...args], opts);
}

/** `ip netns exec <ns> <cmd> <args>`. */
export function execIn(ns: string, cmd: string, args: readonly string[], opts?: RunOptions): Promise<string> {
  checkNs(ns);
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** `ethtool` inside a namespace. */
export function ethtoolIn(ns: string, args: readonly string[]): Promise<string> {
  return execIn(ns, 'ethtool', args);
}

/** `sysctl -w key=value` inside a namespace. Only net.* keys (the ones a network namespace owns). */
export async function sysctlIn(ns: string, key: string, value: string | number): Promise<void> {
  if (!/^net\.[A-Za-z0-9_./-]+$/.test(key)) throw new Error(`refusing sysctl '${key}': only net.* keys are per-namespace`);
  await execIn(ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/** Names of the network namespaces that exist (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list']);
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter((n) => n.length > 0);
}
