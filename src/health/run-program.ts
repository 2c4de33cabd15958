// Runs an external program (no shell) with a deadline, capturing a bounded amount
// of stdout. A program that outlives the deadline is killed with its process group.
import { spawn } from 'node:child_process';
import { deadline, describeError } from './deadline.js';

export type ProgramOutcome =
  | { kind: 'exit'; code: number; stdout: string }
  | { kind: 'signal'; signal: string; stdout: string }
  | { kind: 'timeout' | 'aborted'; stdout: string }
  | { kind: 'error'; reason: string };

const MAX_OUTPUT = 64 * 1024;

export function runProgram(argv: string[], timeoutMs: number, signal?: AbortSignal): Promise<ProgramOutcome> {
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
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
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
