// Weight arithmetic shared by the table builders (IPVS: gcd() over weights > 0).

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** gcd of the positive weights; 0 when none is positive (IPVS ip_vs_wrr_gcd_weight / ip_vs_mh_gcd_weight). */
export function gcdOfPositive(weights: readonly number[]): number {
  let g = 0;
  for (const w of weights) if (w > 0) g = g > 0 ? gcd(w, g) : w;
  return g;
}

export function assertWeights(weights: readonly number[]): void {
  for (const w of weights) {
    if (!Number.isInteger(w) || w < 0) throw new RangeError(`weight ${w} is not a non-negative integer`);
  }
}
