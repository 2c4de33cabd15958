// lc / wlc / sed / nq as IPVS computes them, and as the data plane applies them
// (bpf/include/sched.h pick_least): an exact scan of the reals for services of up
// to LEAST_EXACT_MAX reals, the same rule over LEAST_CHOICES sampled candidates for
// larger ones. This is the reference the program is tested against.
import { aliasTable, type AliasTable } from './alias.js';
import { fastRange, fmix32 } from './hash.js';

/** bpf/include/consts.h IPVX_LEAST_EXACT: services with more reals are sampled. */
export const LEAST_EXACT_MAX = 16;
/** bpf/include/consts.h IPVX_LEAST_CHOICES: candidates compared per new flow when sampling. */
export const LEAST_CHOICES = 4;

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

// Cross-multiplied comparison a/wa > b/wb, exact for any counter size (IPVS uses __s64):
// in doubles while both products are exact, else in BigInt.
const gt = (a: number, wb: number, b: number, wa: number) => {
  const x = a * wb, y = b * wa;
  if (x <= Number.MAX_SAFE_INTEGER && y <= Number.MAX_SAFE_INTEGER) return x > y;
  return BigInt(a) * BigInt(wb) > BigInt(b) * BigInt(wa);
};

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

/**
 * The selection table the data plane samples from (sched_slots at table_off): per
 * real, the alias table's threshold and alias index. lc draws every usable real
 * alike (its rule ignores weight), wlc/sed/nq in proportion to weight.
 */
export function leastConnTable(kind: LeastConnKind, weights: readonly number[]): number[] {
  const t = aliasTable(kind === 'lc' ? weights.map((w) => (w > 0 ? 1 : 0)) : weights);
  const out: number[] = [];
  for (let i = 0; i < t.threshold.length; i++) out.push(t.threshold[i]!, t.alias[i]!);
  return out;
}

/** Index of candidate `c` of `n` reals for flow hash `h` (sched.h least_candidate). */
export function leastCandidate(table: AliasTable, h: number, c: number, n: number): number {
  const x = fmix32((h + Math.imul(c + 1, 0x9e3779b9)) >>> 0);
  const i = fastRange(x, n);
  if (c & 1) return i; // uniform
  return fmix32((x ^ 0x5bd1e995) >>> 0) < table.threshold[i]! ? i : table.alias[i]!;
}

/**
 * The real the data plane picks for a new flow with draw hash `h` (hash.ts
 * flowDrawHash), or -1. Up to LEAST_EXACT_MAX reals: leastConnPick. Beyond:
 * LEAST_CHOICES candidates (even ones weighted, odd ones uniform) compared with
 * IPVS's rule, the first drawn winning ties; nq takes the first idle candidate.
 * Without a usable candidate, the exact pick over every real.
 */
export function sampledLeastConnPick(kind: LeastConnKind, reals: readonly ConnReal[], h: number, table?: AliasTable): number {
  const n = reals.length;
  if (n <= LEAST_EXACT_MAX) return leastConnPick(kind, reals);
  const t = table ?? aliasTable(kind === 'lc' ? reals.map((r) => (r.weight > 0 ? 1 : 0)) : reals.map((r) => r.weight));
  if (t.threshold.length) {
    const candidates: number[] = [];
    for (let c = 0; c < LEAST_CHOICES; c++) candidates.push(leastCandidate(t, h, c, n));
    const pick = leastConnPick(kind, candidates.map((i) => reals[i]!));
    if (pick >= 0) return candidates[pick]!;
  }
  return leastConnPick(kind, reals);
}
