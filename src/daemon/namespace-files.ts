// The files a daemon keeps for its network namespace outside the process: the saved
// state (with a record of the namespace it belongs to), the run files (socket, pid,
// log) and the pinned maps. Adopted only when they are this namespace's; removed
// together by `ipvx daemon stop --purge`.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { netnsIdentity, netnsInode, nsKey, formatOwner, parseOwner, ownerMismatch, type Owner } from '../common/netns.js';
import { processAlive } from '../common/process-alive.js';
import type { Logger } from '../common/log.js';
import type { RunFiles } from '../common/paths.js';

/** The namespace record in a state directory. */
export const STATE_OWNER = 'netns.json';

/**
 * Make `dir` (/var/lib/ipvx/<identity>) this namespace's state directory, or refuse it
 * with what was found there and how to remove it. A new directory gets our record.
 */
export function claimStateDir(dir: string, log?: Logger, ours: Owner = netnsIdentity()): void {
  if (ours.kind === 'host') adoptLegacyHostState(dir, log);
  const record = join(dir, STATE_OWNER);
  let text: string | undefined;
  try { text = readFileSync(record, 'utf8'); } catch { /* none */ }
  if (text === undefined && (!existsSync(dir) || readdirSync(dir).length === 0)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(record, `${formatOwner(ours)}\n`, { mode: 0o600 });
    return;
  }
  const why = ownerMismatch(text === undefined ? undefined : parseOwner(text), ours, 'persistent');
  if (why) {
    throw new Error(`the saved state in ${dir} is not this namespace's: ${why}. Nothing was loaded. `
      + `Move it away (mv ${dir} ${dir}.old) or remove it (rm -r ${dir}), or give --state FILE`);
  }
}

/**
 * ipvx before namespace identities saved the state under the namespace's inode number.
 * The initial namespace's inode names it for as long as the machine runs (and on the
 * same kernel after a reboot): that state is the host's. Move it to its new place.
 */
function adoptLegacyHostState(dir: string, log?: Logger): void {
  const legacy = join(dirname(dir), String(netnsInode()));
  if (existsSync(dir) || !existsSync(join(legacy, 'state.yaml'))) return;
  renameSync(legacy, dir);
  log?.info('moved the state saved under the namespace inode to its identity', { from: legacy, to: dir });
}

/**
 * The live process a pid file names, and whether it runs in this network namespace
 * (undefined when that cannot be read). Undefined when no such process lives.
 */
export function runningDaemon(pidFile: string): { pid: number; sameNamespace: boolean | undefined } | undefined {
  let pid: number;
  try { pid = Number(readFileSync(pidFile, 'utf8')); } catch { return undefined; }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  const theirs = nsKey(`/proc/${pid}/ns/net`), ours = nsKey('/proc/thread-self/ns/net');
  return { pid, sameNamespace: theirs === undefined || ours === undefined ? undefined : theirs === ours };
}

type AttachMode = 'native' | 'generic';

/** Interfaces of this namespace with ipvx's director program attached (known by the program's name). */
async function attachedDirector(): Promise<{ name: string; ifindex: number; modes: AttachMode[] }[]> {
  const { queryXdp, BpfProgram } = await import('../bpf/index.js');
  const { ipLinks } = await import('../dataplane/neighbors.js');
  const { DIRECTOR_PROGRAM } = await import('../dataplane/xdp.js');
  const links = await ipLinks();
  const out: { name: string; ifindex: number; modes: AttachMode[] }[] = [];
  for (const l of links) {
    const q = queryXdp(l.ifindex);
    const modes: AttachMode[] = [];
    for (const [mode, id] of [['native', q.nativeProgId], ['generic', q.genericProgId]] as const) {
      if (!id) continue;
      const p = BpfProgram.openById(id);
      try {
        // The kernel keeps 15 characters of a program's name: "balancer_ingres".
        if (p.name.length >= 8 && DIRECTOR_PROGRAM.startsWith(p.name)) modes.push(mode);
      } finally {
        p.close();
      }
    }
    if (modes.length) out.push({ name: l.ifname, ifindex: l.ifindex, modes });
  }
  return out;
}

export type PurgeResult = { ok: true; removed: string[] } | { ok: false; reason: string };

/**
 * Remove this namespace's pinned maps, saved state (its directory, or the --state file)
 * and run files. Refused while ipvx's program is attached here (the pinned maps are
 * what it forwards with) unless `detach`, which detaches it first.
 */
export async function purgeNamespace(p: RunFiles & { state: string; stateDir?: string }, o: { detach: boolean }): Promise<PurgeResult> {
  const { pinDir, shownPinPath } = await import('../dataplane/pins.js');
  let pins: string | undefined;
  try { pins = pinDir(); } catch { /* no bpffs: nothing pinned */ }
  const attached = await attachedDirector();
  if (attached.length && !o.detach) {
    return {
      ok: false,
      reason: `the data plane is still attached to ${attached.map((a) => a.name).join(', ')} and forwards with the pinned maps; `
        + 'nothing was removed. Add --detach to detach it first (forwarding stops)',
    };
  }
  if (attached.length) {
    const { detachXdp } = await import('../bpf/index.js');
    for (const a of attached) for (const m of a.modes) detachXdp(a.ifindex, m);
  }
  const removed: string[] = [];
  for (const path of [pins, p.stateDir ?? p.state, p.socket, p.pid, p.log]) {
    if (path && existsSync(path)) {
      rmSync(path, { recursive: true, force: true });
      removed.push(path === pins ? shownPinPath(path) : path);
    }
  }
  return { ok: true, removed };
}
