// The flow-table sweeper: what the data plane cannot do per packet. Deletes expired
// flows (and their NAT reverse entries), recounts each real's active/inactive
// connections from what is left (LRU eviction and expiry leave the data plane's own
// increments behind), and sets or clears IPVS's overload flag from -x/-y.
import type { IpvxMaps, MapHandle } from './writer.js';
import type { MapWriter } from './writer.js';
import { flowKey, flowVal, lbGlobals, realConns, FLOW, natRevVal, DEFENSE } from './codec.js';
import { u32Key } from './layout.js';
import { StagedWrites } from './staged.js';

export interface SweepResult {
  expired: number;
  live: number;
  /** Connections per real id after the sweep. */
  conns: Map<number, { active: number; inactive: number }>;
}

export { monotonicNs } from './clock.js';

/** lb_globals as the program has it (an older build's shorter layout read as a prefix, the rest zero). */
export function readGlobals(maps: Pick<IpvxMaps, 'globals'>): ReturnType<typeof lbGlobals.decode> {
  const v = maps.globals.lookup(u32Key(0));
  const b = new Uint8Array(lbGlobals.size);
  if (v) b.set(v.subarray(0, Math.min(v.length, b.length)));
  return lbGlobals.decode(b);
}

/** The program's state_timeout(): SYN-state flows expire sooner under secure_tcp 3. */
export function flowTimeoutNs(g: ReturnType<typeof lbGlobals.decode>, state: number): bigint {
  if (state === FLOW.est) return g.tcpTimeoutNs;
  if (state === FLOW.udp) return g.udpTimeoutNs;
  if (state === FLOW.syn && g.secureTcp === DEFENSE.always) return g.synTimeoutNs;
  return g.tcpfinTimeoutNs;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** A client flow as its NAT reverse entry sees it: client address/port, protocol, VIP port. */
const clientSide = (addr: Uint8Array, port: number, proto: number, vport: number) => `${hex(addr)}|${port}|${proto}|${vport}`;

export function sweepFlows(maps: IpvxMaps, writer: MapWriter, now = process.hrtime.bigint()): SweepResult {
  const g = readGlobals(maps);
  const conns = new Map<number, { active: number; inactive: number }>();
  const liveClients = new Set<string>();
  // Generation per real id in use, in typed arrays: a Map (and an object per real below)
  // was most of a 200 ms sweep at 100,000 reals, every 2 s on the event loop.
  let maxId = -1;
  for (const [, ids] of writer.serviceIds()) for (const rs of ids.reals.values()) if (rs.id > maxId) maxId = rs.id;
  const genOf = new Float64Array(maxId + 1).fill(-1); // u32 generations; -1 = no real with this id
  for (const [, ids] of writer.serviceIds()) for (const rs of ids.reals.values()) genOf[rs.id] = rs.gen;
  const gen = (id: number) => (id <= maxId ? genOf[id]! : -1);
  let live = 0, expired = 0;
  // Deleted after the walk: deleting under get_next_key can restart it.
  const dead: [MapHandle, Uint8Array][] = [];
  // Flows and embryos (new flows waiting for their second packet under drop_entry).
  const tables = maps.embryos ? [maps.flows, maps.embryos] : [maps.flows];
  for (const table of tables) for (const k of table.keys()) {
    const vb = table.lookup(k);
    if (!vb) continue;
    const v = flowVal.decode(vb);
    // Expired, or its real is gone (the program would reschedule it): delete.
    if (now > v.atime + flowTimeoutNs(g, v.state) || gen(v.realId) !== v.realGen) {
      dead.push([table, k]);
      continue;
    }
    live++;
    const fk = flowKey.decode(k);
    liveClients.add(clientSide(fk.src, fk.sport, fk.proto, fk.dport));
    const c = conns.get(v.realId) ?? { active: 0, inactive: 0 };
    if (v.state === FLOW.est) c.active++; else c.inactive++;
    conns.set(v.realId, c);
  }
  for (const [table, k] of dead) if (table.delete(k)) expired++;
  // NAT reverse entries live as long as their client flow: one pass, no per-flow scan.
  for (const k of maps.nat_rev.keys()) {
    const rk = flowKey.decode(k);
    const v = maps.nat_rev.lookup(k);
    if (!v) continue;
    const rv = natRevVal.decode(v);
    if (liveClients.has(clientSide(rk.dst, rk.dport, rk.proto, rv.vport))) continue;
    // The program may have created the flow (and this entry) after the flows pass above:
    // look the client flow up again before deleting, or a new NAT connection loses its
    // replies until it times out.
    const client = flowKey.encode({ src: rk.dst, dst: rv.vip, sport: rk.dport, dport: rv.vport, proto: rk.proto, family: rk.family });
    if (!maps.flows.lookup(client) && !maps.embryos?.lookup(client)) maps.nat_rev.delete(k);
  }
  // Every real's count where the map holds another one, in a few batch calls: one update
  // per real was ~110,000 syscalls every sweep, and writing all of them (even batched)
  // made 200,000 small arrays every 2 s on an idle director.
  const m = maps.real_conns;
  const inMap = m.readArrayPrefix && m.elementSize && maxId >= 0 ? m.readArrayPrefix(maxId + 1) : undefined;
  const dv = inMap && new DataView(inMap.buffer, inMap.byteOffset, inMap.byteLength);
  const counts = new StagedWrites();
  for (let id = 0; id <= maxId; id++) {
    if (genOf[id]! < 0) continue;
    const c = conns.get(id);
    const active = c?.active ?? 0, inactive = c?.inactive ?? 0;
    const o = id * (m.elementSize ?? 0);
    if (dv && o + realConns.size <= dv.byteLength && dv.getUint32(o, true) === active && dv.getUint32(o + 4, true) === inactive) continue;
    counts.update(m, id, realConns.encode({ active, inactive }));
  }
  counts.flush();
  writer.updateOverload(conns);
  return { expired, live, conns };
}
