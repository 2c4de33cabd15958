// HA connection sync against the XDP maps: export this director's live flows and
// persistence entries in portable form (portable.ts), and install the peer's, mapped
// onto our own service and real ids. Only map I/O; what to send when is src/ha's.
import { ipFrom16 } from '../core/addr.js';
import { realId } from '../core/model.js';
import type { IpvxMaps, MapWriter } from './writer.js';
import {
  flowKey, flowVal, natRevVal, persistKey, persistVal, realInfo, svcKey, svcInfo, lbGlobals, METHOD,
} from './codec.js';
import { u32Key } from './layout.js';
import {
  portableFlowKey, portableFlowVal, portablePersistKey, portablePersistVal, PFLOW_F, PORTABLE_SIZES,
  ifnameBytes, ifnameText, ageField,
  type PortableEntry, type PortableChange, type InstallResult,
} from './portable.js';
import { flowTimeoutNs, monotonicNs, readGlobals } from './sweep.js';

/** An interface the program is attached to, with its MAC (NAT replies are sent from it). */
export interface AttachedIf { name: string; ifindex: number; mac?: Uint8Array }

interface RealRef { id: number; gen: number; addr: Uint8Array; port: number; method: number }
interface SvcRef { svcId: number; key: ReturnType<typeof svcKey.decode>; persistTimeoutS: number; reals: Map<string, RealRef> }

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const MS = 1_000_000n;

/** Our services and reals, indexed both ways. */
function index(maps: IpvxMaps, writer: MapWriter) {
  const bySvcKey = new Map<string, SvcRef>();
  const bySvcId = new Map<number, SvcRef>();
  const realById = new Map<number, RealRef>();
  for (const [, s] of writer.serviceIds()) {
    const key = svcKey.decode(s.key);
    const infoBytes = maps.services.lookup(s.key);
    const ref: SvcRef = { svcId: s.svcId, key, persistTimeoutS: infoBytes ? svcInfo.decode(infoBytes).persistTimeout : 0, reals: new Map() };
    for (const [rid, slot] of s.reals) {
      const written = writer.realWritten(slot.id);
      if (!written) continue;
      const r = realInfo.decode(written);
      const rr: RealRef = { id: slot.id, gen: slot.gen, addr: r.addr, port: r.port, method: r.method };
      ref.reals.set(rid, rr);
      realById.set(slot.id, rr);
    }
    bySvcKey.set(svcText(key.vip, key.port, key.proto, key.family), ref);
    bySvcId.set(s.svcId, ref);
  }
  return { bySvcKey, bySvcId, realById };
}

const svcText = (vip: Uint8Array, port: number, proto: number, family: number) => `${hex(vip)}|${port}|${proto}|${family}`;

/** Every element of a map; one batch call where the kernel offers it. */
function entries(m: IpvxMaps[keyof IpvxMaps]): [Uint8Array, Uint8Array][] {
  const batch = (m as { lookupBatch?: (chunk?: number) => { keys: Uint8Array[]; values: Uint8Array[] } }).lookupBatch;
  if (batch) {
    try {
      const r = batch.call(m, 4096);
      return r.keys.map((k, i) => [k, r.values[i]!]);
    } catch {
      // no batch operations on this map/kernel: element by element below
    }
  }
  const out: [Uint8Array, Uint8Array][] = [];
  for (const k of m.keys()) {
    const v = m.lookup(k);
    if (v) out.push([k, v]);
  }
  return out;
}

/** The reverse key of a NAT flow: the real's reply towards the client. */
function natRevKey(k: ReturnType<typeof flowKey.decode>, real: RealRef): Uint8Array {
  return flowKey.encode({
    src: real.addr, dst: k.src, sport: real.port || k.dport, dport: k.sport, proto: k.proto, family: k.family,
  });
}

export function exportFlows(maps: IpvxMaps, writer: MapWriter, attached: readonly AttachedIf[], now = monotonicNs()): PortableEntry[] {
  const g = readGlobals(maps);
  const { bySvcId, realById } = index(maps, writer);
  const nameOf = new Map(attached.map((a) => [a.ifindex, a.name]));
  const out: PortableEntry[] = [];
  for (const [kb, vb] of entries(maps.flows)) {
    const v = flowVal.decode(vb);
    const real = realById.get(v.realId);
    const svc = bySvcId.get(v.svcId);
    // Expired or its real gone: the program would not use it, the peer must not either.
    if (!real || !svc || real.gen !== v.realGen || now > v.atime + flowTimeoutNs(g, v.state)) continue;
    const k = flowKey.decode(kb);
    let flags = 0;
    let clientMac: Uint8Array = new Uint8Array(6);
    let ifname: Uint8Array = new Uint8Array(16);
    if (real.method === METHOD.nat) {
      const rv = maps.nat_rev.lookup(natRevKey(k, real));
      const name = rv ? nameOf.get(natRevVal.decode(rv).ifindex) : undefined;
      if (rv && name) {
        flags |= PFLOW_F.nat;
        clientMac = natRevVal.decode(rv).clientMac;
        ifname = ifnameBytes(name);
      }
    }
    out.push({
      kind: 'flow',
      key: portableFlowKey.encode(k),
      value: portableFlowVal.encode({
        real: real.addr, rport: real.port, svcPort: svc.key.port, state: v.state, flags,
        ageMs: ageField(now > v.atime ? (now - v.atime) / MS : 0n), clientMac, ifname,
      }),
    });
  }
  for (const [kb, vb] of entries(maps.persist)) {
    const k = persistKey.decode(kb);
    const v = persistVal.decode(vb);
    const svc = bySvcId.get(k.svcId);
    const real = realById.get(v.realId);
    if (!svc || !real || real.gen !== v.realGen) continue;
    if (now > v.atime + BigInt(svc.persistTimeoutS) * 1_000_000_000n) continue;
    out.push({
      kind: 'persist',
      key: portablePersistKey.encode({ vip: svc.key.vip, svcPort: svc.key.port, proto: svc.key.proto, family: svc.key.family, client: k.client }),
      value: portablePersistVal.encode({ real: real.addr, rport: real.port, ageMs: ageField(now > v.atime ? (now - v.atime) / MS : 0n) }),
    });
  }
  return out;
}

export function installFlows(
  maps: IpvxMaps, writer: MapWriter, attached: readonly AttachedIf[], changes: readonly PortableChange[], now = monotonicNs(),
): InstallResult {
  const { bySvcKey } = index(maps, writer);
  const byName = new Map(attached.map((a) => [a.name, a]));
  const r: InstallResult = { installed: 0, removed: 0, skipped: 0 };
  const realOf = (svc: SvcRef | undefined, addr: Uint8Array, port: number) =>
    svc?.reals.get(realId({ address: ipFrom16(addr, svc.key.family as 4 | 6).text, port }));
  for (const c of changes) {
    const size = PORTABLE_SIZES[c.kind];
    if (!size || c.key.length !== size.key || (c.op === 'upsert' && c.value?.length !== size.value)) {
      r.skipped++;
      continue;
    }
    if (c.kind === 'flow') {
      const k = portableFlowKey.decode(c.key);
      if (c.op === 'delete') {
        // Its NAT reverse entry goes with the next sweep (it drops reverse entries without a flow).
        if (maps.flows.delete(c.key)) r.removed++;
        continue;
      }
      const v = portableFlowVal.decode(c.value!);
      const svc = bySvcKey.get(svcText(k.dst, v.svcPort, k.proto, k.family));
      const real = realOf(svc, v.real, v.rport);
      if (!svc || !real) { r.skipped++; continue; }
      maps.flows.update(c.key, flowVal.encode({
        realId: real.id, realGen: real.gen, atime: now - BigInt(v.ageMs) * MS, svcId: svc.svcId, state: v.state,
      }));
      if (real.method === METHOD.nat && v.flags & PFLOW_F.nat) {
        const dev = byName.get(ifnameText(v.ifname));
        if (dev?.mac) {
          maps.nat_rev.update(natRevKey(k, real), natRevVal.encode({
            vip: k.dst, vport: k.dport, svcId: svc.svcId, realId: real.id, ifindex: dev.ifindex, clientMac: v.clientMac, ourMac: dev.mac,
          }));
        }
      }
      r.installed++;
    } else {
      const k = portablePersistKey.decode(c.key);
      const svc = bySvcKey.get(svcText(k.vip, k.svcPort, k.proto, k.family));
      if (!svc) { r.skipped++; continue; }
      const key = persistKey.encode({ svcId: svc.svcId, family: k.family, client: k.client });
      if (c.op === 'delete') {
        if (maps.persist.delete(key)) r.removed++;
        continue;
      }
      const v = portablePersistVal.decode(c.value!);
      const real = realOf(svc, v.real, v.rport);
      if (!real) { r.skipped++; continue; }
      maps.persist.update(key, persistVal.encode({ realId: real.id, realGen: real.gen, atime: now - BigInt(v.ageMs) * MS }));
      r.installed++;
    }
  }
  return r;
}

/**
 * Live persistence entries per real, keyed `serviceId#realId`, as IPVS's dest->persistconns
 * counts the templates pointing at a destination (ipvsadm -L --persistent-conn). Expired
 * entries and entries of a real since replaced (another generation) do not count.
 */
export function countPersistConns(maps: IpvxMaps, writer: MapWriter, now = monotonicNs()): Map<string, number> {
  const services = new Map<number, { sid: string; timeoutNs: bigint; reals: Map<number, { rid: string; gen: number }> }>();
  for (const [sid, s] of writer.serviceIds()) {
    const infoBytes = maps.services.lookup(s.key);
    const timeoutNs = BigInt(infoBytes ? svcInfo.decode(infoBytes).persistTimeout : 0) * 1_000_000_000n;
    if (!timeoutNs) continue;
    services.set(s.svcId, { sid, timeoutNs, reals: new Map([...s.reals].map(([rid, slot]) => [slot.id, { rid, gen: slot.gen }])) });
  }
  const out = new Map<string, number>();
  if (!services.size) return out;
  for (const [kb, vb] of entries(maps.persist)) {
    const k = persistKey.decode(kb);
    const v = persistVal.decode(vb);
    const svc = services.get(k.svcId);
    const real = svc?.reals.get(v.realId);
    if (!svc || !real || real.gen !== v.realGen || now > v.atime + svc.timeoutNs) continue;
    const key = `${svc.sid}#${real.rid}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
