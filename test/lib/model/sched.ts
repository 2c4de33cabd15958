// Which real a new flow gets, from the service's tables and the connection counts, as
// the schedulers are specified: rr/wrr walk the control plane's sequence with one cursor
// per service (ip_vs_rr.c, ip_vs_wrr.c: an overloaded real is skipped); sh/mh index the
// table with the client's hash (src/core/sched/hash.ts clientBucket; ip_vs_sh.c, with the
// fallback flag the next usable real); lc/wlc/sed/nq compare IPVS's overheads over the
// service's reals in order, the first best winning (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c,
// ip_vs_nq.c: nq takes the first idle real).
import { clientBucket } from '../../../src/core/sched/hash.js';
import { SCHED_KIND, SVC_F, REAL_F } from '../../../src/dataplane/codec.js';
import { NO_REAL, type SvcM, type World } from './world.js';

/** At most this many reals are looked at per new flow (the program's bounded scans). */
export const MAX_SCAN = 64;

export function usable(w: World, id: number): boolean {
  const r = w.real(id);
  return !!r && (r.flags & REAL_F.live) !== 0 && r.weight > 0 && (r.flags & REAL_F.overload) === 0;
}

/** The real a new flow of `client`:`sport` gets, or NO_REAL; moves the rr cursor as the program does. */
export function pickReal(w: World, svc: SvcM, client: Uint8Array, sport: number): number {
  switch (svc.sched) {
    case SCHED_KIND.seq: {
      if (!svc.tableLen) return NO_REAL;
      const cur = w.cursor(svc.id);
      w.setCursor(svc.id, cur + 1);
      let pos = cur % svc.tableLen;
      for (let i = 0; i < Math.min(MAX_SCAN, svc.tableLen); i++) {
        const id = w.slot(svc.tableOff + pos);
        if (usable(w, id)) return id;
        pos = (pos + 1) % svc.tableLen;
      }
      return NO_REAL;
    }
    case SCHED_KIND.hash: {
      if (!svc.tableLen) return NO_REAL;
      let idx = clientBucket(client, sport, (svc.flags & SVC_F.hashPort) !== 0, svc.tableLen);
      const first = w.slot(svc.tableOff + idx);
      if (!(svc.flags & SVC_F.fallback)) return first;
      for (let i = 0; i < Math.min(MAX_SCAN, svc.tableLen); i++) {
        const id = w.slot(svc.tableOff + idx);
        if (usable(w, id)) return id;
        idx = (idx + 1) % svc.tableLen;
      }
      return NO_REAL;
    }
    default:
      return leastLoaded(w, svc);
  }
}

function leastLoaded(w: World, svc: SvcM): number {
  let best = NO_REAL, bestLoad = 0, bestWeight = 1;
  for (let i = 0; i < Math.min(MAX_SCAN, svc.realsLen); i++) {
    const id = w.slot(svc.realsOff + i);
    if (!usable(w, id)) continue;
    const c = w.conn(id), r = w.real(id)!;
    let load: number, weight = r.weight;
    switch (svc.sched) {
      case SCHED_KIND.lc: load = c.active * 256 + c.inactive; weight = 1; break;
      case SCHED_KIND.wlc: load = c.active * 256 + c.inactive; break;
      case SCHED_KIND.nq:
        if (c.active === 0) return id;
        load = c.active + 1; break;
      default: load = c.active + 1; break; // sed
    }
    if (best === NO_REAL || BigInt(load) * BigInt(bestWeight) < BigInt(bestLoad) * BigInt(weight)) {
      best = id; bestLoad = load; bestWeight = weight;
    }
  }
  return best;
}
