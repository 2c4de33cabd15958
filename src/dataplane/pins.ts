// Where a network namespace's program and maps are pinned: <bpffs>/ipvx/<netns identity>/.
// bpffs is shared by every network namespace of a mount namespace, so each netns
// gets its own folder, with a record of the namespace that made it (a symlink named
// `netns`: bpffs holds no regular files) so that no other namespace adopts its maps.
import { statfsSync, openSync, readFileSync, readdirSync, mkdirSync, readlinkSync, symlinkSync, existsSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { netnsIdentity, netnsId, netnsInode, formatOwner, parseOwner, ownerMismatch, type Owner } from '../common/netns.js';

const BPF_FS_MAGIC = 0xcafe4a11;

function isBpffs(path: string): boolean {
  try {
    return statfsSync(path).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // "pid (comm) state ppid ...": comm may contain spaces, so read after the last ')'.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

let root: string | undefined;

/**
 * The BPF filesystem to pin in. `ip netns exec` gives its command a fresh /sys
 * without the bpffs mount; pins made in a private bpffs would vanish with it, so
 * reach the bpffs of the nearest ancestor that sees one, and hold it open: the
 * path /proc/self/fd/N stays valid after that ancestor exits.
 */
export function bpffsRoot(): string {
  if (root) return root;
  if (isBpffs('/sys/fs/bpf')) return (root = '/sys/fs/bpf');
  for (let pid = process.ppid; pid > 1; pid = parentOf(pid)) {
    const p = `/proc/${pid}/root/sys/fs/bpf`;
    if (isBpffs(p)) return (root = `/proc/self/fd/${openSync(p, 'r')}`);
  }
  throw new Error('no BPF filesystem at /sys/fs/bpf: mount one with `mount -t bpf bpf /sys/fs/bpf`');
}

export function pinDir(ns = netnsId()): string {
  return join(bpffsRoot(), 'ipvx', ns);
}

/** A pin path as a person finds it: under /sys/fs/bpf, not the /proc/self/fd/N this process reaches it by. */
export function shownPinPath(path: string): string {
  return path.replace(/^\/proc\/self\/fd\/\d+(?=\/|$)/, '/sys/fs/bpf');
}

/** The path this process reaches a shown pin path (shownPinPath) by. */
export function reachPinPath(shown: string): string {
  return shown.startsWith('/sys/fs/bpf/') ? join(bpffsRoot(), shown.slice('/sys/fs/bpf/'.length)) : shown;
}

/** The name of the owner record in a pin directory. */
export const PIN_OWNER = 'netns';

/**
 * Make `dir` this namespace's pin directory, or refuse it: pins another namespace left
 * there (the maps of a deleted namespace, or of a namespace of the same name made
 * again) must never be adopted. An empty or new directory gets our record.
 */
export function claimPinDir(dir: string, ours: Owner = netnsIdentity()): void {
  if (ours.kind === 'host' && adoptLegacyHostPins(dir)) symlinkSync(formatOwner(ours), join(dir, PIN_OWNER));
  mkdirSync(dir, { recursive: true });
  let found: string | undefined;
  try { found = readlinkSync(join(dir, PIN_OWNER)); } catch { /* none */ }
  const entries = readdirSync(dir);
  if (found === undefined && entries.length === 0) {
    symlinkSync(formatOwner(ours), join(dir, PIN_OWNER));
    return;
  }
  const why = ownerMismatch(found === undefined ? undefined : parseOwner(found), ours, 'boot');
  if (why) {
    const shown = shownPinPath(dir);
    throw new Error(`pinned maps in ${shown} are not this namespace's: ${why}. `
      + `Nothing was adopted. If no data plane uses them any more, remove them with: rm -r ${shown}`);
  }
}

/**
 * ipvx before namespace identities pinned the director's maps under the inode number.
 * The initial namespace lives as long as the machine runs, so pins under its inode are
 * its own: move them to `host` (an upgrade must not drop the running data plane). Only
 * the director's directory itself: `host-decap` (a real server's) is not the director's.
 */
function adoptLegacyHostPins(dir: string): boolean {
  if (basename(dir) !== 'host') return false;
  const legacy = join(dir, '..', String(netnsInode()));
  if (existsSync(dir) || !existsSync(join(legacy, 'services'))) return false;
  renameSync(legacy, dir);
  return true;
}
