// Writes a desired state into the maps as a diff against what is there, in an
// order that keeps the data plane consistent at every step:
// reals first, then selection tables in fresh slot ranges, then the service entry
// (one atomic hash update flips to the new tables), then what became unused.
// Writes are staged and sent in batch syscalls, stage by stage across all services
// (every real and table, then every service entry, then dead reals); ids and slot
// ranges freed by an apply are reused only after the flips that stop using them are
// written.
import { ip, ipTo16, ipFrom16, prefixMask, IpAddr } from '../core/addr.js';
import { DesiredState, ServiceSpec, RealSpec, Timeouts, serviceId, realId, fwmarkVip } from '../core/model.js';
import {
  svcKey, svcInfo, realInfo, realConns, counters, lbGlobals, vipKey,
  METHOD, REAL_F, GLOBAL_F, IPPROTO, TUN_TYPE, TUN_F,
} from './codec.js';
import { MarkWriter } from './marks.js';
import { u32Key, readU32 } from './layout.js';
import { IdAllocator, RangeAllocator } from './slots.js';
import { serviceTables, ServiceTables } from './tables.js';
import { overloadAfterBind, overloadAfterUnbind } from '../core/sched/leastconn.js';
import type { NextHop } from './neighbors.js';
import { StagedWrites } from './staged.js';
import { RecordsById } from './records.js';
import type { ApplyHint } from './port.js';
import { AddrFilter, filterBit, SEED_VIP, SEED_NAT_SRC } from './filter.js';
import type { JiffyClock } from './clock.js';
import { DEFAULT_DEFENSE, type Defense } from '../core/model.js';

/** The part of a BPF map handle the writer uses (src/bpf's BpfMap has it). */
export interface MapHandle {
  readonly maxEntries: number;
  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): boolean;
  keys(): Iterable<Uint8Array>;
  lookupPerCpu(key: Uint8Array): Uint8Array[];
  updatePerCpu(key: Uint8Array, values: Uint8Array[]): void;
  /** Batch operations (src/bpf's BpfMap has them; without them, writes go one by one). */
  readonly perCpu?: boolean;
  updateBatch?(keys: Uint8Array[], values: Uint8Array[]): void;
  deleteBatch?(keys: Uint8Array[]): number;
  /** The same with `count` keys (and values) packed back to back in one buffer each. */
  updateBatchFlat?(keys: Uint8Array, values: Uint8Array, count: number): void;
  deleteBatchFlat?(keys: Uint8Array, count: number): number;
  joinPerCpu?(values: Uint8Array[]): Uint8Array;
  splitPerCpu?(element: Uint8Array): Uint8Array[];
  /** Array maps: indexes [0, n) in one flat buffer, elementSize bytes each (per-CPU: perCpuStride per CPU). */
  readArrayPrefix?(n: number): Uint8Array;
  readonly elementSize?: number;
  readonly perCpuStride?: number;
}

export const MAP_NAMES = [
  'services', 'vips', 'reals', 'sched_slots', 'svc_cursor', 'real_conns', 'flows', 'nat_rev',
  'persist', 'svc_stats', 'real_stats', 'reasons', 'globals', 'tx_ports', 'if_macs', 'if_macs_direct',
  'mark_prefixes', 'mark_ranges', 'ip_ident',
  'addr_filter', 'embryos', 'frags', 'flood', 'events',
] as const;
/** Maps an older build may lack (benchmarks load builds side by side); the writer skips them. */
export const OPTIONAL_MAPS: ReadonlySet<string> = new Set(['if_macs_direct', 'addr_filter', 'embryos', 'frags', 'flood', 'events']);
export type MapName = (typeof MAP_NAMES)[number];
export type IpvxMaps = Record<MapName, MapHandle>;

/** A real's ids and thresholds; the value last written for it is in MapWriter's realValues by id. */
interface RealSlot {
  id: number; gen: number; upper?: number; lower?: number; overloaded?: boolean;
  /** The address parsed once, and the next hop last written with it (compared by identity). */
  addr?: IpAddr; nh?: NextHop | undefined;
}
/** What a service was last written from: the same (frozen) spec object needs no new plan. */
interface Applied { spec: ServiceSpec; weights: number[]; tables: ServiceTables; nat: boolean }
interface ServiceSlot {
  svcId: number;
  key: Uint8Array;
  /** "family|address" of the VIP (the vips map's identity). */
  vip: string;
  applied?: Applied;
  reals: Map<string, RealSlot>;
  table: { off: number; len: number };
  list: { off: number; len: number };
  tableContent: number[];
  listContent: number[];
  written?: Uint8Array;
}

export type NextHopOf = (real: IpAddr) => NextHop | undefined;

const NS = 1_000_000_000n;

function protoNum(p: 'tcp' | 'udp'): number {
  return IPPROTO[p];
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function persistMaskBytes(svc: ServiceSpec): Uint8Array {
  const vip = ip(svc.vip);
  const m = svc.persistenceMask.trim();
  if (!m) return ipTo16({ ...vip, bytes: prefixMask(vip.family, vip.family === 4 ? 32 : 128) });
  if (vip.family === 4 && m.includes('.')) return ipTo16({ ...vip, bytes: ip(m).bytes });
  const bits = Number(m.replace(/^\//, ''));
  return ipTo16({ ...vip, bytes: prefixMask(vip.family, bits) });
}

/** The filter bits a service needs: its VIP, and the address of every NAT real (replies come from there). */
function filterBits(svc: ServiceSpec): number[] {
  const bits = [filterBit(ipTo16(ip(svc.vip)), SEED_VIP)];
  for (const r of svc.reals) if (r.method === 'nat') bits.push(filterBit(ipTo16(ip(r.address)), SEED_NAT_SRC));
  return bits;
}

export class MapWriter {
  private services = new Map<string, ServiceSlot>();
  /** The VIP / NAT-real address filter (filter.ts). */
  private readonly filter = new AddrFilter();
  /** Set by whoever loaded the program (clock.ts): how it turns jiffies into ns. */
  clock: JiffyClock | undefined;
  private defense: Defense = { ...DEFAULT_DEFENSE };
  private globalsIn: { t: Timeouts; nat: boolean } | undefined;
  private svcIds: IdAllocator;
  private realIds: IdAllocator;
  private slots: RangeAllocator;
  private vipsWritten = new Set<string>();
  /** After a failed write the vips map is not known exactly: rewrite what is wanted next time. */
  private vipsUnsure = false;
  private vipsMaybe?: Set<string>;
  private nCpus: number;
  private readonly stageLimit: number;
  /** Stage 1: reals, counters, tables; stage 2: service entries and vips; stage 3: dead reals. */
  private stage = { tables: new StagedWrites(), flips: new StagedWrites(), dead: new StagedWrites() };
  /** Freed by staged work: reusable once the stages are written. */
  private freed = { slots: [] as { off: number; len: number }[], reals: [] as number[], services: [] as number[] };
  /** Bookkeeping to put back if this apply's writes fail: reals and services it dropped. */
  private undo: (() => void)[] = [];
  /**
   * Hints are trusted only once a whole-state apply has succeeded: at start (services
   * recovered from pinned maps have no plan yet) and after a failed write (touched
   * services lost theirs), every service must be looked at.
   */
  private needsFull = true;
  /** The reals map value last written per real id (what flowsync and killReal read, and what a rewrite is compared with). */
  private realValues: RecordsById;
  /** realBytes encodes here; copied into realValues and the stage only when it differs. */
  private realScratch = new Uint8Array(realInfo.size);
  /**
   * Parsed real addresses shared by every real with that address (parseIp hands out a
   * copy per call: one object and byte array per real otherwise). Rebuilt by every
   * whole apply, so it holds the addresses in use plus those added since.
   */
  private addrs = new Map<string, IpAddr>();
  /** Every real id's generation (read from the map once): a reused id gets the next one. */
  private gens?: Uint32Array;
  /** Firewall-mark rules (mark_prefixes, mark_ranges). */
  private marks: MarkWriter;
  /** Syscalls the stages made (benchmarks). */
  get syscalls(): number {
    return this.stage.tables.syscalls + this.stage.flips.syscalls + this.stage.dead.syscalls;
  }

  /** opts.stageLimit: staged entries after which the writer writes between services (tests make it small). */
  constructor(private readonly maps: IpvxMaps, nCpus: number, opts: { stageLimit?: number } = {}) {
    this.stageLimit = opts.stageLimit ?? STAGE_LIMIT;
    this.svcIds = new IdAllocator(maps.services.maxEntries);
    this.realIds = new IdAllocator(maps.reals.maxEntries);
    this.slots = new RangeAllocator(maps.sched_slots.maxEntries);
    this.realValues = new RecordsById(realInfo.size, maps.reals.maxEntries);
    this.nCpus = nCpus;
    this.marks = new MarkWriter(maps);
  }

  /** Ids the data plane uses for a service and its reals (for counters and tests). */
  ids(service: string): { svcId: number; reals: Map<string, number> } | undefined {
    const s = this.services.get(service);
    return s && { svcId: s.svcId, reals: new Map([...s.reals].map(([k, v]) => [k, v.id])) };
  }

  /**
   * Rebuild the bookkeeping from maps a previous daemon left pinned, so a restart
   * changes nothing that is already right. Returns the services found.
   */
  recover(): string[] {
    const found: string[] = [];
    for (const k of this.maps.services.keys()) {
      const v = this.maps.services.lookup(k);
      if (!v) continue;
      const key = svcKey.decode(k), info = svcInfo.decode(v);
      const family = key.family as 4 | 6;
      const fwmark = key.proto === 0 ? fwmarkOfKey(key.vip) : undefined;
      const vip = fwmark ? ip(fwmarkVip(family)) : ipFrom16(key.vip, family);
      const proto = key.proto === IPPROTO.udp ? 'udp' : 'tcp';
      const id = serviceId({ protocol: proto, vip: vip.text, port: key.port, fwmark });
      const listContent = this.readSlots(info.realsOff, info.realsLen);
      const tableContent = this.readSlots(info.tableOff, info.tableLen);
      const reals = new Map<string, RealSlot>();
      const bits = [filterBit(key.vip, SEED_VIP)];
      for (const rid of listContent) {
        const rb = this.maps.reals.lookup(u32Key(rid));
        if (!rb) continue;
        const r = realInfo.decode(rb);
        if (r.method === METHOD.nat) bits.push(filterBit(r.addr, SEED_NAT_SRC));
        reals.set(realId({ address: ipFrom16(r.addr, r.family as 4 | 6).text, port: r.port }), { id: rid, gen: r.gen });
        this.realValues.set(rid, rb);
        this.realIds.reserve(rid);
      }
      this.svcIds.reserve(info.id);
      this.slots.reserve(info.tableOff, info.tableLen);
      this.slots.reserve(info.realsOff, info.realsLen);
      this.services.set(id, {
        svcId: info.id, key: k, reals,
        vip: fwmark ? '' : vipKeyText(k),
        table: { off: info.tableOff, len: info.tableLen }, list: { off: info.realsOff, len: info.realsLen },
        tableContent, listContent, written: v,
      });
      if (!fwmark) this.vipsWritten.add(vipKeyText(k));
      this.filter.set(id, bits);
      found.push(id);
    }
    this.marks.recover();
    this.filter.adopt(this.maps.addr_filter);
    this.filter.set(MARKS_FILTER_OWNER, this.marks.narrowAddrs.map((a) => filterBit(a, SEED_VIP)));
    return found;
  }

  private readSlots(off: number, len: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < len; i++) {
      const v = this.maps.sched_slots.lookup(u32Key(off + i));
      out.push(v ? readU32(v) : 0);
    }
    return out;
  }

  private writeSlots(content: number[]): { off: number; len: number } {
    let off = this.slots.alloc(content.length);
    if (off === undefined && this.freed.slots.length) {
      this.writeStaged(); // ranges freed by this apply become free once their services flipped
      off = this.slots.alloc(content.length);
    }
    if (off === undefined) throw new Error(`selection tables are full (${this.slots.capacity} slots): reduce table sizes or services`);
    content.forEach((v, i) => this.stage.tables.update(this.maps.sched_slots, off + i, v));
    return { off, len: content.length };
  }

  private zeroPerCpu(map: MapHandle, id: number, size: number): void {
    this.stage.tables.zeroPerCpu(map, id, size, this.nCpus);
  }

  /** Write every stage in order, then free what the written flips stopped using. */
  private writeStaged(): void {
    // Filter bits of new VIPs and NAT reals before their service entries flip.
    this.filter.write(this.maps.addr_filter, true);
    this.stage.tables.flush();
    this.stage.flips.flush();
    this.stage.dead.flush();
    // Written: what this apply dropped so far is gone from the maps too, nothing to put back.
    this.undo = [];
    for (const r of this.freed.slots) this.slots.release(r.off, r.len);
    for (const id of this.freed.reals) this.realIds.release(id);
    for (const id of this.freed.services) this.svcIds.release(id);
    this.freed = { slots: [], reals: [], services: [] };
  }

  private get staged(): number {
    return this.stage.tables.pending + this.stage.flips.pending + this.stage.dead.pending;
  }

  /** The generation last written for a real id (0 = never), from one read of the whole map. */
  private genOf(id: number): number {
    if (!this.gens) {
      const m = this.maps.reals;
      if (!m.readArrayPrefix) {
        const old = m.lookup(u32Key(id));
        return old ? realInfo.decode(old).gen : 0;
      }
      const all = m.readArrayPrefix(m.maxEntries), size = m.elementSize ?? realInfo.size;
      const dv = new DataView(all.buffer, all.byteOffset, all.byteLength);
      this.gens = new Uint32Array(m.maxEntries);
      for (let i = 0; i * size < all.length; i++) this.gens[i] = dv.getUint32(i * size + GEN_OFFSET, true);
    }
    return this.gens[id] ?? 0;
  }

  private allocReal(): RealSlot {
    let id = this.realIds.alloc();
    if (id === undefined && this.freed.reals.length) {
      this.writeStaged();
      id = this.realIds.alloc();
    }
    if (id === undefined) throw new Error(`no free real id (limit ${this.realIds.capacity})`);
    const gen = (this.genOf(id) + 1) >>> 0;
    if (this.gens) this.gens[id] = gen;
    this.realValues.delete(id); // a new real: written in full
    this.zeroPerCpu(this.maps.real_stats, id, counters.size);
    this.stage.tables.update(this.maps.real_conns, id, ZERO_CONNS);
    return { id, gen };
  }

  private killReal(slot: RealSlot): void {
    // Not live any more: flows that still point here are rescheduled (or dropped).
    // The value last written with flags 0 and its generation, made in the scratch (no array per real).
    const dead = this.realScratch;
    const last = this.realValues.get(slot.id);
    if (last) dead.set(last);
    else dead.fill(0);
    const dv = new DataView(dead.buffer, dead.byteOffset, dead.byteLength);
    dv.setUint32(FLAGS_OFFSET, 0, true);
    dv.setUint32(GEN_OFFSET, slot.gen, true);
    this.stage.dead.update(this.maps.reals, slot.id, dead);
    this.realValues.delete(slot.id);
    this.freed.reals.push(slot.id);
  }

  /** The real's reals map value, encoded into `out` (the writer's scratch). */
  private realBytes(out: Uint8Array, r: RealSpec, addr: IpAddr, slot: RealSlot, weight: number, nh: NextHop | undefined, svcPort: number): void {
    const resolved = nh && nh.dmac;
    realInfo.encodeInto({
      addr: addr.bytes, // 4 or 16 bytes at the field's start: the rest is zero (ipTo16)
      tunSrc: nh?.src && nh.src.family === addr.family ? nh.src.bytes : NO_BYTES,
      port: r.port || svcPort,
      method: METHOD[r.method],
      family: addr.family,
      flags: REAL_F.live | (resolved ? REAL_F.nexthop : 0) | (slot.overloaded ? REAL_F.overload : 0),
      gen: slot.gen,
      weight,
      ifindex: nh?.ifindex ?? 0,
      dmac: nh?.dmac ?? NO_BYTES,
      smac: nh?.smac ?? NO_BYTES,
      mtu: nh?.mtu ?? 0,
      tunType: TUN_TYPE[r.tunType ?? 'ipip'],
      tunFlags: r.tunChecksum === 'csum' ? TUN_F.csum : r.tunChecksum === 'remcsum' ? TUN_F.remcsum : 0,
      tunPort: r.tunPort ?? 0,
    }, out);
  }

  /**
   * Make the maps match `state` (health checks have already set the weights in it).
   * Work is proportional to what changed: a service whose spec object (validated
   * states are immutable) and reals' next hops are those of the last apply is neither
   * re-planned nor rewritten.
   */
  apply(state: DesiredState, nextHop: NextHopOf, hint?: ApplyHint): void {
    const wanted = new Map<string, ServiceSpec>();
    // A hint names every service that may differ from the last apply: only those are
    // planned and written (a one-real edit of 10,000 services looks at one). Without a
    // trustworthy hint (an index that does not hold the named service), all are.
    const only = hint && this.hinted(state, hint);
    if (only) for (const [id, svc] of only) { if (svc) wanted.set(id, svc); }
    else for (const s of state.services) wanted.set(serviceId(s), s);
    if (!only) this.addrs = new Map(); // addresses no longer in use go with the old map
    // Plan first: a state that does not fit the maps is refused before anything is written.
    const plans = new Map<string, Applied>();
    let slotsNeeded = 0, newServices = 0, newReals = 0;
    for (const [id, svc] of wanted) {
      const cur = this.services.get(id);
      const last = cur?.applied;
      // Only frozen (validated) specs: an object that can change cannot stand for its content.
      if (last && last.spec === svc && Object.isFrozen(svc)) {
        plans.set(id, last); // same reals, same tables: nothing new to allocate
        continue;
      }
      const w = svc.reals.map((r) => r.weight);
      const tables = serviceTables(svc, w);
      plans.set(id, { spec: svc, weights: w, tables, nat: svc.reals.some((r) => r.method === 'nat') });
      if (!cur) newServices++;
      newReals += svc.reals.filter((r) => !cur?.reals.has(realId(r))).length;
      // A service whose tables keep their sizes and reals mostly needs no new range.
      const sameShape = cur && tables.table.length === cur.tableContent.length && svc.reals.length === cur.listContent.length;
      if (!sameShape) slotsNeeded += tables.table.length + svc.reals.length;
    }
    if (slotsNeeded > this.slots.freeSlots) {
      throw new Error(`selection tables need ${slotsNeeded} free slots, ${this.slots.freeSlots} of ${this.slots.capacity} are free: reduce table sizes or services`);
    }
    if (newServices > this.svcIds.capacity - this.svcIds.inUse) throw new Error(`too many services (limit ${this.svcIds.capacity})`);
    if (newReals > this.realIds.capacity - this.realIds.inUse) throw new Error(`too many reals (limit ${this.realIds.capacity})`);
    const touched: ServiceSlot[] = [];
    this.undo = [];
    try {
      let added = false;
      for (const [id, svc] of wanted) {
        const plan = plans.get(id)!;
        const slot = this.services.get(id);
        if (slot && slot.applied === plan && this.nextHopsUnchanged(slot, nextHop)) continue;
        if (!slot) added = true;
        this.applyService(id, svc, nextHop, plan, touched);
        // Bounded staging: whole services only, so every staged flip has its tables staged.
        if (this.staged >= this.stageLimit) this.writeStaged();
      }
      let removed = false;
      const gone = only ? [...only].filter(([, svc]) => !svc).map(([id]) => id) : [...this.services.keys()].filter((id) => !wanted.has(id));
      for (const id of gone) {
        const slot = this.services.get(id);
        if (slot) { this.removeService(id, slot); touched.push(slot); removed = true; }
        // Bounded here too: emptying 10,000 services stages 100,000 dead reals.
        if (this.staged >= this.stageLimit) this.writeStaged();
      }
      // The VIP set changes only with the set of services.
      if (!only || added || removed || this.vipsUnsure) this.writeVips();
      this.writeStaged();
      // Bits nothing needs any more, once no service entry uses them.
      this.filter.write(this.maps.addr_filter, false);
      this.undo = [];
      this.vipsMaybe = undefined;
      this.vipsUnsure = false;
      if (!only) this.needsFull = false;
    } catch (e) {
      this.forgetUnwritten(touched);
      throw e;
    }
    // Mark rules after the services they select (a mark without its service just misses).
    // Their narrow prefixes' filter bits may lag the rules by a moment either way: the
    // program's prefix probe finds what the filter does not know.
    if (this.marks.apply(state.marks)) this.writeMarkFilter();
    let nat = false;
    for (const slot of this.services.values()) if (slot.applied?.nat) { nat = true; break; }
    this.defense = { ...(state.defense ?? DEFAULT_DEFENSE) };
    this.writeTimeouts(state.timeouts, nat);
  }

  /** The hinted services as (id, spec in `state`, undefined = removed), or undefined when the hint does not match `state`. */
  private hinted(state: DesiredState, hint: ApplyHint): Map<string, ServiceSpec | undefined> | undefined {
    if (this.needsFull) return undefined;
    const out = new Map<string, ServiceSpec | undefined>();
    for (const h of hint.services) {
      const svc = h.index < 0 ? undefined : state.services[h.index];
      if (h.index >= 0 && (!svc || serviceId(svc) !== h.id)) return undefined;
      out.set(h.id, svc);
    }
    // Every other service must be one this writer holds, or the maps would miss it.
    let size = this.services.size;
    for (const [id, svc] of out) {
      const held = this.services.has(id);
      if (svc && !held) size++;
      else if (!svc && held) size--;
    }
    return size === state.services.length ? out : undefined;
  }

  /**
   * After a failed write nothing staged is known to be in the maps: drop it, and make the
   * services this apply touched be rewritten in full by the next apply (the rollback).
   * What the failed flips would have freed stays reserved until a later write succeeds
   * (those services flip again then), so no range or id in use is handed out twice.
   */
  private forgetUnwritten(touched: ServiceSlot[]): void {
    this.stage = { tables: new StagedWrites(), flips: new StagedWrites(), dead: new StagedWrites() };
    // Reals and services dropped by this apply may still be in the maps, live: keep them
    // (the rollback then rewrites or removes them) and do not free their ids and ranges.
    for (const u of this.undo.reverse()) u();
    this.undo = [];
    const svcIds = new Set<number>(), realIds = new Set<number>(), ranges = new Set<object>();
    for (const slot of this.services.values()) {
      svcIds.add(slot.svcId);
      ranges.add(slot.table).add(slot.list);
      for (const rs of slot.reals.values()) realIds.add(rs.id);
    }
    this.freed = {
      slots: this.freed.slots.filter((r) => !ranges.has(r)),
      reals: this.freed.reals.filter((id) => !realIds.has(id)),
      services: this.freed.services.filter((id) => !svcIds.has(id)),
    };
    for (const slot of touched) {
      slot.applied = undefined;
      slot.written = undefined;
      slot.tableContent = [];
      slot.listContent = [];
      for (const rs of slot.reals.values()) this.realValues.delete(rs.id);
    }
    this.gens = undefined; // re-read: a staged generation may not be in the map
    this.needsFull = true;
    if (this.vipsMaybe) this.vipsWritten = this.vipsMaybe;
    this.vipsMaybe = undefined;
    this.vipsUnsure = true;
  }

  /** True when every real of the (unchanged) service would get the next hop it was written with. */
  private nextHopsUnchanged(slot: ServiceSlot, nextHop: NextHopOf): boolean {
    // The spec is unchanged, so slot.reals holds exactly its reals.
    for (const rs of slot.reals.values()) {
      if (!rs.addr || nextHop(rs.addr) !== rs.nh) return false;
    }
    return true;
  }

  private applyService(id: string, svc: ServiceSpec, nextHop: NextHopOf, plan: Applied, touched: ServiceSlot[]): void {
    let slot = this.services.get(id);
    const isNew = !slot;
    if (!slot) {
      const vip = ip(svc.vip);
      // A fwmark service: protocol 0 (no packet has it), the mark in place of the VIP (fwmark.h).
      const key = svc.fwmark
        ? svcKey.encode({ vip: fwmarkKeyVip(svc.fwmark), port: 0, proto: 0, family: vip.family })
        : svcKey.encode({ vip: ipTo16(vip), port: svc.port, proto: protoNum(svc.protocol), family: vip.family });
      let svcId = this.svcIds.alloc();
      if (svcId === undefined && this.freed.services.length) {
        this.writeStaged();
        svcId = this.svcIds.alloc();
      }
      if (svcId === undefined) throw new Error(`no free service id (limit ${this.svcIds.capacity})`);
      this.zeroPerCpu(this.maps.svc_stats, svcId, counters.size);
      this.stage.tables.update(this.maps.svc_cursor, svcId, 0);
      slot = { svcId, key, vip: svc.fwmark ? '' : `${vip.family}|${vip.text}`, reals: new Map(), table: { off: 0, len: 0 }, list: { off: 0, len: 0 }, tableContent: [], listContent: [] };
      this.services.set(id, slot);
    }
    touched.push(slot);
    this.filter.set(id, filterBits(svc));
    const key = slot.key;
    // Not marked applied until every write below is done: a failure leaves it to be redone.
    slot.applied = undefined;

    // 1. Reals: new ones get an id (with a new generation), changed ones are rewritten.
    const weights = plan.weights;
    const realSlots = svc.reals.map((r, i) => {
      const rid = realId(r);
      let rs = slot!.reals.get(rid);
      if (!rs) {
        rs = this.allocReal();
        slot!.reals.set(rid, rs);
      }
      rs.upper = r.upperThreshold;
      rs.lower = r.lowerThreshold;
      if (!r.upperThreshold) rs.overloaded = false;
      const addr = rs.addr ?? this.addrOf(r.address);
      const nh = nextHop(addr);
      const bytes = this.realScratch;
      this.realBytes(bytes, r, addr, rs, weights[i]!, nh, svc.port);
      if (!this.realValues.equals(rs.id, bytes)) {
        this.stage.tables.update(this.maps.reals, rs.id, bytes);
        this.realValues.set(rs.id, bytes);
      }
      rs.addr = addr;
      rs.nh = nh;
      return rs;
    });

    // 2. Tables in fresh ranges (the running ones stay valid until the flip).
    const t = plan.tables;
    const tableContent = t.raw ? t.table : t.table.map((i) => realSlots[i]!.id);
    const listContent = realSlots.map((r) => r.id);
    const oldTable = slot.table, oldList = slot.list;
    const tableChanged = !sameArray(tableContent, slot.tableContent);
    const listChanged = !sameArray(listContent, slot.listContent);
    if (tableChanged) slot.table = this.writeSlots(tableContent);
    if (listChanged) slot.list = this.writeSlots(listContent);
    slot.tableContent = tableContent;
    slot.listContent = listContent;

    // 3. The service entry: one atomic update switches to the new tables.
    const info = svcInfo.encode({
      id: slot.svcId, flags: t.flags, tableOff: slot.table.off, tableLen: slot.table.len,
      realsOff: slot.list.off, realsLen: slot.list.len, persistTimeout: svc.persistence,
      sched: t.kind, persistMask: persistMaskBytes(svc),
    });
    if (isNew || !sameBytes(slot.written, info)) {
      this.stage.flips.update(this.maps.services, key, info);
      slot.written = info;
    }

    // 4. What became unused (free once the flip is written).
    if (tableChanged) this.freed.slots.push(oldTable);
    if (listChanged) this.freed.slots.push(oldList);
    const keep = new Set(svc.reals.map(realId));
    for (const [rid, rs] of [...slot.reals]) {
      if (!keep.has(rid)) {
        this.killReal(rs);
        slot.reals.delete(rid);
        const owner = slot;
        this.undo.push(() => owner.reals.set(rid, rs));
      }
    }
    slot.applied = plan;
  }

  /**
   * IPVS thresholds (-x upper, -y lower) from the connection counts of a sweep: a real
   * at or above its upper threshold takes no new flows until it drops below the lower
   * one (or 3/4 of the upper without a lower), as ip_vs_bind_dest / ip_vs_unbind_dest.
   */
  updateOverload(conns: Map<number, { active: number; inactive: number }>): void {
    for (const slot of this.services.values()) {
      for (const rs of slot.reals.values()) {
        const upper = rs.upper;
        const written = upper ? this.realValues.get(rs.id) : undefined;
        if (!upper || !written) continue;
        const c = conns.get(rs.id) ?? { active: 0, inactive: 0 };
        const total = c.active + c.inactive;
        const was = rs.overloaded ?? false;
        const now = was ? overloadAfterUnbind(was, total, upper, rs.lower ?? 0) : overloadAfterBind(was, total, upper);
        if (now === was) continue;
        rs.overloaded = now;
        const info = realInfo.decode(written);
        const bytes = realInfo.encode({ ...info, flags: now ? info.flags | REAL_F.overload : info.flags & ~REAL_F.overload });
        this.maps.reals.update(u32Key(rs.id), bytes);
        this.realValues.set(rs.id, bytes);
      }
    }
  }

  private removeService(id: string, slot: ServiceSlot): void {
    this.stage.flips.delete(this.maps.services, slot.key);
    this.freed.slots.push(slot.table, slot.list);
    for (const rs of slot.reals.values()) this.killReal(rs);
    this.freed.services.push(slot.svcId);
    this.services.delete(id);
    this.filter.remove(id);
    this.undo.push(() => this.services.set(id, slot));
  }

  /** The vips map as the services now held need it (called after they are applied and removed). */
  private writeVips(): void {
    const want = new Set<string>();
    for (const slot of this.services.values()) if (slot.vip) want.add(slot.vip);
    for (const text of want) {
      if (this.vipsUnsure || !this.vipsWritten.has(text)) this.stage.flips.update(this.maps.vips, vipKeyOf(text), u32Key(1));
    }
    for (const text of this.vipsWritten) {
      if (!want.has(text)) this.stage.flips.delete(this.maps.vips, vipKeyOf(text));
    }
    // Until the stages are written, what was and what is wanted may both be in the map.
    this.vipsMaybe = new Set([...this.vipsWritten, ...want]);
    this.vipsWritten = want;
  }

  /** The VIP filter's bits for the mark rules' narrow prefixes (marks.ts). */
  private writeMarkFilter(): void {
    this.filter.set(MARKS_FILTER_OWNER, this.marks.narrowAddrs.map((a) => filterBit(a, SEED_VIP)));
    this.filter.write(this.maps.addr_filter, false);
  }

  writeTimeouts(t: Timeouts, nat?: boolean): void {
    const cur = this.maps.globals.lookup(u32Key(0));
    // flags sit at offset 24 in every build's layout.
    const flags = cur && cur.length >= 28 ? new DataView(cur.buffer, cur.byteOffset, cur.length).getUint32(24, true) : 0;
    this.globalsIn = { t, nat: nat ?? (flags & GLOBAL_F.nat) !== 0 };
    this.writeGlobals();
  }

  /** The flood defence settings (IPVS's drop_entry / secure_tcp sysctls). */
  writeDefense(d: Defense): void {
    this.defense = { ...d };
    this.writeGlobals();
  }

  /** lb_globals: timeouts, the NAT and marks flags, the clock, the defence; what the program wrote (embryo time) is kept. */
  private writeGlobals(): void {
    const cur = this.maps.globals.lookup(u32Key(0));
    const old = cur && cur.length >= lbGlobals.size ? lbGlobals.decode(cur) : undefined;
    const t = this.globalsIn?.t ?? { tcp: 900, tcpFin: 120, udp: 300 };
    const v = lbGlobals.encode({
      tcpTimeoutNs: BigInt(t.tcp) * NS, tcpfinTimeoutNs: BigInt(t.tcpFin) * NS, udpTimeoutNs: BigInt(t.udp) * NS,
      flags: (this.globalsIn?.nat ? GLOBAL_F.nat : 0) | (this.marks.active ? GLOBAL_F.marks : 0) | (this.marks.wide ? GLOBAL_F.markProbe : 0),
      tickNs: this.clock?.tickNs ?? 0, clockBaseNs: this.clock?.baseNs ?? 0n,
      newFlowRate: this.defense.newFlowRate, dropEntry: this.defense.dropEntry, secureTcp: this.defense.secureTcp,
      synTimeoutNs: BigInt(this.defense.synTimeout) * NS, embryoNs: old?.embryoNs ?? 0n,
    });
    // An older build's globals are a prefix of these (benchmarks of builds side by side).
    const size = (this.maps.globals as { valueSize?: number }).valueSize ?? v.length;
    this.maps.globals.update(u32Key(0), v.subarray(0, size));
  }

  /** The reals map value last written for a real id (a view: decode or copy it before the next apply), or undefined. */
  realWritten(id: number): Uint8Array | undefined {
    return this.realValues.get(id);
  }

  /** One shared parsed address per address text (see `addrs`). */
  private addrOf(text: string): IpAddr {
    let a = this.addrs.get(text);
    if (!a) { a = ip(text); this.addrs.set(text, a); }
    return a;
  }

  /** Every service's ids (and its map key), for counters and HA sync. */
  *serviceIds(): Iterable<[string, { svcId: number; key: Uint8Array; reals: Map<string, RealSlot> }]> {
    yield* this.services;
  }

  get slotsFree(): number {
    return this.slots.freeSlots;
  }
}

/** The filter's owner name for the mark rules' bits (service ids have a protocol prefix). */
const MARKS_FILTER_OWNER = 'marks';
/** Staged entries after which the writer writes between services (bounds memory). */
const STAGE_LIMIT = 65_536;
/** real_conns of a new real. */
const ZERO_CONNS = realConns.encode({ active: 0, inactive: 0 });
/** An absent address or MAC: the field stays zero. */
const NO_BYTES = new Uint8Array(0);
/** Offsets of real_info.gen and .flags (codec.ts). */
const fieldOffset = (name: string) => realInfo.fields.find((f) => f.name === name)!.offset;
const GEN_OFFSET = fieldOffset('gen');
const FLAGS_OFFSET = fieldOffset('flags');

function sameArray(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A fwmark service's key: the mark in the VIP's first word (host order, as fwmark.h writes it). */
function fwmarkKeyVip(mark: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(0, mark >>> 0, true);
  return b;
}

function fwmarkOfKey(vip: Uint8Array): number {
  return new DataView(vip.buffer, vip.byteOffset, 16).getUint32(0, true);
}

/** The vips map key of a "family|address" text. */
function vipKeyOf(text: string): Uint8Array {
  const a = ip(text.slice(text.indexOf('|') + 1));
  return vipKey.encode({ addr: ipTo16(a), family: a.family });
}

function vipKeyText(k: Uint8Array): string {
  const d = svcKey.decode(k);
  return d.family + '|' + ipFrom16(d.vip, d.family as 4 | 6).text;
}

