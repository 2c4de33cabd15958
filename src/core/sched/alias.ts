// Walker's alias table (Vose's construction), so the data plane can draw a real in
// proportion to its weight with two slot reads and one comparison, whatever the
// number of reals. Entry i holds a threshold (a 32-bit fraction) and an alias: a
// uniform draw of i and a 32-bit value v picks i when v < threshold[i], else alias[i].
// Integer arithmetic throughout, so every director builds the same table.
import { assertWeights } from './weights.js';

export interface AliasTable {
  threshold: number[];
  alias: number[];
}

const TWO32 = 1n << 32n;

/** The alias table of `weights` (weight 0 is never drawn); empty when no weight is positive. */
export function aliasTable(weights: readonly number[]): AliasTable {
  assertWeights(weights);
  const n = weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  if (n === 0 || sum === 0) return { threshold: [], alias: [] };
  // Each entry is a bucket of capacity `sum`; entry i starts with weight * n of it.
  const v = weights.map((w) => BigInt(w) * BigInt(n));
  const cap = BigInt(sum);
  const threshold = new Array<number>(n).fill(0);
  const alias = weights.map((_, i) => i);
  const small: number[] = [], large: number[] = [];
  for (let i = n - 1; i >= 0; i--) (v[i]! < cap ? small : large).push(i);
  while (small.length && large.length) {
    const s = small.pop()!, l = large.pop()!;
    threshold[s] = Number((v[s]! * TWO32) / cap);
    alias[s] = l;
    v[l] = v[l]! - (cap - v[s]!);
    (v[l]! < cap ? small : large).push(l);
  }
  // What is left is full (up to rounding): always itself.
  for (const i of [...small, ...large]) { threshold[i] = 0xffffffff; alias[i] = i; }
  return { threshold, alias };
}

/** The probability the table gives entry `i` (tests: it must equal weight / sum). */
export function aliasShare(t: AliasTable, i: number): number {
  const n = t.threshold.length;
  let p = 0;
  for (let j = 0; j < n; j++) {
    const own = t.threshold[j]! === 0xffffffff && t.alias[j] === j ? 1 : t.threshold[j]! / 2 ** 32;
    if (j === i) p += own;
    if (t.alias[j] === i && t.alias[j] !== j) p += 1 - own;
  }
  return p / n;
}
