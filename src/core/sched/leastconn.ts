// lc / wlc / sed / nq as IPVS computes them. The data plane scans the reals
// itself (bpf/include/sched.h pick_least); this is the reference it is tested
// against, and the rule in one place.

export type LeastConnKind = 'lc' | 'wlc' | 'sed' | 'nq';

export interface ConnReal {
  weight: number;
  active: number;
  inactive: number;
  /** -x: 0 or absent = no limit. */
  upperThreshold?: number;
  /** IP_VS_DEST_F_OVERLOAD as last left by overloadAfterBind/overloadAfterUnbind. */
  overloaded?: boolean;
}

/** ip_vs_dest_conn_overhead(): an active connection costs 256 inactive ones. */
export function connOverhead(r: Pick<ConnReal, 'active' | 'inactive'>): number {
  return r.active * 256 + r.inactive;
}

/** Overloaded: flagged, or at/over its upper threshold (what binding one more connection would flag). */
export function isOverloaded(r: ConnReal): boolean {
  const upper = r.upperThreshold ?? 0;
  return r.overloaded === true || (upper > 0 && r.active + r.inactive >= upper);
}

/**
 * IPVS ip_vs_bind_dest(): after a connection is bound, the real is flagged
 * overloaded when upper != 0 and active + inactive >= upper.
 */
export function overloadAfterBind(overloaded: boolean, total: number, upper: number): boolean {
  return overloaded || (upper !== 0 && total >= upper);
}

/**
 * IPVS ip_vs_unbind_dest(): after a connection goes, the flag clears when
 * total < lower if a lower threshold is set, else when total * 4 < upper * 3
 * (below 3/4 of upper) if an upper one is set, else always.
 */
export function overloadAfterUnbind(overloaded: boolean, total: number, upper: number, lower: number): boolean {
  if (lower !== 0) return overloaded && !(total < lower);
  if (upper !== 0) return overloaded && !(total * 4 < upper * 3);
  return false;
}

// Cross-multiplied comparison a/wa > b/wb, exact for any counter size (IPVS uses __s64).
const gt = (a: number, wb: number, b: number, wa: number) => BigInt(a) * BigInt(wb) > BigInt(b) * BigInt(wa);

/**
 * The real IPVS picks for a new connection, or -1 when none can take it.
 * Reals with weight 0 (quiesced) or overloaded never win. Ties go to the first.
 * - lc (ip_vs_lc_schedule): lowest overhead.
 * - wlc (ip_vs_wlc_schedule): lowest overhead / weight: the first usable real
 *   starts as least, a later one replaces it when loh * w > doh * w_least.
 * - sed (ip_vs_sed_schedule): as wlc with overhead = active + 1.
 * - nq (ip_vs_nq_schedule): the first usable real with no active connection,
 *   else as sed.
 */
export function leastConnPick(kind: LeastConnKind, reals: readonly ConnReal[]): number {
  let least = -1;
  let loh = 0;
  for (let i = 0; i < reals.length; i++) {
    const r = reals[i]!;
    if (r.weight <= 0 || isOverloaded(r)) continue;
    if (kind === 'nq' && r.active === 0) return i;
    const doh = kind === 'lc' || kind === 'wlc' ? connOverhead(r) : r.active + 1;
    const better =
      least < 0 ||
      (kind === 'lc' ? doh < loh : gt(loh, r.weight, doh, reals[least]!.weight));
    if (better) {
      least = i;
      loh = doh;
    }
  }
  return least;
}
