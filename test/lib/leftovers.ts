// What ipvx leaves on the machine outside the namespaces a run makes: the entries of
// /run/ipvx, /var/lib/ipvx and <bpffs>/ipvx. `make test` lists them before the tests and
// checks after them that nothing new remains (`node leftovers.js snapshot|check FILE`);
// the demo's test does the same around one `ipvx demo`.
//
// Other engineers' runs may be going on at the same time on this machine: an entry that
// belongs to a namespace that still exists is theirs (or a daemon's that still runs), not
// a leftover. Each entry is named by a namespace identity (src/common/netns.ts):
//   <name>      a named namespace: alive while /run/netns/<name> exists, unless it is a
//               lab's (`<prefix><pid>-<n>-<host>`) whose process is gone: then the
//               namespace itself was left behind, and its files with it
//   cookie-<N>  alive while a process runs in a namespace with that cookie
//   host        the machine's own namespace: a new entry is always a leftover (tests never
//               run ipvx there with the default directories)
//   <digits>    an inode number, as ipvx named entries before identities (a run of an
//               older checkout beside ours): alive while a namespace with that inode is
import { existsSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { bpffsRoot } from '../../src/dataplane/pins.js';
import { DEFAULT_RUN_DIR, STATE_ROOT } from '../../src/common/paths.js';

/** The directories whose entries are checked (the bpffs one as a person names it). */
export function watchedDirs(): string[] {
  let bpf: string | undefined;
  try { bpf = join(bpffsRoot(), 'ipvx'); } catch { /* no bpffs */ }
  return [DEFAULT_RUN_DIR, STATE_ROOT, ...(bpf ? [bpf] : [])];
}

/** Every entry of the watched directories, as full paths. */
export function listEntries(dirs = watchedDirs()): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d)) out.push(join(d, e));
  }
  return out.sort();
}

/** The namespace identity an entry is named after: <id>.sock|pid|log, realserver-<id>.json, <id>, <id>-decap. */
export function identityOf(entry: string): string {
  const base = entry.slice(entry.lastIndexOf('/') + 1);
  const m = /^realserver-(.+)\.json$/.exec(base) ?? /^(.+)\.(?:sock|pid|log)$/.exec(base) ?? /^(.+)-decap$/.exec(base);
  return m ? m[1]! : base;
}

const LAB_NAME = /^[A-Za-z0-9_-]+?(\d+)-\d+-[A-Za-z0-9_-]+$/;

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Every namespace a process runs in now: dev:ino -> one pid in it. */
function liveNamespaces(): Map<string, number> {
  const seen = new Map<string, number>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = statSync(`/proc/${p}/ns/net`);
      if (!seen.has(`${s.dev}:${s.ino}`)) seen.set(`${s.dev}:${s.ino}`, Number(p));
    } catch { /* gone, or not ours to see */ }
  }
  return seen;
}

/** The inodes of the namespaces processes run in or /run/netns names. */
function liveInodes(netnsDir: string): Set<string> {
  const inodes = new Set([...liveNamespaces().keys()].map((k) => k.split(':')[1]!));
  try {
    for (const n of readdirSync(netnsDir)) inodes.add(String(statSync(join(netnsDir, n)).ino));
  } catch { /* none */ }
  return inodes;
}

/** The netns cookies of every namespace a process runs in now (read from inside each). */
function liveCookies(): Set<string> {
  const seen = liveNamespaces();
  const cookies = new Set<string>();
  const probe = 'import socket,struct;print(struct.unpack("Q",socket.socket().getsockopt(1,71,8))[0])';
  for (const pid of seen.values()) {
    const r = spawnSync('nsenter', ['-t', String(pid), '-n', 'python3', '-c', probe], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) cookies.add(r.stdout.trim());
  }
  return cookies;
}

/** Whether the namespace an identity names still exists (see the top of the file). */
export function makeAliveCheck(netnsDir = '/run/netns'): (id: string) => boolean {
  let cookies: Set<string> | undefined;
  let inodes: Set<string> | undefined;
  return (id: string) => {
    if (id === 'host') return false;
    if (/^\d+$/.test(id)) return (inodes ??= liveInodes(netnsDir)).has(id);
    const c = /^cookie-(\d+)$/.exec(id);
    if (c) return (cookies ??= liveCookies()).has(c[1]!);
    if (!existsSync(join(netnsDir, id))) return false;
    const lab = LAB_NAME.exec(id);
    return !lab || pidAlive(Number(lab[1]));
  };
}

/** Entries in `after` that were not in `before` and whose namespace is gone. */
export function leftovers(before: readonly string[], after: readonly string[], alive = makeAliveCheck()): string[] {
  const had = new Set(before);
  return after.filter((e) => !had.has(e) && !alive(identityOf(e)));
}

// `node leftovers.js snapshot FILE` before a run, `node leftovers.js check FILE` after it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [cmd, file] = process.argv.slice(2);
  if (!file || (cmd !== 'snapshot' && cmd !== 'check')) {
    console.error('usage: leftovers.js snapshot|check FILE');
    process.exit(2);
  }
  if (cmd === 'snapshot') {
    writeFileSync(file, JSON.stringify(listEntries()));
  } else {
    const left = leftovers(JSON.parse(readFileSync(file, 'utf8')) as string[], listEntries());
    if (left.length) {
      console.error(`leftovers: the run left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} of namespaces that are gone:\n  ${left.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`leftovers: nothing new left in ${watchedDirs().join(', ')}`);
  }
}
