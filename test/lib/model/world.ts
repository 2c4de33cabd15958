// What the reference model knows of a director: the configuration as the MapWriter
// wrote it (services, reals, selection tables, VIPs, interfaces, globals) and the
// contents of the maps the program reads and writes (flows, embryos, NAT reverse
// entries, fragments, persistence, connection counts, rr cursors, counters). Pure
// data; load.ts fills it from real maps and compares it with them.
import { flowKey, fragKey, persistKey, svcKey, vipKey, REASONS, EVENTS, type ReasonName, type EventName } from '../../../src/dataplane/codec.js';
import { addr16, toHex } from './bytes.js';

export const NO_REAL = 0xffffffff;

export interface RealM {
  id: number;
  gen: number;
  flags: number;
  method: number;
  family: 4 | 6;
  /** 4 or 16 bytes. */
  addr: Uint8Array;
  port: number;
  weight: number;
  ifindex: number;
  dmac: Uint8Array;
  smac: Uint8Array;
  mtu: number;
  /** Outer source of TUN (4 or 16 bytes); all zero when none was configured. */
  tunSrc: Uint8Array;
  /** TUN encapsulation (TUN_TYPE), its checksum flags (TUN_F) and GUE's UDP port. */
  tunType: number;
  tunFlags: number;
  tunPort: number;
}

/** A mark rule as configured: destination prefix, protocol, port ranges (empty = every port). */
export interface MarkRuleM { mark: number; family: 4 | 6; prefix: Uint8Array; prefixLen: number; proto: number; ports: [number, number][] }

export interface SvcM {
  id: number;
  flags: number;
  sched: number;
  tableOff: number;
  tableLen: number;
  realsOff: number;
  realsLen: number;
  persistTimeout: number;
  /** 16 bytes. */
  persistMask: Uint8Array;
}

export interface FlowV { realId: number; realGen: number; atime: bigint; svcId: number; state: number }
export interface NatRevV {
  vip: Uint8Array; vport: number; svcId: number; realId: number; ifindex: number;
  clientMac: Uint8Array; ourMac: Uint8Array; vlanProto: number; vlanTci: number;
}
export interface FragV { realId: number; realGen: number; svcId: number; rev?: NatRevV }
export interface PersistV { realId: number; realGen: number; atime: bigint }
export interface Conns { active: number; inactive: number }
export interface Counters { conns: number; pktsIn: number; bytesIn: number; pktsOut: number; bytesOut: number }

export interface Globals {
  tcpNs: bigint; tcpfinNs: bigint; udpNs: bigint; synNs: bigint;
  nat: boolean;
  newFlowRate: number; dropEntry: number; secureTcp: number;
  /** When the program last kept an embryo (it looks embryos up only within the timeouts of that). */
  embryoNs: bigint;
  /** The identification the next IPv4 header the program builds gets (ip_ident of this CPU). */
  ipIdent: number;
}

export interface Config {
  services: Map<string, SvcM>;
  reals: Map<number, RealM>;
  slots: Map<number, number>;
  vips: Set<string>;
  /** The MAC of each interface the program knows (if_macs / if_macs_direct). */
  ifMacs: Map<number, Uint8Array>;
  /** Interfaces in tx_ports (redirect targets). */
  txPorts: Set<number>;
  /** Where test runs arrive (lo). */
  ingress: number;
  /** The flood defence sees this CPU flooded (the runner keeps it so, or never). */
  flooded: boolean;
  /** Entries of svc_stats and real_stats: counters of ids past them are not kept. */
  statSlots: { svc: number; real: number };
  /** The mark rules in order (the configuration's, not the tables compiled from them). */
  marks: MarkRuleM[];
}

export type MapName = 'flows' | 'embryos' | 'nat_rev' | 'frags' | 'persist';

/** Map keys as the program builds them, as hex text. */
export const keys = {
  service: (vip: Uint8Array, port: number, proto: number, family: number) =>
    toHex(svcKey.encode({ vip: addr16(vip), port, proto, family })),
  vip: (addr: Uint8Array, family: number) => toHex(vipKey.encode({ addr: addr16(addr), family })),
  flow: (k: { src: Uint8Array; dst: Uint8Array; sport: number; dport: number; proto: number; family: number }) =>
    toHex(flowKey.encode({ src: addr16(k.src), dst: addr16(k.dst), sport: k.sport, dport: k.dport, proto: k.proto, family: k.family })),
  frag: (k: { src: Uint8Array; dst: Uint8Array; id: number; proto: number; family: number }) =>
    toHex(fragKey.encode({ src: addr16(k.src), dst: addr16(k.dst), id: k.id, proto: k.proto, family: k.family })),
  persist: (svcId: number, family: number, client16: Uint8Array) => toHex(persistKey.encode({ svcId, family, client: client16 })),
};

type Undo = () => void;

/** The maps' contents; changes go through set/del/bump so that a step can be undone (scheduling alternatives). */
export class World {
  readonly flows = new Map<string, FlowV>();
  readonly embryos = new Map<string, FlowV>();
  readonly natRev = new Map<string, NatRevV>();
  readonly frags = new Map<string, FragV>();
  readonly persist = new Map<string, PersistV>();
  readonly conns = new Map<number, Conns>();
  readonly cursors = new Map<number, number>();
  readonly svcStats = new Map<number, Counters>();
  readonly realStats = new Map<number, Counters>();
  readonly reasons = new Map<ReasonName, number>(REASONS.map((r) => [r, 0]));
  readonly events = new Map<EventName, number>(EVENTS.map((e) => [e, 0]));
  private log: Undo[] | undefined;

  constructor(readonly cfg: Config, readonly globals: Globals) {}

  private table(name: MapName): Map<string, unknown> {
    switch (name) {
      case 'flows': return this.flows;
      case 'embryos': return this.embryos;
      case 'nat_rev': return this.natRev;
      case 'frags': return this.frags;
      case 'persist': return this.persist;
    }
  }

  /** Start recording changes; `undo()` takes them back, `commit()` keeps them. */
  begin(): void { this.log = []; }
  commit(): void { this.log = undefined; }
  undo(): void {
    const log = this.log ?? [];
    this.log = undefined;
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
  }

  private remember(u: Undo): void { this.log?.push(u); }

  set<T>(name: MapName, key: string, value: T): void {
    const m = this.table(name) as Map<string, T>;
    const had = m.has(key), old = m.get(key);
    m.set(key, value);
    this.remember(() => { if (had) m.set(key, old as T); else m.delete(key); });
  }

  del(name: MapName, key: string): void {
    const m = this.table(name);
    if (!m.has(key)) return;
    const old = m.get(key);
    m.delete(key);
    this.remember(() => m.set(key, old));
  }

  /** Change a field of an entry in place (the program writes into the map value). */
  patch<T extends object>(name: MapName, key: string, change: Partial<T>): void {
    const m = this.table(name) as Map<string, T>;
    const old = m.get(key);
    if (!old) return;
    m.set(key, { ...old, ...change });
    this.remember(() => m.set(key, old));
  }

  conn(id: number): Conns {
    return this.conns.get(id) ?? { active: 0, inactive: 0 };
  }

  setConns(id: number, c: Conns): void {
    const had = this.conns.has(id), old = this.conns.get(id);
    this.conns.set(id, c);
    this.remember(() => { if (had) this.conns.set(id, old!); else this.conns.delete(id); });
  }

  cursor(svcId: number): number { return this.cursors.get(svcId) ?? 0; }

  setCursor(svcId: number, v: number): void {
    const old = this.cursor(svcId);
    this.cursors.set(svcId, v >>> 0);
    this.remember(() => this.cursors.set(svcId, old));
  }

  /** An IPv4 header's identification: the per-CPU counter, moved on. */
  nextIdent(): number {
    const old = this.globals.ipIdent;
    this.globals.ipIdent = (old + 1) >>> 0;
    this.remember(() => { this.globals.ipIdent = old; });
    return old & 0xffff;
  }

  setEmbryoNs(ns: bigint): void {
    const old = this.globals.embryoNs;
    this.globals.embryoNs = ns;
    this.remember(() => { this.globals.embryoNs = old; });
  }

  count(which: 'svc' | 'real', id: number, change: Partial<Counters>): void {
    if (id >= this.cfg.statSlots[which]) return;
    const m = which === 'svc' ? this.svcStats : this.realStats;
    const old = m.get(id);
    const c = { ...(old ?? { conns: 0, pktsIn: 0, bytesIn: 0, pktsOut: 0, bytesOut: 0 }) };
    for (const [k, v] of Object.entries(change) as [keyof Counters, number][]) c[k] += v;
    m.set(id, c);
    this.remember(() => { if (old) m.set(id, old); else m.delete(id); });
  }

  event(e: EventName): void {
    this.events.set(e, this.events.get(e)! + 1);
    this.remember(() => this.events.set(e, this.events.get(e)! - 1));
  }

  reason(r: ReasonName): void {
    this.reasons.set(r, this.reasons.get(r)! + 1);
    this.remember(() => this.reasons.set(r, this.reasons.get(r)! - 1));
  }

  real(id: number): RealM | undefined { return this.cfg.reals.get(id); }
  slot(i: number): number { return this.cfg.slots.get(i) ?? 0; }
}
