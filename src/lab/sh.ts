// Commands for the lab, through src/common/command.ts (execFile, never a shell; errors
// that carry the command line and its stderr). Everything that touches the network goes
// through a named namespace: `ip -n <ns> ...` or `ip netns exec <ns> ...`.
import { sh, type RunOptions } from '../common/command.js';

export { run, sh, runSync, runSyncQuiet, CommandError, type RunOptions, type RunResult } from '../common/command.js';

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
