// IPVS sh (source hashing): a table of buckets, each holding a real; the client's
// bucket comes from shBucket() in hash.ts.
import { assertWeights } from './weights.js';

/** IPVS IP_VS_SH_TAB_SIZE with the default CONFIG_IP_VS_SH_TAB_BITS = 8. */
export const SH_TABLE_SIZE = 256;

/**
 * ip_vs_sh_reassign(): walk the buckets in order, giving each real `weight`
 * consecutive buckets before moving to the next, wrapping to the first real at
 * the end of the list until every bucket is taken. So the table is the pattern
 * (real 0 x w0, real 1 x w1, ...) repeated and cut at `size`; a real whose
 * weights add past `size` starves the ones after it, as in IPVS.
 * Reals with weight 0 get no bucket (IPVS gives them one, whose clients then
 * find no server; see docs/schedulers.md). No positive weight: every bucket -1.
 */
export function shTable(weights: readonly number[], size = SH_TABLE_SIZE): number[] {
  assertWeights(weights);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`table size ${size}`);
  const live = weights.flatMap((w, i) => (w > 0 ? [i] : []));
  const out = new Array<number>(size).fill(-1);
  if (live.length === 0) return out;
  let p = 0;
  let count = 0;
  for (let b = 0; b < size; b++) {
    const real = live[p]!;
    out[b] = real;
    // Don't move to the next real until it has `weight` buckets.
    if (++count >= weights[real]!) {
      p = (p + 1) % live.length;
      count = 0;
    }
  }
  return out;
}
