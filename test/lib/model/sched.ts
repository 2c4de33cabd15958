// Which real a new flow gets, from the service's tables and the connection counts, as
// the schedulers are specified: rr/wrr walk the control plane's sequence with one cursor
// per service (ip_vs_rr.c, ip_vs_wrr.c: an overloaded real is skipped); sh/mh index the
// table with the client's hash (src/core/sched/hash.ts clientBucket; ip_vs_sh.c, with the
// fallback flag the next usable real); lc/wlc/sed/nq compare IPVS's overheads over the
// service's reals in order (beyond 16 reals over 4 candidates drawn from the flow's hash,
// docs/schedulers.md), the first best winning (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c,
// ip_vs_nq.c: nq takes the first idle real).
import { clientBucket, flowDrawHash, fmix32 } from '../../../src/core/sched/hash.js';
import { SCHED_KIND, SVC_F, REAL_F } from '../../../src/dataplane/codec.js';
import { NO_REAL, type SvcM, type World } from './world.js';

/** At most this many reals are looked at per new flow (the program's bounded scans). */
export const MAX_SCAN = 64;
/** lc/wlc/sed/nq: an exact scan up to this many reals, else this many sampled candidates. */
const LEAST_EXACT = 16, LEAST_CHOICES = 4;

export function usable(w: World, id: number): boolean {
  const r = w.real(id);
  return !!r && (r.flags & REAL_F.live) !== 0 && r.weight > 0 && (r.flags & REAL_F.overload) === 0;
}

/** The real a new flow of `client`:`sport` to `dst`:`dport` gets, or NO_REAL; moves the rr cursor as the program does. */
export function pickReal(w: World, svc: SvcM, client: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
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
      return svc.realsLen <= LEAST_EXACT ? leastLoaded(w, svc, range(svc.realsLen))
        : sampledLeast(w, svc, flowDrawHash(client, dst, sport, dport));
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * More reals than IPVS's exact scan is kept for: LEAST_CHOICES candidates drawn from the
 * flow's hash (even ones by weight through the alias table at the service's table,
 * pairs of threshold and alias; odd ones uniformly), compared by the same rule; when
 * none is usable, every real (docs/schedulers.md).
 */
function sampledLeast(w: World, svc: SvcM, h: number): number {
  const n = svc.realsLen;
  if (svc.tableLen) {
    const candidates: number[] = [];
    for (let c = 0; c < LEAST_CHOICES; c++) {
      const x = fmix32((h + Math.imul(c + 1, 0x9e3779b9)) >>> 0);
      const i = Number((BigInt(x) * BigInt(n)) >> 32n);
      candidates.push(c & 1 || fmix32((x ^ 0x5bd1e995) >>> 0) < w.slot(svc.tableOff + 2 * i) ? i : w.slot(svc.tableOff + 2 * i + 1));
    }
    const best = leastLoaded(w, svc, candidates.filter((i) => i < n));
    if (best !== NO_REAL) return best;
  }
  return leastLoaded(w, svc, range(n));
}

/** IPVS's rule over the reals at these positions of the service's list, in order: the first least loaded. */
function leastLoaded(w: World, svc: SvcM, positions: number[]): number {
  let best = NO_REAL, bestLoad = 0, bestWeight = 1;
  for (const i of positions) {
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
