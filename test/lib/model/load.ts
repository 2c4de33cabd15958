// The model's world read from the director's real maps (what the MapWriter wrote and
// what the program keeps), and the differences between the two after a run.
import {
  svcInfo, realInfo, realConns, flowVal, natRevVal, persistVal, counters, lbGlobals, ifMac, GLOBAL_F, REASONS, EVENTS,
  type ReasonName, type EventName,
} from '../../../src/dataplane/codec.js';
import { defineStruct, u32Key, readU32, readU64 } from '../../../src/dataplane/layout.js';
import type { IpvxMaps, MapHandle } from '../../../src/dataplane/writer.js';
import { toHex, addrOf16, addr16 } from './bytes.js';
import { parsePrefix, parsePorts, type PortRange } from '../../../src/core/marks.js';
import type { MarkRule } from '../../../src/core/model.js';
import { World, NO_REAL, type MarkRuleM, type Config, type RealM, type SvcM, type FlowV, type NatRevV, type FragV, type PersistV, type Counters } from './world.js';

/** struct frag_val (bpf/include/structs.h): the real, or NO_REAL and a NAT reply's reverse entry at 16. */
const fragValHead = defineStruct<{ realId: number; realGen: number; svcId: number }>('frag_val', 64, {
  realId: ['u32', 0], realGen: ['u32', 4], svcId: ['u32', 8],
});
const FRAG_REV_OFFSET = 16;

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

function encodeRev(v: NatRevV, out: Uint8Array, off = 0): void {
  natRevVal.encodeInto({ ...v, vip: addr16(v.vip) }, out, off);
}

function decodeRev(b: Uint8Array): NatRevV {
  const v = natRevVal.decode(b);
  return {
    vip: v.vip, vport: v.vport, svcId: v.svcId, realId: v.realId, ifindex: v.ifindex, clientMac: v.clientMac, ourMac: v.ourMac,
    vlanProto: v.vlanProto ?? 0, vlanTci: v.vlanTci ?? 0,
  };
}

/** A hash map's entries in key order (the kernel's order depends on its hash seed). */
function entries(m: MapHandle | undefined): [string, Uint8Array][] {
  if (!m) return [];
  const out: [string, Uint8Array][] = [];
  for (const k of m.keys()) { const v = m.lookup(k); if (v) out.push([toHex(k), v]); }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function sumCounters(m: MapHandle, id: number): Counters {
  const c = { conns: 0, pktsIn: 0, bytesIn: 0, pktsOut: 0, bytesOut: 0 };
  for (const v of m.lookupPerCpu(u32Key(id))) {
    const d = counters.decode(v);
    c.conns += Number(d.conns); c.pktsIn += Number(d.pktsIn); c.bytesIn += Number(d.bytesIn);
    c.pktsOut += Number(d.pktsOut); c.bytesOut += Number(d.bytesOut);
  }
  return c;
}

/** Every reason's and event's count, summed over CPUs. */
export function readTotals(maps: IpvxMaps): { reasons: Map<ReasonName, number>; events: Map<EventName, number> } {
  const read = (m: MapHandle, n: number): number[] => {
    const buf = m.readArrayPrefix!(n), stride = m.perCpuStride!, size = m.elementSize!;
    return Array.from({ length: n }, (_, i) => {
      let s = 0n;
      for (let o = 0; o < size; o += stride) s += readU64(buf, i * size + o);
      return Number(s);
    });
  };
  const r = read(maps.reasons, REASONS.length), e = read(maps.events, EVENTS.length);
  return {
    reasons: new Map(REASONS.map((n, i) => [n, r[i]!])),
    events: new Map(EVENTS.map((n, i) => [n, e[i]!])),
  };
}

function decodeReal(id: number, b: Uint8Array): RealM {
  const r = realInfo.decode(b);
  const family = (r.family === 6 ? 6 : 4) as 4 | 6;
  return {
    id, gen: r.gen, flags: r.flags, method: r.method, family, addr: addrOf16(r.addr, family), port: r.port, weight: r.weight,
    ifindex: r.ifindex, dmac: r.dmac, smac: r.smac, mtu: r.mtu, tunSrc: addrOf16(r.tunSrc, family),
    tunType: r.tunType, tunFlags: r.tunFlags, tunPort: r.tunPort,
  };
}

/** Where the model's world comes from besides the maps. */
export interface WorldOpts {
  ingress: number;
  flooded: boolean;
  /** The configuration's mark rules (the model matches them itself, not the tables compiled from them). */
  marks?: readonly MarkRule[];
}

function markRules(rules: readonly MarkRule[]): MarkRuleM[] {
  return rules.map((r) => {
    const p = parsePrefix(r.destination), ports = parsePorts(r.ports);
    if (typeof p === 'string' || typeof ports === 'string') throw new Error(`mark rule ${JSON.stringify(r)}: ${typeof p === 'string' ? p : ports}`);
    return {
      mark: r.mark, family: p.addr.family, prefix: p.addr.bytes, prefixLen: p.bits, proto: r.protocol === 'tcp' ? 6 : 17,
      ports: (ports as PortRange[]).map((x) => [x.lo, x.hi] as [number, number]),
    };
  });
}

/** The identification counter of the CPU test runs use (the fuzzer keeps its thread on CPU 0). */
function readIdent(maps: IpvxMaps): number {
  const v = maps.ip_ident?.lookupPerCpu(u32Key(0));
  return v ? readU32(v[0]!) : 0;
}

/** The configuration part, as the writer left it in the maps. */
export function loadConfig(maps: IpvxMaps, o: WorldOpts): Config {
  const services = new Map<string, SvcM>();
  let slotEnd = 0;
  for (const [k, v] of entries(maps.services)) {
    const s = svcInfo.decode(v);
    const svc: SvcM = {
      id: s.id, flags: s.flags, sched: s.sched, tableOff: s.tableOff, tableLen: s.tableLen, realsOff: s.realsOff,
      realsLen: s.realsLen, persistTimeout: s.persistTimeout, persistMask: s.persistMask,
    };
    services.set(k, svc);
    slotEnd = Math.max(slotEnd, s.tableOff + s.tableLen, s.realsOff + s.realsLen);
  }
  const slots = new Map<number, number>();
  const buf = slotEnd ? maps.sched_slots.readArrayPrefix!(slotEnd) : new Uint8Array(0);
  const ids = new Set<number>();
  for (const s of services.values()) {
    for (const [off, len] of [[s.tableOff, s.tableLen], [s.realsOff, s.realsLen]] as const) {
      for (let i = off; i < off + len; i++) { const id = readU32(buf.subarray(i * 4)); slots.set(i, id); ids.add(id); }
    }
  }
  const reals = new Map<number, RealM>();
  for (const id of ids) {
    const b = id === NO_REAL ? undefined : maps.reals.lookup(u32Key(id));
    if (b) reals.set(id, decodeReal(id, b));
  }
  const ifMacs = new Map<number, Uint8Array>();
  for (const ifindex of [o.ingress]) {
    const d = maps.if_macs_direct?.lookup(u32Key(ifindex));
    const m = d && ifMac.decode(d).valid ? d : maps.if_macs.lookup(u32Key(ifindex));
    if (m) ifMacs.set(ifindex, ifMac.decode(m).addr);
  }
  const txPorts = new Set<number>();
  for (const k of maps.tx_ports.keys()) txPorts.add(readU32(k));
  return {
    services, reals, slots, vips: new Set(entries(maps.vips).map(([k]) => k)), ifMacs, txPorts, ingress: o.ingress, flooded: o.flooded,
    statSlots: { svc: maps.svc_stats.maxEntries, real: maps.real_stats.maxEntries }, marks: markRules(o.marks ?? []),
  };
}

/** A world whose tables are the maps' contents now. */
export function loadWorld(maps: IpvxMaps, o: WorldOpts): World {
  const cfg = loadConfig(maps, o);
  const g = lbGlobals.decode(maps.globals.lookup(u32Key(0))!);
  const w = new World(cfg, {
    tcpNs: g.tcpTimeoutNs, tcpfinNs: g.tcpfinTimeoutNs, udpNs: g.udpTimeoutNs, synNs: g.synTimeoutNs,
    nat: (g.flags & GLOBAL_F.nat) !== 0, newFlowRate: g.newFlowRate, dropEntry: g.dropEntry, secureTcp: g.secureTcp,
    embryoNs: g.embryoNs, ipIdent: readIdent(maps),
  });
  for (const [k, v] of entries(maps.flows)) w.flows.set(k, flowVal.decode(v));
  for (const [k, v] of entries(maps.embryos)) w.embryos.set(k, flowVal.decode(v));
  for (const [k, v] of entries(maps.nat_rev)) w.natRev.set(k, decodeRev(v));
  for (const [k, v] of entries(maps.frags)) {
    const h = fragValHead.decode(v);
    w.frags.set(k, { ...h, ...(h.realId === NO_REAL ? { rev: decodeRev(v.subarray(FRAG_REV_OFFSET)) } : {}) });
  }
  for (const [k, v] of entries(maps.persist)) w.persist.set(k, persistVal.decode(v));
  for (const id of cfg.reals.keys()) {
    const c = maps.real_conns.lookup(u32Key(id));
    if (c) w.conns.set(id, realConns.decode(c));
  }
  for (const s of cfg.services.values()) {
    const c = maps.svc_cursor.lookup(u32Key(s.id));
    w.cursors.set(s.id, c ? readU32(c) : 0);
  }
  const t = readTotals(maps);
  for (const [k, v] of t.reasons) w.reasons.set(k, v);
  for (const [k, v] of t.events) w.events.set(k, v);
  for (const s of cfg.services.values()) w.svcStats.set(s.id, sumCounters(maps.svc_stats, s.id));
  for (const id of cfg.reals.keys()) w.realStats.set(id, sumCounters(maps.real_stats, id));
  return w;
}

const flowText = (v: FlowV) => `real ${v.realId} gen ${v.realGen} svc ${v.svcId} state ${v.state}`;
const revText = (v: NatRevV) => `vip ${toHex(v.vip)}:${v.vport} svc ${v.svcId} real ${v.realId} if ${v.ifindex} client ${toHex(v.clientMac)} our ${toHex(v.ourMac)} vlan ${v.vlanProto.toString(16)}/${v.vlanTci}`;
const fragText = (v: FragV) => `real ${v.realId} gen ${v.realGen} svc ${v.svcId}${v.rev ? ' ' + revText(v.rev) : ''}`;
const persistText = (v: PersistV) => `real ${v.realId} gen ${v.realGen}`;

function diffTable<T>(name: string, want: Map<string, T>, got: Map<string, T>, text: (v: T) => string, out: string[]): void {
  for (const [k, v] of want) {
    const g = got.get(k);
    if (!g) out.push(`${name}: missing ${k} (${text(v)})`);
    else if (text(g) !== text(v)) out.push(`${name} ${k}: model ${text(v)}, program ${text(g)}`);
  }
  for (const [k, v] of got) if (!want.has(k)) out.push(`${name}: unexpected ${k} (${text(v)})`);
}

/** What the program's maps hold that the model does not (ages of entries aside), as readable lines. */
export function diffWorld(model: World, maps: IpvxMaps): string[] {
  const got = loadWorld(maps, { ingress: model.cfg.ingress, flooded: model.cfg.flooded });
  const idents = maps.ip_ident ? maps.ip_ident.lookupPerCpu(u32Key(0)).map((v) => readU32(v)) : [model.globals.ipIdent];
  const out: string[] = [];
  diffTable('flows', model.flows, got.flows, flowText, out);
  diffTable('embryos', model.embryos, got.embryos, flowText, out);
  diffTable('nat_rev', model.natRev, got.natRev, revText, out);
  diffTable('frags', model.frags, got.frags, fragText, out);
  diffTable('persist', model.persist, got.persist, persistText, out);
  for (const id of model.cfg.reals.keys()) {
    const a = model.conn(id), b = got.conn(id);
    if (a.active !== b.active || a.inactive !== b.inactive) out.push(`real_conns ${id}: model ${a.active}/${a.inactive}, program ${b.active}/${b.inactive}`);
  }
  for (const [id, v] of model.cursors) if (got.cursor(id) !== v) out.push(`svc_cursor ${id}: model ${v}, program ${got.cursor(id)}`);
  for (const [k, v] of model.reasons) if (got.reasons.get(k) !== v) out.push(`reason ${k}: model ${v}, program ${got.reasons.get(k)}`);
  for (const [k, v] of model.events) if (got.events.get(k) !== v) out.push(`event ${k}: model ${v}, program ${got.events.get(k)}`);
  const stat = (c: Counters | undefined) => c ? `${c.conns}/${c.pktsIn}/${c.bytesIn}/${c.pktsOut}/${c.bytesOut}` : '0/0/0/0/0';
  for (const [id, c] of model.svcStats) if (stat(got.svcStats.get(id)) !== stat(c)) out.push(`svc_stats ${id}: model ${stat(c)}, program ${stat(got.svcStats.get(id))}`);
  for (const [id, c] of model.realStats) if (stat(got.realStats.get(id)) !== stat(c)) out.push(`real_stats ${id}: model ${stat(c)}, program ${stat(got.realStats.get(id))}`);
  if (!idents.includes(model.globals.ipIdent)) out.push(`ip_ident: model ${model.globals.ipIdent}, program ${idents.join('/')}`);
  if (model.globals.embryoNs !== got.globals.embryoNs && (model.globals.embryoNs === 0n) !== (got.globals.embryoNs === 0n)) {
    out.push(`globals.embryo_ns: model ${model.globals.embryoNs}, program ${got.globals.embryoNs}`);
  }
  return out;
}


/**
 * Write the world's tables into the maps (flows, embryos, NAT reverse entries, fragments,
 * persistence, connection counts, rr cursors, the embryo time), replacing what they held:
 * the state a run starts from.
 */
export function writeTables(maps: IpvxMaps, w: World): void {
  const put = (m: MapHandle | undefined, rows: Iterable<[string, Uint8Array]>) => {
    if (!m) return;
    for (const k of [...m.keys()]) m.delete(k);
    for (const [k, v] of rows) m.update(fromHex(k), v);
  };
  put(maps.flows, [...w.flows].map(([k, v]) => [k, flowVal.encode(v)]));
  put(maps.embryos, [...w.embryos].map(([k, v]) => [k, flowVal.encode(v)]));
  put(maps.nat_rev, [...w.natRev].map(([k, v]) => { const b = new Uint8Array(natRevVal.size); encodeRev(v, b); return [k, b]; }));
  put(maps.frags, [...w.frags].map(([k, v]) => {
    const b = new Uint8Array(fragValHead.size);
    fragValHead.encodeInto(v, b);
    if (v.rev) encodeRev(v.rev, b, FRAG_REV_OFFSET);
    return [k, b];
  }));
  put(maps.persist, [...w.persist].map(([k, v]) => [k, persistVal.encode(v)]));
  for (const [id, c] of w.conns) maps.real_conns.update(u32Key(id), realConns.encode(c));
  for (const [id, c] of w.cursors) maps.svc_cursor.update(u32Key(id), u32Key(c));
  const g = lbGlobals.decode(maps.globals.lookup(u32Key(0))!);
  maps.globals.update(u32Key(0), lbGlobals.encode({ ...g, embryoNs: w.globals.embryoNs }));
}
