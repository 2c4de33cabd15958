// Network namespace topologies for e2e tests, benchmarks and `ipvx demo`.
//
// A Lab owns a set of namespaces named `${prefix}${pid}-${n}-${host}`, so parallel runs
// never collide, and removes exactly those (with the veths and bridges inside them and
// the processes it started in them) on destroy(), on process exit and on SIGINT/SIGTERM/SIGHUP.
// Nothing is ever created in the caller's own namespace: veth pairs are created inside a
// lab namespace with their peer placed directly into another one.
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bpffsRoot } from '../dataplane/pins.js';
import { processAlive } from '../common/process-alive.js';
import { DEFAULT_RUN_DIR, runFiles, realServerRecordPath, stateDir } from '../common/paths.js';
import { run, runSync, ipIn, execIn, ethtoolIn, sysctlIn, runSyncQuiet, listNetns, CommandError, type RunOptions } from './sh.js';

export interface Host {
  /** Short name given to addHost ("client", "rs1"). */
  readonly name: string;
  /** Network namespace name (use with `ip netns exec`). */
  readonly ns: string;
}

export interface LinkEnd {
  host: Host;
  ifname: string;
}

export interface Link {
  a: LinkEnd;
  b: LinkEnd;
}

export interface LinkOpts {
  /** Interface name in a (default eth0, eth1, ... per host). At most 15 characters. */
  aIf?: string;
  /** Interface name in b. */
  bIf?: string;
  aMac?: string;
  bMac?: string;
  mtu?: number;
  /** Turn GRO on at both ends (frames XDP_TX'ed / redirected into a veth are dropped by a peer without XDP unless GRO is on). */
  gro?: boolean;
  /**
   * For links whose frames cross an XDP program, so that veths behave like NICs:
   * - TX checksum offload off at both ends: a veth sender otherwise leaves TCP/UDP
   *   checksums for "the hardware"; once XDP turns the skb into a raw frame nobody
   *   completes them and the receiver drops the segment (TcpInCsumErrors).
   * - a pass-all XDP program at both ends (replaced by whatever XDP program a host
   *   attaches later): a veth accepts XDP_TX/XDP_REDIRECT frames only when it runs XDP
   *   itself. GRO would also allow it, but merges frames into buffers that a later XDP
   *   program (a real server's decap) would see as one oversized packet.
   */
  xdp?: boolean;
  /** Bring both ends up (default true). */
  up?: boolean;
}

export interface SpawnOpts {
  env?: NodeJS.ProcessEnv;
  /** Resolve only after a stdout line matching this (string = whole line) was printed. */
  ready?: string | RegExp;
  /** How long to wait for `ready` (default 10 s). */
  readyTimeoutMs?: number;
}

const IFNAME_MAX = 15;
/** build/bpf/ipvx_pass.bpf.o, from build/js/src/lab/topology.js. */
const PASS_OBJ = fileURLToPath(new URL('../../../bpf/ipvx_pass.bpf.o', import.meta.url));

/** A process running inside a lab namespace; its stdout is collected line by line. */
export class Proc {
  readonly lines: string[] = [];
  stderr = '';
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private waiters: { match: string | RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  private done = false;

  constructor(readonly host: Host, readonly cmd: string, readonly args: readonly string[], readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.done = true;
        // Let readline deliver the last lines before failing waiters.
        setImmediate(() => {
          for (const w of this.waiters.splice(0)) w.reject(this.exitError(`exited before printing ${String(w.match)}`));
          resolve();
        });
      });
      child.on('error', (e) => {
        this.stderr += String(e);
        if (child.exitCode === null && child.pid === undefined) {
          this.done = true;
          for (const w of this.waiters.splice(0)) w.reject(this.exitError(`failed to start: ${e.message}`));
          resolve();
        }
      });
    });
    if (child.stdout) {
      const rl = createInterface({ input: child.stdout });
      rl.on('line', (line) => {
        this.lines.push(line);
        if (this.lines.length > 100_000) this.lines.splice(0, 50_000);
        for (const w of [...this.waiters]) {
          if (matches(w.match, line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      });
    }
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 1 << 20) this.stderr = this.stderr.slice(-(1 << 19));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Wait for a stdout line (already printed or future) matching `match`; rejects if the process exits first. */
  waitForLine(match: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const seen = this.lines.find((l) => matches(match, l));
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.done) return Promise.reject(this.exitError(`exited before printing ${String(match)}`));
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (l: string) => { clearTimeout(t); resolve(l); }, reject: (e: Error) => { clearTimeout(t); reject(e); } };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(this.exitError(`did not print ${String(match)} within ${timeoutMs} ms`));
      }, timeoutMs);
      t.unref?.();
      this.waiters.push(w);
    });
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  async kill(graceMs = 2000): Promise<void> {
    if (this.done) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => { if (!this.done) this.child.kill('SIGKILL'); }, graceMs);
    t.unref?.();
    await this.exited;
    clearTimeout(t);
  }

  private exitError(what: string): Error {
    const status = this.exitSignal ? `signal ${this.exitSignal}` : this.exitCode !== null ? `exit ${this.exitCode}` : 'running';
    return new Error(`[${this.host.name}] \`${[this.cmd, ...this.args].join(' ')}\` ${what} (${status}); stdout: ${this.lines.slice(-5).join(' | ')}; stderr: ${this.stderr.trim().slice(-2000)}`);
  }
}

function matches(m: string | RegExp, line: string): boolean {
  return typeof m === 'string' ? line.trim() === m : m.test(line);
}

// ---------------------------------------------------------------------------
// Cleanup on exit and signals for every live lab.

const liveLabs = new Set<Lab>();
let hooksInstalled = false;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(sig: NodeJS.Signals): void {
  for (const lab of [...liveLabs]) lab.destroySync();
  process.removeListener(sig, signalHandlers[sig]!);
  // Nobody else handles it: die of the signal as we would have without our hook.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  else hooksInstalled = false;
}
const signalHandlers: Partial<Record<NodeJS.Signals, () => void>> = {};

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  for (const sig of SIGNALS) {
    if (!signalHandlers[sig]) signalHandlers[sig] = () => onSignal(sig);
    process.removeListener(sig, signalHandlers[sig]!);
    process.on(sig, signalHandlers[sig]!);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const lab of [...liveLabs]) lab.destroySync(); });
  }
}
let exitHookInstalled = false;

let labCounter = 0;

// ---------------------------------------------------------------------------

export class Lab {
  /** Common prefix of this lab's namespace names: `${prefix}${pid}-${n}-`. */
  readonly id: string;
  readonly hosts: Host[] = [];
  private readonly procs = new Set<Proc>();
  private readonly ifCount = new Map<string, number>();
  /** Files or directories outside the namespaces that belong to this lab (temp dirs). */
  private readonly paths = new Set<string>();
  private destroyed = false;

  private constructor(prefix: string) {
    this.id = `${prefix}${process.pid}-${++labCounter}-`;
  }

  static async create(prefix = 'ipvx'): Promise<Lab> {
    if (!/^[A-Za-z0-9_-]{1,24}$/.test(prefix)) throw new Error(`lab prefix '${prefix}': 1-24 characters of [A-Za-z0-9_-]`);
    const lab = new Lab(prefix);
    liveLabs.add(lab);
    installHooks();
    return lab;
  }

  /** Namespace names this lab made. */
  get namespaces(): string[] {
    return this.hosts.map((h) => h.ns);
  }

  host(name: string): Host {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab has no host '${name}'`);
    return h;
  }

  /** A new namespace with lo up and IPv6 DAD off (addresses usable at once). */
  async addHost(name: string): Promise<Host> {
    this.alive();
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new Error(`host name '${name}': 1-32 characters of [A-Za-z0-9_-]`);
    if (this.hosts.some((h) => h.name === name)) throw new Error(`host '${name}' exists already`);
    const host: Host = { name, ns: `${this.id}${name}` };
    await run('ip', ['netns', 'add', host.ns]);
    this.hosts.push(host); // registered before configuring, so destroy() removes it even if the rest fails
    await ipIn(host.ns, ['link', 'set', 'lo', 'up']);
    await sysctlIn(host.ns, 'net.ipv6.conf.all.accept_dad', 0);
    await sysctlIn(host.ns, 'net.ipv6.conf.default.accept_dad', 0);
    return host;
  }

  private nextIf(h: Host): string {
    const n = this.ifCount.get(h.ns) ?? 0;
    this.ifCount.set(h.ns, n + 1);
    return `eth${n}`;
  }

  /** A veth pair with one end in each host (a === b gives a pair inside one host). */
  async link(a: Host, b: Host, opts: LinkOpts = {}): Promise<Link> {
    this.alive();
    this.own(a); this.own(b);
    const aIf = opts.aIf ?? this.nextIf(a);
    const bIf = opts.bIf ?? this.nextIf(b);
    for (const n of [aIf, bIf]) checkIfname(n);
    const aExtra = [...(opts.aMac ? ['address', opts.aMac] : []), ...(opts.mtu ? ['mtu', String(opts.mtu)] : [])];
    const bExtra = [...(opts.bMac ? ['address', opts.bMac] : []), ...(opts.mtu ? ['mtu', String(opts.mtu)] : [])];
    await ipIn(a.ns, ['link', 'add', aIf, ...aExtra, 'type', 'veth', 'peer', 'name', bIf, 'netns', b.ns, ...bExtra]);
    if (opts.up ?? true) {
      await ipIn(a.ns, ['link', 'set', aIf, 'up']);
      await ipIn(b.ns, ['link', 'set', bIf, 'up']);
    }
    if (opts.gro) {
      await this.ethtool(a, aIf, '-K', 'gro', 'on');
      await this.ethtool(b, bIf, '-K', 'gro', 'on');
    }
    if (opts.xdp) {
      for (const [h, i] of [[a, aIf], [b, bIf]] as const) {
        await this.ethtool(h, i, '-K', 'tx', 'off');
        await ipIn(h.ns, ['link', 'set', 'dev', i, 'xdpdrv', 'obj', PASS_OBJ, 'sec', 'xdp.frags']);
      }
    }
    return { a: { host: a, ifname: aIf }, b: { host: b, ifname: bIf } };
  }

  /** A bridge in `host` with `ifaces` as its ports, all up. */
  async bridge(host: Host, name: string, ifaces: string[]): Promise<void> {
    this.alive();
    this.own(host);
    checkIfname(name);
    await ipIn(host.ns, ['link', 'add', name, 'type', 'bridge']);
    for (const i of ifaces) {
      await ipIn(host.ns, ['link', 'set', i, 'master', name]);
      await ipIn(host.ns, ['link', 'set', i, 'up']);
    }
    await ipIn(host.ns, ['link', 'set', name, 'up']);
  }

  /** Address in CIDR form ("192.0.2.1/24", "2001:db8::1/64"); IPv6 with nodad. */
  async addAddress(host: Host, ifname: string, cidr: string): Promise<void> {
    this.own(host);
    const v6 = cidr.includes(':');
    await ipIn(host.ns, ['addr', 'add', cidr, 'dev', ifname, ...(v6 ? ['nodad'] : [])]);
  }

  /** Route `dst` ("198.51.100.0/24", "default", "2001:db8:2::/64") via a gateway and/or out of a device. */
  async addRoute(host: Host, dst: string, via?: string, dev?: string): Promise<void> {
    this.own(host);
    if (!via && !dev) throw new Error('addRoute needs via or dev');
    const v6 = dst.includes(':') || !!via?.includes(':');
    await ipIn(host.ns, [...(v6 ? ['-6'] : ['-4']), 'route', 'add', dst, ...(via ? ['via', via] : []), ...(dev ? ['dev', dev] : [])]);
  }

  /** `sysctl -w` in the host's namespace; net.* keys only (forwarding, rp_filter, arp_ignore, arp_announce, accept_dad...). */
  async setSysctl(host: Host, key: string, value: string | number): Promise<void> {
    this.own(host);
    await sysctlIn(host.ns, key, value);
  }

  /**
   * ethtool on an interface of the host. When the first argument is an option
   * (`'-K', 'gro', 'on'`) the interface goes after it (`ethtool -K eth0 gro on`);
   * otherwise it comes first (`ethtool eth0`).
   */
  async ethtool(host: Host, ifname: string, ...args: string[]): Promise<string> {
    this.own(host);
    const argv = args.length && args[0]!.startsWith('-') ? [args[0]!, ifname, ...args.slice(1)] : [ifname, ...args];
    return ethtoolIn(host.ns, argv);
  }

  /** `ip <args>` in the host's namespace; stdout. */
  ip(host: Host, args: string[]): Promise<string> {
    this.own(host);
    return ipIn(host.ns, args);
  }

  /** Run a command to completion in the host's namespace; stdout. Rejects with CommandError (command + stderr). */
  exec(host: Host, cmd: string, args: string[] = [], opts?: RunOptions): Promise<string> {
    this.own(host);
    return execIn(host.ns, cmd, args, opts);
  }

  /** Start a long-running process in the host's namespace; killed by destroy(). */
  async spawn(host: Host, cmd: string, args: string[] = [], opts: SpawnOpts = {}): Promise<Proc> {
    this.alive();
    this.own(host);
    const child = spawnChild('ip', ['netns', 'exec', host.ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}),
    });
    const proc = new Proc(host, cmd, args, child);
    this.procs.add(proc);
    void proc.exited.then(() => this.procs.delete(proc));
    if (opts.ready !== undefined) {
      try {
        await proc.waitForLine(opts.ready, opts.readyTimeoutMs ?? 10_000);
      } catch (e) {
        await proc.kill(500);
        throw e;
      }
    }
    return proc;
  }

  /** Start `node script args` in the host's namespace (sockets must be opened there). */
  node(host: Host, script: string, args: string[] = [], opts: SpawnOpts = {}): Promise<Proc> {
    return this.spawn(host, process.execPath, [script, ...args], opts);
  }

  /** Run `node script args` to completion in the host's namespace; stdout. */
  runNode(host: Host, script: string, args: string[] = [], opts?: RunOptions): Promise<string> {
    return this.exec(host, process.execPath, [script, ...args], opts);
  }

  async ifindex(host: Host, ifname: string): Promise<number> {
    return (await this.linkInfo(host, ifname)).ifindex as number;
  }

  async mac(host: Host, ifname: string): Promise<string> {
    return (await this.linkInfo(host, ifname)).address as string;
  }

  private async linkInfo(host: Host, ifname: string): Promise<Record<string, unknown>> {
    this.own(host);
    const out = JSON.parse(await ipIn(host.ns, ['-j', 'link', 'show', 'dev', ifname])) as Record<string, unknown>[];
    if (!out[0]) throw new Error(`[${host.name}] no interface ${ifname}`);
    return out[0];
  }

  /** Kill the processes this lab started (and any left in its namespaces), delete its namespaces. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.procs].map((p) => p.kill(1000)));
    for (const h of this.hosts) {
      killNsPids(h.ns);
      removeIpvxStateOf(h.ns);
      try {
        await run('ip', ['netns', 'del', h.ns]);
      } catch (e) {
        if (!(e instanceof CommandError) || !/No such file/.test(e.stderr)) throw e;
      }
    }
    for (const p of this.paths) rmSync(p, { recursive: true, force: true });
    liveLabs.delete(this);
  }

  /** destroy() for exit hooks: synchronous, never throws. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.procs) if (p.running) p.child.kill('SIGKILL');
    for (const h of this.hosts) {
      killNsPids(h.ns);
      removeIpvxStateOf(h.ns);
      runSyncQuiet('ip', ['netns', 'del', h.ns]);
    }
    for (const p of this.paths) {
      try { rmSync(p, { recursive: true, force: true }); } catch { /* best effort in exit hooks */ }
    }
    liveLabs.delete(this);
  }

  /** Remove this file or directory when the lab is destroyed (also on Ctrl-C). */
  removeOnDestroy(path: string): void {
    this.paths.add(path);
  }

  /**
   * The identity ipvx gives a host's namespace (src/common/netns.ts): a lab namespace is
   * named, so it is the name. Its pins, state and run files are named after it.
   */
  nsId(host: Host): string {
    this.own(host);
    return host.ns;
  }

  /**
   * Keep the lab after this process exits (`ipvx demo --keep`): no cleanup on exit or
   * signals, and the processes it started no longer hold this process alive. Remove it
   * later with removeLeftoverLabs(prefix).
   */
  release(): void {
    this.destroyed = true;
    liveLabs.delete(this);
    for (const p of this.procs) {
      p.child.stdout?.destroy();
      p.child.stderr?.destroy();
      p.child.unref();
    }
    this.procs.clear();
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  private alive(): void {
    if (this.destroyed) throw new Error('lab was destroyed');
  }

  private own(h: Host): void {
    if (!this.hosts.includes(h)) throw new Error(`host '${h.name}' (${h.ns}) does not belong to this lab`);
  }
}

/** Run `fn` with a fresh lab that is destroyed afterwards, also when fn throws. */
export async function withLab<T>(prefix: string, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.create(prefix);
  try {
    return await fn(lab);
  } finally {
    await lab.destroy();
  }
}

/**
 * What ipvx run inside a lab namespace leaves outside it, named by the namespace's
 * identity (its name): pinned maps (a daemon stopped without --detach-on-stop keeps
 * forwarding, so they stay), the real-server record, the daemon's run files in the
 * default run directory and its saved state in the default place.
 */
function removeIpvxStateOf(id: string): void {
  let bpffs: string | undefined;
  try { bpffs = bpffsRoot(); } catch { /* no bpffs: nothing was pinned */ }
  const run = runFiles(DEFAULT_RUN_DIR, id);
  const paths = [
    ...(bpffs ? [join(bpffs, 'ipvx', id), join(bpffs, 'ipvx', `${id}-decap`)] : []),
    realServerRecordPath(DEFAULT_RUN_DIR, id), run.socket, run.pid, run.log, stateDir(id),
  ];
  for (const p of paths) {
    try { rmSync(p, { recursive: true, force: true }); } catch { /* best effort in exit hooks */ }
  }
}

/**
 * Remove labs left by runs that are gone (kept with release(), or killed with SIGKILL):
 * namespaces named `${prefix}<pid>-<n>-<host>` whose <pid> no longer runs, what runs in
 * them, and the ipvx state named by their names (only run `onlyPid`'s when given).
 * Returns the namespaces removed.
 */
export async function removeLeftoverLabs(prefix: string, onlyPid?: number): Promise<string[]> {
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(prefix)) throw new Error(`lab prefix '${prefix}': 1-24 characters of [A-Za-z0-9_-]`);
  const re = new RegExp(`^${prefix}(\\d+)-\\d+-[A-Za-z0-9_-]+$`);
  const removed: string[] = [];
  for (const ns of await listNetns()) {
    const m = re.exec(ns);
    if (!m || processAlive(Number(m[1])) || (onlyPid !== undefined && Number(m[1]) !== onlyPid)) continue;
    killNsPids(ns);
    removeIpvxStateOf(ns);
    if (runSyncQuiet('ip', ['netns', 'del', ns])) removed.push(ns);
  }
  return removed;
}

function checkIfname(n: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(n)) throw new Error(`interface name '${n}': 1-${IFNAME_MAX} characters of [A-Za-z0-9_.-]`);
}

/** SIGKILL whatever still runs inside one of our namespaces (it was started there by this run). */
function killNsPids(ns: string): void {
  let out = '';
  try {
    out = runSync('ip', ['netns', 'pids', ns], { timeoutMs: 5000 });
  } catch {
    return;
  }
  for (const s of out.split(/\s+/)) {
    const pid = Number(s);
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}
