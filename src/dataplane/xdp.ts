// The XDP data plane of one network namespace: loads (or adopts) the director
// program and its pinned maps, attaches it to the interfaces, writes desired state
// through MapWriter, reads counters and flows, and sweeps expired flows.
import { existsSync, rmSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, BpfMap, attachXdp, detachXdp, queryXdp, numPossibleCpus } from '../bpf/index.js';
import { runSync } from '../common/command.js';
import type { Logger } from '../common/log.js';
import { ip, ipFrom16, IpAddr } from '../core/addr.js';
import { DesiredState, Timeouts } from '../core/model.js';
import type { Dataplane, ApplyHint, DataplaneCounters, FlatCounters, FlowView, PortableEntry, PortableChange, InstallResult } from './port.js';
import { exportFlows, installFlows, countPersistConns, type AttachedIf } from './flowsync.js';
import { MapWriter, MAP_NAMES, OPTIONAL_MAPS, IpvxMaps, MapHandle } from './writer.js';
import { calibrateJiffies, monotonicNs } from './clock.js';
import { counters as countersCodec, flowKey, flowVal, lbGlobals, floodState, FLOW_STATE, IPPROTO } from './codec.js';
import { u32Key } from './layout.js';
import { resolveNextHops, ipLinks, macFromText, NextHop, type LinkInfo } from './neighbors.js';
import { pinDir as defaultPinDir, claimPinDir } from './pins.js';
import { readCounters, readFlatCounters } from './read-counters.js';
import { writeIfMac } from './ifmacs.js';
import { sweepFlows, SweepResult, flowTimeoutNs, readGlobals } from './sweep.js';
import { DEFAULT_TIMEOUTS } from '../core/model.js';

export interface XdpOptions {
  objectPath: string;
  /** Interfaces to attach to; default: every up, non-loopback interface. */
  interfaces?: string[];
  mode?: 'native' | 'generic';
  pinDir?: string;
  maxFlows?: number;
  /** Next hops are normally resolved with `ip`; tests may pin them. */
  nextHops?: (addrs: IpAddr[]) => Promise<Map<string, NextHop | undefined>>;
  /** Seconds between flow-table sweeps (expiry + connection counts); 0 = never. */
  sweepInterval?: number;
  /** Seconds between next-hop refreshes (neighbour MACs, routes, MTUs); 0 = never. */
  nextHopInterval?: number;
  log?: Logger;
}

interface Link { name: string; ifindex: number; up: boolean; loopback: boolean; mac?: Uint8Array }

/** The links of `ip -j link show` by name (an Ethernet MAC only where there is one). */
function linksFrom(links: LinkInfo[]): Map<string, Link> {
  return new Map(links.map((l) => {
    const mac = l.address && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(l.address) ? macFromText(l.address) : undefined;
    return [l.ifname, { name: l.ifname, ifindex: l.ifindex, up: l.flags.includes('UP'), loopback: l.link_type === 'loopback', ...(mac ? { mac } : {}) }];
  }));
}

/** The director's XDP program (bpf/ipvx_lb.bpf.c balancer_ingress). */
export const DIRECTOR_PROGRAM = 'balancer_ingress';

/** Every link of this network namespace, from one `ip -j link show` (start-up, one-shot commands). */
function readLinks(): Map<string, Link> {
  return linksFrom(JSON.parse(runSync('ip', ['-j', 'link', 'show'])) as LinkInfo[]);
}

const attachable = (links: Map<string, Link>) => [...links.values()].filter((l) => !l.loopback && l.up);

export function upInterfaces(): { name: string; ifindex: number }[] {
  return attachable(readLinks()).map((l) => ({ name: l.name, ifindex: l.ifindex }));
}

export class XdpDataplane implements Dataplane {
  readonly writer: MapWriter;
  private attached: (AttachedIf & { progId?: number })[] = [];
  private state: DesiredState | undefined;
  /** Next hop by real address text; undefined = looked up, no route. */
  private nextHops = new Map<string, NextHop | undefined>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private nextHopTimer: NodeJS.Timeout | undefined;
  private readonly pinDir: string;
  /** True when the maps came from a previous daemon (restart without disruption). */
  readonly adopted: boolean;

  private constructor(private readonly obj: BpfObject, readonly maps: IpvxMaps, private readonly opts: XdpOptions, pinDir: string, adopted: boolean) {
    this.pinDir = pinDir;
    this.adopted = adopted;
    this.writer = new MapWriter(maps, numPossibleCpus());
    if (adopted) this.writer.recover();
  }

  /** Load the program, reusing pinned maps when a previous daemon left them. */
  static async open(opts: XdpOptions): Promise<XdpDataplane> {
    const dir = opts.pinDir ?? defaultPinDir();
    claimPinDir(dir); // refuses the pins of another namespace
    const adopted = existsSync(join(dir, 'services'));
    const obj = BpfObject.open(opts.objectPath);
    if (opts.maxFlows) {
      obj.setMaxEntries('flows', opts.maxFlows);
      obj.setMaxEntries('nat_rev', opts.maxFlows);
    }
    // A build older than a map that only speeds things up (benchmarks compare builds) runs without it.
    const present = new Set(obj.maps());
    const missing = MAP_NAMES.filter((n) => !present.has(n) && !OPTIONAL_MAPS.has(n));
    if (missing.length) throw new Error(`${opts.objectPath} lacks map(s) ${missing.join(', ')}: a build that does not match this ipvx`);
    const names = MAP_NAMES.filter((n) => present.has(n));
    // What the running program keeps time and timeouts with, before anything is replaced.
    const oldGlobals = readPinnedGlobals(join(dir, 'globals'));
    for (const name of names) {
      const pin = join(dir, name);
      if (name === 'tx_ports' && existsSync(pin)) reusePinned(obj, name, pin);
      else {
        replaceIfOtherLayout(obj, name, pin, opts.log);
        obj.setPinPath(name, pin);
      }
    }
    obj.load();
    const maps = Object.fromEntries(names.map((n) => [n, obj.map(n) as unknown as MapHandle])) as IpvxMaps;
    const dp = new XdpDataplane(obj, maps, opts, dir, adopted);
    // The clock and the timeouts go in before the program is attached: a program
    // without them would take every flow for expired.
    // (A build before the jiffies clock keeps its own: benchmarks and checks of older builds.)
    if (obj.programs().includes('read_clock')) dp.writer.clock = calibrateJiffies(obj.program('read_clock'));
    dp.writer.writeTimeouts(oldGlobals?.timeouts ?? DEFAULT_TIMEOUTS, oldGlobals?.nat ?? false);
    const links = readLinks();
    const ifaces = opts.interfaces?.length
      ? opts.interfaces.map((name) => { const l = links.get(name); if (!l) throw new Error(`interface ${name} not found`); return l; })
      : attachable(links);
    for (const l of ifaces) dp.attach(l);
    if (opts.sweepInterval !== 0) {
      dp.sweepTimer = setInterval(() => dp.sweep(), (opts.sweepInterval ?? 2) * 1000);
      dp.sweepTimer.unref();
    }
    if (opts.nextHopInterval !== 0) {
      dp.nextHopTimer = setInterval(() => {
        dp.refreshNextHops().catch((e: Error) => dp.opts.log?.warn('next-hop refresh failed', { error: e.message }));
      }, (opts.nextHopInterval ?? 5) * 1000);
      dp.nextHopTimer.unref();
    }
    return dp;
  }

  private attach(l: Link): void {
    // Replaces whatever program a previous daemon attached, atomically: no gap in forwarding.
    attachXdp(l.ifindex, this.obj.program(DIRECTOR_PROGRAM).fd, this.opts.mode ?? 'native');
    this.maps.tx_ports.update(u32Key(l.ifindex), u32Key(l.ifindex));
    // The program passes unicast frames for other MACs (see if_macs in maps.h).
    writeIfMac(this.maps, l.ifindex, l.mac);
    // The program id, to tell later whether it is still ours that is attached (HA fault).
    this.attached.push({ name: l.name, ifindex: l.ifindex, progId: queryXdp(l.ifindex).progId, ...(l.mac ? { mac: l.mac } : {}) });
  }

  interfaces(): string[] {
    return this.attached.map((i) => i.name);
  }

  /** Next hops of real addresses: with `ip` (probing unresolved neighbours), or as a test pins them. */
  private resolve(addrs: IpAddr[]): Promise<Map<string, NextHop | undefined>> {
    return this.opts.nextHops ? this.opts.nextHops(addrs) : resolveNextHops(addrs, { kick: true });
  }

  /** Ids of a service and its reals in the maps (tests and counters). */
  ids(service: string) {
    return this.writer.ids(service);
  }

  /**
   * Addresses of reals never resolved yet are resolved before the write (a new real
   * goes in with its next hop). Known addresses whose neighbour is still unresolved
   * are not retried here, or every change would wait for neighbour probes of reals
   * that do not answer: the periodic refresh retries them (and the program falls back
   * to bpf_fib_lookup meanwhile).
   */
  async apply(state: DesiredState, hint?: ApplyHint): Promise<void> {
    const need = new Map<string, IpAddr>();
    // With a hint, only the hinted services can hold addresses not looked up yet.
    const services = hint ? hint.services.flatMap((h) => (h.index >= 0 && state.services[h.index] ? [state.services[h.index]!] : [])) : state.services;
    for (const s of services) {
      for (const r of s.reals) if (!this.nextHops.has(r.address) && !need.has(r.address)) need.set(r.address, ip(r.address));
    }
    if (need.size) {
      const got = await this.resolve([...need.values()]);
      for (const a of need.values()) this.nextHops.set(a.text, got.get(a.text));
    }
    this.writer.apply(state, (a) => this.nextHops.get(a.text), hint);
    this.state = state;
  }

  /** Re-resolve every real's next hop and rewrite the ones that changed. */
  async refreshNextHops(): Promise<void> {
    if (!this.state) return;
    const addrs = new Map<string, IpAddr>();
    for (const s of this.state.services) for (const r of s.reals) if (!addrs.has(r.address)) addrs.set(r.address, ip(r.address));
    const fresh = await this.resolve([...addrs.values()]);
    // Keep the old object where nothing changed: the writer skips services whose
    // reals' next hops are the same objects as last written.
    const next = new Map<string, NextHop | undefined>();
    for (const [k, v] of fresh) { const old = this.nextHops.get(k); next.set(k, sameNextHop(old, v) ? old : v); }
    this.nextHops = next;
    this.writer.apply(this.state, (a) => this.nextHops.get(a.text));
    // An interface's MAC can change under us (bonding, an operator's `ip link set address`).
    const links = linksFrom(await ipLinks());
    for (const i of this.attached) {
      const mac = links.get(i.name)?.mac;
      if (mac && !sameBytes(mac, i.mac)) { writeIfMac(this.maps, i.ifindex, mac); i.mac = mac; }
    }
  }

  async setTimeouts(t: Timeouts): Promise<void> {
    this.writer.writeTimeouts(t);
  }

  async floodedCpus(): Promise<number> {
    if (!this.maps.flood) return 0;
    const now = monotonicNs();
    return this.maps.flood.lookupPerCpu(u32Key(0)).map((v) => floodState.decode(v))
      .filter((f) => f.flooded && now - f.windowNs < 2_000_000_000n).length;
  }

  async counters(): Promise<DataplaneCounters> {
    return readCounters(this.maps, this.writer.serviceIds());
  }

  async flatCounters(): Promise<FlatCounters> {
    return readFlatCounters(this.maps, this.writer.serviceIds());
  }

  async zeroCounters(service?: string): Promise<void> {
    const zero = () => Array.from({ length: numPossibleCpus() }, () => new Uint8Array(countersCodec.size));
    for (const [id, ids] of this.writer.serviceIds()) {
      if (service && id !== service) continue;
      this.maps.svc_stats.updatePerCpu(u32Key(ids.svcId), zero());
      for (const rs of ids.reals.values()) this.maps.real_stats.updatePerCpu(u32Key(rs.id), zero());
    }
  }

  async *flows(): AsyncIterable<FlowView> {
    const g = readGlobals(this.maps);
    const byRealId = new Map<number, { real: string; port: number; svc: string }>();
    for (const [svc, ids] of this.writer.serviceIds()) {
      for (const [real, rs] of ids.reals) {
        const [addr, port] = real.split('|') as [string, string];
        byRealId.set(rs.id, { real: addr, port: Number(port), svc });
      }
    }
    const now = monotonicNs();
    // Embryos (new flows waiting for their second packet under drop_entry) are connections too.
    const tables = this.maps.embryos ? [this.maps.flows, this.maps.embryos] : [this.maps.flows];
    for (const table of tables) for (const k of table.keys()) {
      const vb = table.lookup(k);
      if (!vb) continue;
      const key = flowKey.decode(k), v = flowVal.decode(vb);
      const r = byRealId.get(v.realId);
      if (!r) continue;
      const left = Number(v.atime + flowTimeoutNs(g, v.state) - now) / 1e9;
      if (left <= 0) continue;
      yield {
        protocol: key.proto === IPPROTO.tcp ? 'tcp' : 'udp',
        client: ipFrom16(key.src, key.family as 4 | 6).text, clientPort: key.sport,
        vip: ipFrom16(key.dst, key.family as 4 | 6).text, vport: key.dport,
        // A real without a port (fwmark services) gets the packet's own, as IPVS's connection shows it.
        real: r.real, rport: r.port || key.dport,
        state: FLOW_STATE[v.state] ?? 'NONE',
        expiresIn: Math.floor(left),
      };
    }
  }

  exportFlows(): PortableEntry[] {
    return exportFlows(this.maps, this.writer, this.attached);
  }

  persistConns(): Map<string, number> {
    return countPersistConns(this.maps, this.writer);
  }

  installFlows(changes: readonly PortableChange[]): InstallResult {
    return installFlows(this.maps, this.writer, this.attached, changes);
  }

  /** Our program must still be attached to every interface (someone may have detached or replaced it). */
  async problem(): Promise<string | undefined> {
    for (const i of this.attached) {
      let q;
      try {
        q = queryXdp(i.ifindex);
      } catch (e) {
        return `interface ${i.name}: ${(e as Error).message}`;
      }
      const now = q.progId ?? q.nativeProgId ?? q.genericProgId;
      if (!now) return `the XDP program is not attached to ${i.name}`;
      if (i.progId && now !== i.progId) return `another XDP program (id ${now}) is attached to ${i.name}`;
    }
    return undefined;
  }

  /** Expire flows, recount connections, update overload flags (see sweep.ts). */
  sweep(): SweepResult {
    return sweepFlows(this.maps, this.writer);
  }

  async close(opts: { detach: boolean }): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.nextHopTimer) clearInterval(this.nextHopTimer);
    if (opts.detach) {
      for (const i of this.attached) {
        try { detachXdp(i.ifindex, this.opts.mode ?? 'native'); } catch { /* interface gone */ }
      }
      for (const name of readdirSync(this.pinDir)) rmSync(join(this.pinDir, name), { force: true });
      rmSync(this.pinDir, { recursive: true, force: true });
    }
    this.obj.close();
  }
}


const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (!a && !b) || (!!a && !!b && Buffer.compare(a, b) === 0);

function sameNextHop(a: NextHop | undefined, b: NextHop | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ifindex === b.ifindex && a.ifname === b.ifname && a.mtu === b.mtu && sameBytes(a.smac, b.smac) && sameBytes(a.dmac, b.dmac) && a.src?.text === b.src?.text;
}

/** build/bpf/ipvx_lb.bpf.o of this checkout or installation. */
export function defaultObjectPath(name = 'ipvx_lb.bpf.o'): string {
  // build/js/src/dataplane/xdp.js -> build/bpf/
  return join(dirname(fileURLToPath(import.meta.url)), '../../../bpf', name);
}

/** The daemon's factory. */
export function createDataplane(opts: Partial<XdpOptions> = {}): Promise<XdpDataplane> {
  return XdpDataplane.open({ objectPath: defaultObjectPath(), ...opts });
}

/** Timeouts and the NAT flag of a pinned globals map (every build's layout starts with them). */
function readPinnedGlobals(pin: string): { timeouts: Timeouts; nat: boolean } | undefined {
  if (!existsSync(pin)) return undefined;
  const m = BpfMap.openPinned(pin);
  try {
    const v = m.lookup(u32Key(0));
    if (!v || v.length < 28) return undefined;
    const dv = new DataView(v.buffer, v.byteOffset, v.length);
    const s = (o: number) => Number(dv.getBigUint64(o, true) / 1_000_000_000n);
    return { timeouts: { tcp: s(0), tcpFin: s(8), udp: s(16) }, nat: (dv.getUint32(24, true) & 1) !== 0 };
  } finally {
    m.close();
  }
}

/**
 * A map pinned by a build with another layout (type, key or value size) cannot be
 * reused: it is unpinned, and this build starts that map empty (the program still
 * attached keeps its own reference until it is replaced).
 */
function replaceIfOtherLayout(obj: BpfObject, name: string, pin: string, log?: XdpOptions['log']): void {
  if (!existsSync(pin)) return;
  const m = BpfMap.openPinned(pin);
  let other = false;
  try {
    const want = obj.mapSpec(name);
    other = m.type !== want.type || m.keySize !== want.keySize || m.valueSize !== want.valueSize;
  } finally {
    m.close();
  }
  if (!other) return;
  rmSync(pin, { force: true });
  log?.warn('a pinned map has another layout in this build: it starts empty', { map: name });
}

/**
 * The kernel adds BPF_F_RDONLY_PROG to every devmap, so libbpf's pin check never
 * matches tx_ports; check what matters (type, sizes) here and hand libbpf the fd.
 */
function reusePinned(obj: BpfObject, name: string, pin: string): void {
  const m = BpfMap.openPinned(pin);
  try {
    const want = obj.mapSpec(name);
    if (m.type !== want.type || m.keySize !== want.keySize || m.valueSize !== want.valueSize || m.maxEntries !== want.maxEntries) {
      throw new Error(`pinned map ${pin} does not fit this program (type/key/value/entries ${m.type}/${m.keySize}/${m.valueSize}/${m.maxEntries}, want ${want.type}/${want.keySize}/${want.valueSize}/${want.maxEntries}); remove it or run 'ipvx daemon stop --detach'`);
    }
    obj.reuseMapFd(name, m.fd);
  } finally {
    m.close();
  }
}
