// What a writer left in (fake) maps, without ids: per service its entry and its tables
// as real addresses, the live reals and the VIPs. Two writers that end in the same
// logical view forward alike, whatever ids they handed out.
import assert from 'node:assert/strict';
import { svcInfo, svcKey, realInfo, REAL_F, SCHED_KIND } from '../../src/dataplane/codec.js';
import { u32Key, readU32 } from '../../src/dataplane/layout.js';
import type { DesiredState } from '../../src/core/model.js';
import { ip, ipTo16, ipFrom16 } from '../../src/core/addr.js';
import { MapWriter } from '../../src/dataplane/writer.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { fakeMaps } from './fake-maps.js';
import { LIMITS } from './random-state.js';

/** What the data plane sees, without ids: per service, its entry and its tables as real addresses. */
export function logicalView(maps: ReturnType<typeof fakeMaps>, st: DesiredState): unknown {
  const real = (id: number) => {
    const r = realInfo.decode(maps.reals.lookup(u32Key(id))!);
    assert.ok(r.flags & REAL_F.live, `real id ${id} in a table is live`);
    return `${ipFrom16(r.addr, r.family as 4 | 6).text}|${r.port}|w${r.weight}|f${r.flags}|m${r.method}|if${r.ifindex}|${Buffer.from(r.dmac).toString('hex')}`;
  };
  const services = st.services.map((s) => {
    const v = ip(s.vip);
    const e = maps.services.lookup(svcKey.encode({ vip: ipTo16(v), port: s.port, proto: s.protocol === 'tcp' ? 6 : 17, family: v.family }));
    assert.ok(e, `service ${s.vip}:${s.port} is in the map`);
    const info = svcInfo.decode(e);
    const slots = (off: number, len: number) => Array.from({ length: len }, (_, i) => readU32(maps.sched_slots.lookup(u32Key(off + i))!));
    return {
      sched: info.sched, flags: info.flags, persist: info.persistTimeout, mask: Buffer.from(info.persistMask).toString('hex'),
      // lc/wlc/sed/nq tables hold thresholds and list indices (an alias table), not real ids.
      table: info.sched >= SCHED_KIND.lc ? slots(info.tableOff, info.tableLen) : slots(info.tableOff, info.tableLen).map(real),
      list: slots(info.realsOff, info.realsLen).map(real),
    };
  });
  const live = [...maps.reals.entries.values()].filter((v) => realInfo.decode(v[0]!).flags & REAL_F.live).length;
  const vips = [...maps.vips.entries.keys()].sort();
  return { services, serviceEntries: maps.services.entries.size, live, vips };
}


/** One next hop for every real (tests where neighbours do not matter). */
export const HOP: NextHop = { ifindex: 7, ifname: 'eth0', smac: Uint8Array.from([2, 0, 0, 0, 0, 1]), dmac: Uint8Array.from([2, 0, 0, 0, 0, 2]), mtu: 1500 };

export type HopOf = (a: { text: string }) => NextHop | undefined;

/** Fake maps as a fresh writer writes them for `st`. */
export function freshMaps(st: DesiredState, hopOf: HopOf = () => HOP): ReturnType<typeof fakeMaps> {
  const fresh = fakeMaps(LIMITS);
  new MapWriter(fresh, 2).apply(st, hopOf);
  return fresh;
}

/** The maps hold what a fresh writer writes for `st`. */
export function assertAsFresh(maps: ReturnType<typeof fakeMaps>, st: DesiredState, hopOf: HopOf = () => HOP, message?: string): void {
  const fresh = freshMaps(st, hopOf);
  assert.deepEqual(logicalView(maps, st), logicalView(fresh, st), message);
}
