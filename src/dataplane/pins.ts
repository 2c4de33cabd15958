// Where a network namespace's program and maps are pinned: <bpffs>/ipvx/<netns inode>/.
// bpffs is shared by every network namespace of a mount namespace, so each netns
// gets its own folder.
import { statSync, statfsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

export function netnsId(): string {
  return String(statSync('/proc/self/ns/net').ino);
}

export function pinDir(ns = netnsId()): string {
  return join(bpffsRoot(), 'ipvx', ns);
}
