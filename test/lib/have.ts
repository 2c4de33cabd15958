// Whether an optional tool is installed, for tests that skip what needs it.
import { execFileSync } from 'node:child_process';

export function haveCommand(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
