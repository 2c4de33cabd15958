// Runs an external program (no shell) with a deadline, capturing a bounded amount
// of stdout. A program that outlives the deadline is killed with its process group.
import { spawn } from 'node:child_process';
import { deadline, describeError } from './deadline.js';
import { resolveProgram, PROGRAM_ENV, type ProgramPolicy } from './programs.js';

export type ProgramOutcome =
  | { kind: 'exit'; code: number; stdout: string }
  | { kind: 'signal'; signal: string; stdout: string }
  | { kind: 'timeout' | 'aborted'; stdout: string }
  | { kind: 'error'; reason: string };

const MAX_OUTPUT = 64 * 1024;

/**
 * With a `policy` (the daemon's), the program must be one it allows (programs.ts) and
 * runs as its user, in /, with a minimal environment; without, as it is named, as us.
 */
export function runProgram(argv: string[], timeoutMs: number, signal?: AbortSignal, policy?: ProgramPolicy): Promise<ProgramOutcome> {
  let file = argv[0]!;
  if (policy) {
    const r = resolveProgram(file, policy);
    if (!r.ok) return Promise.resolve({ kind: 'error', reason: `not run: ${r.why}` });
    file = r.path;
  }
  const as = policy ? { env: PROGRAM_ENV, cwd: '/', ...(policy.user ? { uid: policy.user.uid, gid: policy.user.gid } : {}) } : {};
  return new Promise((resolve) => {
    const dl = deadline(timeoutMs, signal);
    let stdout = '';
    let settled = false;
    const done = (o: ProgramOutcome) => {
      if (settled) return;
      settled = true;
      dl.clear();
      resolve(o);
    };
    let child;
    try {
      // detached: own process group, so a killed script takes its children with it.
      // With uid/gid, libuv also drops the supplementary groups (setgroups) in the child.
      child = spawn(file, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], detached: true, ...as });
    } catch (err) {
      done({ kind: 'error', reason: `cannot run ${argv[0]}: ${describeError(err)}` });
      return;
    }
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.slice(0, MAX_OUTPUT - stdout.length);
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    dl.onFire((why) => {
      kill();
      done({ kind: why, stdout });
    });
    child.on('error', (err) => done({ kind: 'error', reason: `cannot run ${argv[0]}: ${describeError(err)}` }));
    child.on('close', (code, sig) => {
      if (sig) done({ kind: 'signal', signal: sig, stdout });
      else done({ kind: 'exit', code: code ?? 0, stdout });
    });
  });
}
