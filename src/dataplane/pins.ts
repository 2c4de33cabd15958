// Where a network namespace's program and maps are pinned: /sys/fs/bpf/ipvx/<netns inode>/.
// bpffs is shared by every namespace of the mount namespace, so each netns gets its own folder.
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const BPFFS_ROOT = '/sys/fs/bpf/ipvx';

export function netnsId(): string {
  return String(statSync('/proc/self/ns/net').ino);
}

export function pinDir(root = BPFFS_ROOT, ns = netnsId()): string {
  return join(root, ns);
}
