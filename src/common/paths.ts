// Where ipvx keeps a network namespace's files, each named by the namespace's identity
// (src/common/netns.ts). The run directory is resolved here once for every command:
// --run-dir, else IPVX_RUN_DIR, else /run/ipvx.
import { join } from 'node:path';
import { netnsIdentity } from './netns.js';

export const DEFAULT_RUN_DIR = '/run/ipvx';
export const STATE_ROOT = '/var/lib/ipvx';

/** The run directory: the --run-dir option if given, else IPVX_RUN_DIR, else /run/ipvx. */
export function resolveRunDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return option || env.IPVX_RUN_DIR || DEFAULT_RUN_DIR;
}

export interface RunFiles { socket: string; pid: string; log: string }

/**
 * The daemon socket a client uses: --socket, else the one in --run-dir, else
 * IPVX_SOCKET, else this namespace's in the run directory (IPVX_RUN_DIR, /run/ipvx).
 * One order for the CLI and the console.
 */
export function resolveSocket(o: { socket?: string | undefined; runDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): string {
  if (o.socket) return o.socket;
  if (o.runDir === undefined && env.IPVX_SOCKET) return env.IPVX_SOCKET;
  return runFiles(resolveRunDir(o.runDir, env)).socket;
}

/** The daemon's socket, pid file and log of namespace `id` in `runDir`. */
export function runFiles(runDir: string, id = netnsIdentity().id): RunFiles {
  return { socket: join(runDir, `${id}.sock`), pid: join(runDir, `${id}.pid`), log: join(runDir, `${id}.log`) };
}

/** The directory of namespace `id`'s saved state (state.yaml and its namespace record). */
export function stateDir(id = netnsIdentity().id): string {
  return join(STATE_ROOT, id);
}

/** `ipvx realserver setup`'s record of what it changed in namespace `id`. */
export function realServerRecordPath(runDir: string, id = netnsIdentity().id): string {
  return join(runDir, `realserver-${id}.json`);
}
