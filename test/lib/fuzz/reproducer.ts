// A disagreement as a file that can be run again anywhere: the configuration (desired
// state, next hops, the interface's MAC, flood), the map entries the frame met (by service
// and real, not by the ids one run happened to give them, with ages instead of times),
// and the frames with the answers expected of the program. test/fixtures/fuzz holds the
// ones kept as regression cases (test/bpf/fuzz-corpus.test.ts).
import type { DesiredState } from '../../../src/core/model.js';
import type { NextHop } from '../../../src/dataplane/neighbors.js';
import { ip } from '../../../src/core/addr.js';
import { macBytes } from '../packet.js';
import type { LbHarness } from '../lb-harness.js';
import { writeIfMac } from '../../../src/dataplane/ifmacs.js';
import { floodState } from '../../../src/dataplane/codec.js';
import { u32Key } from '../../../src/dataplane/layout.js';
import { loadWorld, writeTables, type WorldOpts } from '../model/load.js';
import { NO_REAL, World, type FlowV, type NatRevV } from '../model/world.js';
import { toHex, macText } from '../model/bytes.js';
import { INGRESS, type Scenario } from './scenario.js';

interface HopJson { ifindex: number; smac: string; dmac?: string; mtu: number; src?: string }
interface Ref { svc: string; real: string; gone?: boolean }
type FlowJson = { ref: Ref; ageMs: number; state: number };
type RevJson = Omit<NatRevV, 'vip' | 'clientMac' | 'ourMac' | 'svcId' | 'realId'> & { vip: string; clientMac: string; ourMac: string; ref: Ref };

export interface Reproducer {
  description: string;
  scenario: { state: DesiredState; hops: Record<string, HopJson | null>; ifMac: string | null; flooded: boolean };
  tables: {
    flows: [string, FlowJson][]; embryos: [string, FlowJson][]; natRev: [string, RevJson][];
    frags: [string, { ref: Ref | null; rev?: RevJson }][]; persist: [string, { ref: Ref; ageMs: number }][];
    conns: [Ref, { active: number; inactive: number }][]; cursors: [string, number][]; embryoRecent: boolean;
    /** The IPv4 identification counter before the frames. */
    ipIdent?: number;
  };
  frames: { hex: string; action: string; reason: string; out?: string }[];
}

/** An id past every map's end. */
const NOWHERE = 0xfffffffe;

export function scenarioJson(sc: Scenario): Reproducer['scenario'] {
  const hops: Record<string, HopJson | null> = {};
  for (const [a, h] of sc.hops) {
    hops[a] = h ? { ifindex: h.ifindex, smac: macText(h.smac), ...(h.dmac ? { dmac: macText(h.dmac) } : {}), mtu: h.mtu, ...(h.src ? { src: h.src.text } : {}) } : null;
  }
  return { state: sc.state, hops, ifMac: sc.ifMac ?? null, flooded: sc.flooded };
}

/** Names of the ids a writer gave: service id -> service, real id -> (service, real). */
export function idNames(h: LbHarness): { svc: Map<number, string>; real: Map<number, { svc: string; real: string }> } {
  const svc = new Map<number, string>(), real = new Map<number, { svc: string; real: string }>();
  for (const [name, ids] of h.writer.serviceIds()) {
    svc.set(ids.svcId, name);
    for (const [rk, rs] of ids.reals) real.set(rs.id, { svc: name, real: rk });
  }
  return { svc, real };
}

export function worldJson(w: World, h: LbHarness, now: bigint): Reproducer['tables'] {
  const names = idNames(h);
  const ref = (realId: number, gen: number, svcId?: number): Ref => {
    const n = names.real.get(realId);
    const cur = w.real(realId);
    const svc = (svcId !== undefined ? names.svc.get(svcId) : undefined) ?? n?.svc ?? '?';
    return { svc, real: n?.real ?? `#${realId}`, ...(!cur || cur.gen !== gen ? { gone: true } : {}) };
  };
  const ms = (t: bigint) => Number((now - t) / 1_000_000n);
  const flow = (v: FlowV): FlowJson => ({ ref: ref(v.realId, v.realGen, v.svcId), ageMs: ms(v.atime), state: v.state });
  const rev = (v: NatRevV): RevJson => ({
    vport: v.vport, ifindex: v.ifindex, vlanProto: v.vlanProto, vlanTci: v.vlanTci,
    vip: toHex(v.vip), clientMac: macText(v.clientMac), ourMac: macText(v.ourMac), ref: ref(v.realId, w.real(v.realId)?.gen ?? 0, v.svcId),
  });
  return {
    flows: [...w.flows].map(([k, v]) => [k, flow(v)]),
    embryos: [...w.embryos].map(([k, v]) => [k, flow(v)]),
    natRev: [...w.natRev].map(([k, v]) => [k, rev(v)]),
    frags: [...w.frags].map(([k, v]) => [k, v.realId === NO_REAL ? { ref: null, ...(v.rev ? { rev: rev(v.rev) } : {}) } : { ref: ref(v.realId, v.realGen, v.svcId) }]),
    persist: [...w.persist].map(([k, v]) => [k, { ref: ref(v.realId, v.realGen), ageMs: ms(v.atime) }]),
    conns: [...w.conns].filter(([id]) => names.real.has(id)).map(([id, c]) => [names.real.get(id)!, c]),
    cursors: [...w.cursors].map(([id, c]) => [names.svc.get(id) ?? `#${id}`, c]),
    embryoRecent: now - w.globals.embryoNs < 60_000_000_000n,
    ipIdent: w.globals.ipIdent,
  };
}

/** Scenario and tables written into a harness's maps; returns the model's world of them. */
export function replaySetUp(h: LbHarness, rep: Reproducer, now: bigint): World {
  const s = rep.scenario;
  const hops = new Map<string, NextHop | undefined>(Object.entries(s.hops).map(([a, j]) => [ip(a).text, j ? {
    ifindex: j.ifindex, ifname: 'lo', smac: macBytes(j.smac), ...(j.dmac ? { dmac: macBytes(j.dmac) } : {}), mtu: j.mtu, ...(j.src ? { src: ip(j.src) } : {}),
  } : undefined]));
  h.apply(s.state, (a) => hops.get(a.text));
  writeIfMac(h.maps, INGRESS, s.ifMac ? macBytes(s.ifMac) : undefined);
  h.resetFlows();
  const cpus = h.maps.flood.lookupPerCpu(u32Key(0)).length;
  const flood = floodState.encode(s.flooded ? { windowNs: now, count: 2, flooded: 1 } : { windowNs: 0n, count: 0, flooded: 0 });
  h.maps.flood.updatePerCpu(u32Key(0), Array.from({ length: cpus }, () => flood));
  setIdent(h, t0Ident(rep));
  const w = loadWorld(h.maps, worldOpts(s));
  // A reference to a service or real this configuration does not have names an id no
  // real ever has (past the reals map), so it never finds one.
  const idsOf = (r: Ref): { svcId: number; realId: number; gen: number } => {
    const ids = h.writer.ids(r.svc);
    const realId = ids?.reals.get(r.real) ?? NOWHERE;
    const gen = w.real(realId)?.gen ?? 0;
    return { svcId: ids?.svcId ?? NOWHERE, realId, gen: r.gone ? gen + 1 : gen };
  };
  const at = (ageMs: number) => now - BigInt(ageMs) * 1_000_000n;
  const flow = (j: FlowJson): FlowV => { const i = idsOf(j.ref); return { realId: i.realId, realGen: i.gen, svcId: i.svcId, atime: at(j.ageMs), state: j.state }; };
  const rev = (j: RevJson): NatRevV => {
    const i = idsOf(j.ref);
    return {
      vip: Uint8Array.from(Buffer.from(j.vip, 'hex')), vport: j.vport, svcId: i.svcId, realId: i.realId, ifindex: j.ifindex,
      clientMac: macBytes(j.clientMac), ourMac: macBytes(j.ourMac), vlanProto: j.vlanProto, vlanTci: j.vlanTci,
    };
  };
  const t = rep.tables;
  for (const [k, v] of t.flows) w.flows.set(k, flow(v));
  for (const [k, v] of t.embryos) w.embryos.set(k, flow(v));
  for (const [k, v] of t.natRev) w.natRev.set(k, rev(v));
  for (const [k, v] of t.frags) {
    if (v.ref) { const i = idsOf(v.ref); w.frags.set(k, { realId: i.realId, realGen: i.gen, svcId: i.svcId }); }
    else w.frags.set(k, { realId: NO_REAL, realGen: 0, svcId: v.rev ? idsOf(v.rev.ref).svcId : 0, ...(v.rev ? { rev: rev(v.rev) } : {}) });
  }
  for (const [k, v] of t.persist) {
    const i = idsOf(v.ref);
    // The key holds the service id of the run that wrote it: take this run's.
    const svcId = h.writer.ids(v.ref.svc)?.svcId ?? NOWHERE;
    const key = Buffer.from(k, 'hex');
    key.writeUInt32LE(svcId, 0);
    w.persist.set(key.toString('hex'), { realId: i.realId, realGen: i.gen, atime: at(v.ageMs) });
  }
  for (const [r, c] of t.conns) { const id = idsOf(r).realId; if (id !== NOWHERE) w.conns.set(id, c); }
  for (const [svc, c] of t.cursors) { const id = h.writer.ids(svc)?.svcId; if (id !== undefined) w.cursors.set(id, c); }
  w.globals.embryoNs = t.embryoRecent ? now : 0n;
  writeTables(h.maps, w);
  return loadWorld(h.maps, worldOpts(s));
}

/** What the model's world takes from a scenario besides the maps. */
export const worldOpts = (s: { state: DesiredState; flooded: boolean }): WorldOpts =>
  ({ ingress: INGRESS, flooded: s.flooded, ...(s.state.marks ? { marks: s.state.marks } : {}) });

/** Every CPU's identification counter (never 0: the program would start it at random). */
export function setIdent(h: LbHarness, v: number): void {
  if (!h.maps.ip_ident) return;
  const cpus = h.maps.ip_ident.lookupPerCpu(u32Key(0)).length;
  h.maps.ip_ident.updatePerCpu(u32Key(0), Array.from({ length: cpus }, () => u32Key(v >>> 0)));
}

/** The counter a reproducer starts from (recorded, or a fixed one for those made before). */
const t0Ident = (rep: Reproducer): number => rep.tables.ipIdent ?? 0x1234;
