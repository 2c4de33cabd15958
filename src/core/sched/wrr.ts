// rr and wrr as sequences of real indices: the data plane walks one with a
// cursor (slot = cursor++ % length), which reproduces IPVS's choice order.
import { assertWeights, gcdOfPositive } from './weights.js';

/** Default bound on a wrr period (slots in the table). */
export const DEFAULT_SEQUENCE_LIMIT = 65536;

/**
 * IPVS rr (ip_vs_rr_schedule): every real with weight > 0 once, in list order,
 * starting at the first (a fresh service's cursor is the list head).
 * Weight 0 is a quiesced real and is skipped.
 */
export function rrSequence(weights: readonly number[]): number[] {
  assertWeights(weights);
  const out: number[] = [];
  weights.forEach((w, i) => { if (w > 0) out.push(i); });
  return out;
}

/**
 * Weights whose wrr period (sum / gcd) fits in `limit` slots. Unchanged when it
 * already fits; otherwise each positive weight becomes
 * max(1, floor(w * (limit - n) / sum)) with n = number of positive weights,
 * so the new sum is at most limit (each floor loses < 1, the max adds <= 1).
 * Proportions are kept to within one slot per real; no real drops to 0.
 * If n >= limit every positive weight becomes 1 (the period is then n).
 */
export function boundWeights(weights: readonly number[], limit = DEFAULT_SEQUENCE_LIMIT): number[] {
  assertWeights(weights);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit ${limit} is not a positive integer`);
  const g = gcdOfPositive(weights);
  const sum = weights.reduce((s, w) => s + w, 0);
  if (g === 0 || sum / g <= limit) return [...weights];
  const n = weights.filter((w) => w > 0).length;
  if (n >= limit) return weights.map((w) => (w > 0 ? 1 : 0));
  return weights.map((w) => (w > 0 ? Math.max(1, Math.floor((w * (limit - n)) / sum)) : 0));
}

/**
 * One full period of IPVS wrr (ip_vs_wrr_schedule) from a fresh service:
 * di = gcd of the weights, mw = max - (di - 1), cw starts at mw; each call
 * continues the list walk after the last pick and takes the next real with
 * weight >= cw; at the end of the list cw -= di (back to mw when <= 0) and the
 * walk restarts at the head. The period is sum / di picks, after which the
 * state equals the fresh one, so the sequence repeats exactly.
 * Weights are first bounded with boundWeights(weights, limit).
 * IPVS's stop/last_pass bookkeeping only matters for overloaded dests, which a
 * precomputed table does not know about (the data plane skips those).
 */
export function wrrSequence(weights: readonly number[], limit = DEFAULT_SEQUENCE_LIMIT): number[] {
  const w = boundWeights(weights, limit);
  const di = gcdOfPositive(w);
  if (di === 0) return [];
  const max = Math.max(...w);
  const mw = max - (di - 1);
  const period = w.reduce((s, x) => s + x, 0) / di;
  const out: number[] = [];
  let cl = -1; // -1 = the list head
  let cw = mw;
  while (out.length < period) {
    let found = -1;
    for (let d = cl + 1; d < w.length; d++) {
      if (w[d]! >= cw) { found = d; break; }
    }
    if (found >= 0) {
      out.push(found);
      cl = found;
      continue;
    }
    cw -= di;
    if (cw <= 0) cw = mw;
    cl = -1;
  }
  return out;
}
