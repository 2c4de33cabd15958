// Writes a desired state into the maps as a diff against what is there, in an
// order that keeps the data plane consistent at every step:
// reals first, then selection tables in fresh slot ranges, then the service entry
// (one atomic hash update flips to the new tables), then what became unused.
import { ip, ipTo16, ipFrom16, prefixMask, IpAddr } from '../core/addr.js';
import { DesiredState, ServiceSpec, RealSpec, Timeouts, serviceId, realId } from '../core/model.js';
import {
  svcKey, svcInfo, realInfo, realConns, counters, lbGlobals, vipKey,
  METHOD, REAL_F, GLOBAL_F, IPPROTO,
} from './codec.js';
import { u32Key, readU32 } from './layout.js';
import { IdAllocator, RangeAllocator } from './slots.js';
import { serviceTables, ServiceTables } from './tables.js';
import { overloadAfterBind, overloadAfterUnbind } from '../core/sched/leastconn.js';
import type { NextHop } from './neighbors.js';

/** The part of a BPF map handle the writer uses (src/bpf's BpfMap has it). */
export interface MapHandle {
  readonly maxEntries: number;
  lookup(key: Uint8Array): Uint8Array | undefined;
  update(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): boolean;
  keys(): Iterable<Uint8Array>;
  lookupPerCpu(key: Uint8Array): Uint8Array[];
  updatePerCpu(key: Uint8Array, values: Uint8Array[]): void;
}

export const MAP_NAMES = [
  'services', 'vips', 'reals', 'sched_slots', 'svc_cursor', 'real_conns', 'flows', 'nat_rev',
  'persist', 'svc_stats', 'real_stats', 'reasons', 'globals', 'tx_ports', 'if_macs', 'if_macs_direct',
] as const;
export type MapName = (typeof MAP_NAMES)[number];
export type IpvxMaps = Record<MapName, MapHandle>;

interface RealSlot { id: number; gen: number; written?: Uint8Array; upper?: number; lower?: number; overloaded?: boolean }
interface ServiceSlot {
  svcId: number;
  key: Uint8Array;
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

export class MapWriter {
  private services = new Map<string, ServiceSlot>();
  private svcIds: IdAllocator;
  private realIds: IdAllocator;
  private slots: RangeAllocator;
  private vipsWritten = new Set<string>();
  private nCpus: number;

  constructor(private readonly maps: IpvxMaps, nCpus: number) {
    this.svcIds = new IdAllocator(maps.services.maxEntries);
    this.realIds = new IdAllocator(maps.reals.maxEntries);
    this.slots = new RangeAllocator(maps.sched_slots.maxEntries);
    this.nCpus = nCpus;
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
      const vip = ipFrom16(key.vip, family);
      const proto = key.proto === IPPROTO.tcp ? 'tcp' : 'udp';
      const id = serviceId({ protocol: proto, vip: vip.text, port: key.port });
      const listContent = this.readSlots(info.realsOff, info.realsLen);
      const tableContent = this.readSlots(info.tableOff, info.tableLen);
      const reals = new Map<string, RealSlot>();
      for (const rid of listContent) {
        const rb = this.maps.reals.lookup(u32Key(rid));
        if (!rb) continue;
        const r = realInfo.decode(rb);
        reals.set(realId({ address: ipFrom16(r.addr, r.family as 4 | 6).text, port: r.port }), { id: rid, gen: r.gen, written: rb });
        this.realIds.reserve(rid);
      }
      this.svcIds.reserve(info.id);
      this.slots.reserve(info.tableOff, info.tableLen);
      this.slots.reserve(info.realsOff, info.realsLen);
      this.services.set(id, {
        svcId: info.id, key: k, reals,
        table: { off: info.tableOff, len: info.tableLen }, list: { off: info.realsOff, len: info.realsLen },
        tableContent, listContent, written: v,
      });
      this.vipsWritten.add(vipKeyText(k));
      found.push(id);
    }
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
    const off = this.slots.alloc(content.length);
    if (off === undefined) throw new Error(`selection tables are full (${this.slots.capacity} slots): reduce table sizes or services`);
    content.forEach((v, i) => this.maps.sched_slots.update(u32Key(off + i), u32Key(v)));
    return { off, len: content.length };
  }

  private zeroPerCpu(map: MapHandle, id: number, size: number): void {
    map.updatePerCpu(u32Key(id), Array.from({ length: this.nCpus }, () => new Uint8Array(size)));
  }

  private allocReal(): RealSlot {
    const id = this.realIds.alloc();
    if (id === undefined) throw new Error(`no free real id (limit ${this.realIds.capacity})`);
    const old = this.maps.reals.lookup(u32Key(id));
    const gen = ((old ? realInfo.decode(old).gen : 0) + 1) >>> 0;
    this.zeroPerCpu(this.maps.real_stats, id, counters.size);
    this.maps.real_conns.update(u32Key(id), realConns.encode({ active: 0, inactive: 0 }));
    return { id, gen };
  }

  private killReal(slot: RealSlot): void {
    // Not live any more: flows that still point here are rescheduled (or dropped).
    const dead = realInfo.encode({ ...realInfo.decode(slot.written ?? new Uint8Array(realInfo.size)), flags: 0, gen: slot.gen });
    this.maps.reals.update(u32Key(slot.id), dead);
    this.realIds.release(slot.id);
  }

  private realBytes(r: RealSpec, slot: RealSlot, weight: number, nh: NextHop | undefined, svcPort: number): Uint8Array {
    const addr = ip(r.address);
    const resolved = nh && nh.dmac;
    return realInfo.encode({
      addr: ipTo16(addr),
      tunSrc: nh?.src && nh.src.family === addr.family ? ipTo16(nh.src) : new Uint8Array(16),
      port: r.port || svcPort,
      method: METHOD[r.method],
      family: addr.family,
      flags: REAL_F.live | (resolved ? REAL_F.nexthop : 0) | (slot.overloaded ? REAL_F.overload : 0),
      gen: slot.gen,
      weight,
      ifindex: nh?.ifindex ?? 0,
      dmac: nh?.dmac ?? new Uint8Array(6),
      smac: nh?.smac ?? new Uint8Array(6),
      mtu: nh?.mtu ?? 0,
    });
  }

  /** Make the maps match `state`. `weights` overrides configured weights (health checks). */
  apply(state: DesiredState, nextHop: NextHopOf, weights?: Map<string, Map<string, number>>): void {
    const wanted = new Map(state.services.map((s) => [serviceId(s), s]));
    // Plan first: a state that does not fit the maps is refused before anything is written.
    const plans = new Map<string, { weights: number[]; tables: ServiceTables }>();
    let slotsNeeded = 0, newServices = 0, newReals = 0;
    for (const [id, svc] of wanted) {
      const w = svc.reals.map((r) => weights?.get(id)?.get(realId(r)) ?? r.weight);
      const tables = serviceTables(svc, w);
      plans.set(id, { weights: w, tables });
      const cur = this.services.get(id);
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
    for (const [id, svc] of wanted) this.applyService(id, svc, nextHop, plans.get(id)!);
    for (const [id, slot] of [...this.services]) {
      if (!wanted.has(id)) this.removeService(id, slot);
    }
    this.writeVips(state);
    this.writeGlobals(state);
  }

  private applyService(id: string, svc: ServiceSpec, nextHop: NextHopOf, plan: { weights: number[]; tables: ServiceTables }): void {
    const vip = ip(svc.vip);
    const key = svcKey.encode({ vip: ipTo16(vip), port: svc.port, proto: protoNum(svc.protocol), family: vip.family });
    let slot = this.services.get(id);
    const isNew = !slot;
    if (!slot) {
      const svcId = this.svcIds.alloc();
      if (svcId === undefined) throw new Error(`no free service id (limit ${this.svcIds.capacity})`);
      this.zeroPerCpu(this.maps.svc_stats, svcId, counters.size);
      this.maps.svc_cursor.update(u32Key(svcId), u32Key(0));
      slot = { svcId, key, reals: new Map(), table: { off: 0, len: 0 }, list: { off: 0, len: 0 }, tableContent: [], listContent: [] };
      this.services.set(id, slot);
    }

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
      const bytes = this.realBytes(r, rs, weights[i]!, nextHop(ip(r.address)), svc.port);
      if (!sameBytes(rs.written, bytes)) {
        this.maps.reals.update(u32Key(rs.id), bytes);
        rs.written = bytes;
      }
      return rs;
    });

    // 2. Tables in fresh ranges (the running ones stay valid until the flip).
    const t = plan.tables;
    const tableContent = t.table.map((i) => realSlots[i]!.id);
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
      this.maps.services.update(key, info);
      slot.written = info;
    }

    // 4. What became unused.
    if (tableChanged) this.slots.release(oldTable.off, oldTable.len);
    if (listChanged) this.slots.release(oldList.off, oldList.len);
    const keep = new Set(svc.reals.map(realId));
    for (const [rid, rs] of [...slot.reals]) {
      if (!keep.has(rid)) {
        this.killReal(rs);
        slot.reals.delete(rid);
      }
    }
  }

  /**
   * IPVS thresholds (-x upper, -y lower) from the connection counts of a sweep: a real
   * at or above its upper threshold takes no new flows until it drops below the lower
   * one (or 3/4 of the upper without a lower), as ip_vs_bind_dest / ip_vs_unbind_dest.
   */
  updateOverload(conns: Map<number, { active: number; inactive: number }>): void {
    for (const slot of this.services.values()) {
      for (const rs of slot.reals.values()) {
        if (!rs.upper || !rs.written) continue;
        const c = conns.get(rs.id) ?? { active: 0, inactive: 0 };
        const total = c.active + c.inactive;
        const was = rs.overloaded ?? false;
        const now = was ? overloadAfterUnbind(was, total, rs.upper, rs.lower ?? 0) : overloadAfterBind(was, total, rs.upper);
        if (now === was) continue;
        rs.overloaded = now;
        const info = realInfo.decode(rs.written);
        const bytes = realInfo.encode({ ...info, flags: now ? info.flags | REAL_F.overload : info.flags & ~REAL_F.overload });
        this.maps.reals.update(u32Key(rs.id), bytes);
        rs.written = bytes;
      }
    }
  }

  private removeService(id: string, slot: ServiceSlot): void {
    this.maps.services.delete(slot.key);
    this.slots.release(slot.table.off, slot.table.len);
    this.slots.release(slot.list.off, slot.list.len);
    for (const rs of slot.reals.values()) this.killReal(rs);
    this.svcIds.release(slot.svcId);
    this.services.delete(id);
  }

  private writeVips(state: DesiredState): void {
    const want = new Map<string, Uint8Array>();
    for (const s of state.services) {
      const a = ip(s.vip);
      const k = vipKey.encode({ addr: ipTo16(a), family: a.family });
      want.set(a.family + '|' + a.text, k);
    }
    for (const [text, k] of want) {
      if (!this.vipsWritten.has(text)) this.maps.vips.update(k, u32Key(1));
    }
    for (const text of this.vipsWritten) {
      if (!want.has(text)) {
        const [fam, addr] = text.split('|') as [string, string];
        const a = ip(addr);
        this.maps.vips.delete(vipKey.encode({ addr: ipTo16(a), family: Number(fam) }));
      }
    }
    this.vipsWritten = new Set(want.keys());
  }

  private writeGlobals(state: DesiredState): void {
    const nat = state.services.some((s) => s.reals.some((r) => r.method === 'nat'));
    this.writeTimeouts(state.timeouts, nat);
  }

  writeTimeouts(t: Timeouts, nat?: boolean): void {
    const cur = this.maps.globals.lookup(u32Key(0));
    const flags = nat === undefined ? (cur ? lbGlobals.decode(cur).flags : 0) : nat ? GLOBAL_F.nat : 0;
    this.maps.globals.update(u32Key(0), lbGlobals.encode({
      tcpTimeoutNs: BigInt(t.tcp) * NS, tcpfinTimeoutNs: BigInt(t.tcpFin) * NS, udpTimeoutNs: BigInt(t.udp) * NS, flags,
    }));
  }

  /** Every service's ids (and its map key), for counters and HA sync. */
  *serviceIds(): Iterable<[string, { svcId: number; key: Uint8Array; reals: Map<string, RealSlot> }]> {
    yield* this.services;
  }

  get slotsFree(): number {
    return this.slots.freeSlots;
  }
}

function sameArray(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function vipKeyText(k: Uint8Array): string {
  const d = svcKey.decode(k);
  return d.family + '|' + ipFrom16(d.vip, d.family as 4 | 6).text;
}

