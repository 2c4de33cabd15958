// The identity of the network namespace this process runs in: what ipvx names a
// namespace's pins, saved state, run files and real-server record after. The kernel
// reuses a namespace's inode number as soon as the namespace is gone, so the inode
// names nothing for long; the identity is:
//   host        the initial namespace (the machine's own)
//   <name>      a named namespace (`ip netns add <name>`: the /run/netns entry that is
//               this namespace); stays the same across reboots, so its state comes back
//   cookie-<N>  any other: the kernel's netns cookie, never reused during a boot
// Files that outlive a namespace carry an Owner record, and are adopted only by the
// namespace that wrote them (see ownerMismatch).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import koffi from 'koffi';

export type NetnsKind = 'host' | 'name' | 'cookie';

/** Who wrote a file: the identity, and what tells one namespace (one boot) from another. */
export interface Owner {
  id: string;
  kind: NetnsKind;
  /** SO_NETNS_COOKIE: unique among the namespaces of one boot. */
  cookie: string;
  /** /proc/sys/kernel/random/boot_id: cookies start over at each boot. */
  boot: string;
}

/** The initial namespace's inode on kernels that fix it (NET_NS_INIT_INO, Linux 6.18). */
const NET_NS_INIT_INO = 0xeffffff9;
const NETNS_RUN_DIR = '/run/netns';

const SOL_SOCKET = 1, SO_NETNS_COOKIE = 71, AF_UNIX = 1, SOCK_DGRAM = 2;
let sys: { socket: (d: number, t: number, p: number) => number; getsockopt: (fd: number, l: number, o: number, v: Buffer, len: number[]) => number; close: (fd: number) => number } | undefined;

/** SO_NETNS_COOKIE of the calling thread's network namespace (Linux >= 5.14). */
export function netnsCookie(): string {
  sys ??= (() => {
    const libc = koffi.load('libc.so.6');
    return {
      socket: libc.func('int socket(int domain, int type, int protocol)'),
      getsockopt: libc.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *len)'),
      close: libc.func('int close(int fd)'),
    };
  })();
  const fd = sys.socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) throw new Error('socket(AF_UNIX) failed: cannot read the network namespace cookie');
  try {
    const v = Buffer.alloc(8);
    if (sys.getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, v, [8]) !== 0) {
      throw new Error('getsockopt(SO_NETNS_COOKIE) failed: the kernel is older than 5.14');
    }
    return v.readBigUInt64LE().toString();
  } finally {
    sys.close(fd);
  }
}

let bootId: string | undefined;
export function currentBootId(): string {
  return (bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
}

/** The namespace at `path` (an nsfs file): device and inode, comparable while both are alive. */
export function nsKey(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

function isInitial(self: { ino: number; key: string }): boolean {
  if (self.ino === NET_NS_INIT_INO) return true;
  // Older kernels number the initial namespace like any other: compare with init's (pid 1's
  // /proc entry may be unreadable in a container; then the namespace counts as unnamed).
  return nsKey('/proc/1/ns/net') === self.key;
}

/** The /run/netns names that are this namespace, sorted (`ip netns attach` can give several). */
function namesOf(key: string, runDir = NETNS_RUN_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  return names.filter((n) => nsKey(`${runDir}/${n}`) === key).sort();
}

let cached: { key: string; owner: Owner } | undefined;

/**
 * This thread's namespace (see the top of the file). Remembered per namespace: a name
 * given or removed while the process runs is seen by the next process, not this one.
 */
export function netnsIdentity(): Owner {
  const s = statSync('/proc/thread-self/ns/net');
  const key = `${s.dev}:${s.ino}`;
  if (cached?.key === key) return cached.owner;
  const cookie = netnsCookie();
  const boot = currentBootId();
  let owner: Owner;
  if (isInitial({ ino: s.ino, key })) owner = { id: 'host', kind: 'host', cookie, boot };
  else {
    const name = namesOf(key)[0];
    owner = name !== undefined ? { id: name, kind: 'name', cookie, boot } : { id: `cookie-${cookie}`, kind: 'cookie', cookie, boot };
  }
  cached = { key, owner };
  return owner;
}

/** This namespace's identity as a name: `host`, its name, or `cookie-<N>`. */
export function netnsId(): string {
  return netnsIdentity().id;
}

/** The inode of this thread's namespace: what ipvx before identities named files after. */
export function netnsInode(): number {
  return statSync('/proc/thread-self/ns/net').ino;
}

export const formatOwner = (o: Owner): string => JSON.stringify({ id: o.id, kind: o.kind, cookie: o.cookie, boot: o.boot });

/** An Owner record's text, or undefined when it is not one. */
export function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    if (typeof o.id !== 'string' || !['host', 'name', 'cookie'].includes(String(o.kind)) || typeof o.cookie !== 'string' || typeof o.boot !== 'string') return undefined;
    return { id: o.id, kind: o.kind!, cookie: o.cookie, boot: o.boot };
  } catch {
    return undefined;
  }
}

export const describeOwner = (o: Owner): string =>
  o.kind === 'host' ? 'the initial (host) namespace' : o.kind === 'name' ? `a namespace named '${o.id}' (cookie ${o.cookie})` : `an unnamed namespace (cookie ${o.cookie})`;

/**
 * Why `found` (the record of a file) is not ours, or undefined when it is.
 * 'boot' files (pins, run files, real-server records) belong to one namespace of one
 * boot: the cookie must match. 'persistent' files (the saved state) belong to the
 * identity: a named namespace finds its state after a reboot, under a new cookie.
 */
export function ownerMismatch(found: Owner | undefined, ours: Owner, scope: 'boot' | 'persistent'): string | undefined {
  if (!found) return 'it has no namespace record (left by an older ipvx, or not by ipvx)';
  const sameBoot = found.boot === ours.boot;
  if (scope === 'boot' || found.kind === 'cookie') {
    if (sameBoot && found.cookie === ours.cookie && found.kind === ours.kind) return undefined;
    if (!sameBoot) return `it belongs to ${describeOwner(found)} of an earlier boot; this is ${describeOwner(ours)}`;
    return `it belongs to ${describeOwner(found)}, not to this one (${describeOwner(ours)}): that namespace was deleted (and one made again under its name?)`;
  }
  if (found.kind === ours.kind && found.id === ours.id) return undefined;
  return `it belongs to ${describeOwner(found)}; this is ${describeOwner(ours)}`;
}
