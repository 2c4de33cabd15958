// IPVS mh (Maglev hashing, ip_vs_mh.c): each real walks its own permutation of
// the table's slots and claims the first free one, in turns, until the table is
// full. Removing a real moves little more than that real's own slots.
import { keyHash } from './hash.js';
import { assertWeights, gcdOfPositive } from './weights.js';

/** The table sizes IPVS offers (ip_vs_mh.c primes[]). */
export const MH_PRIMES: readonly number[] = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];
/** IPVS default: CONFIG_IP_VS_MH_TAB_INDEX = 12 -> primes[12 - 8]. */
export const MH_DEFAULT_TABLE_SIZE = 4093;
/** Seeds of keyHash() for a real's offset and skip (two independent hashes, as Maglev wants). */
export const MH_OFFSET_SEED = 0;
export const MH_SKIP_SEED = 0x9e3779b9;
/** Largest table: clientBucket() keeps h * size exact below 2^53. */
export const MH_MAX_TABLE_SIZE = 1 << 21;

export interface MaglevReal {
  /** Stable identity of the real, e.g. "192.0.2.10|80"; only its text matters. */
  key: string;
  weight: number;
}

export interface MaglevSetup {
  offset: number;
  skip: number;
  /** Consecutive slots claimed per round; < 1 = not in the table. */
  turns: number;
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** offset in [0, size), skip in [1, size): the real's permutation is offset + j * skip mod size. */
export function maglevOffsetSkip(key: string, size: number): { offset: number; skip: number } {
  return {
    offset: keyHash(key, MH_OFFSET_SEED) % size,
    skip: (keyHash(key, MH_SKIP_SEED) % (size - 1)) + 1,
  };
}

/** The real's full preference list (for documentation and tests; populate walks it lazily). */
export function maglevPreferences(offset: number, skip: number, size: number): number[] {
  return Array.from({ length: size }, (_, j) => (offset + j * skip) % size);
}

/** IPVS_MH_TAB_BITS for a table size: CONFIG_IP_VS_MH_TAB_INDEX / 2, the index being ceil(log2(size)). */
function tabBits(size: number): number {
  let index = 0;
  while (2 ** index < size) index++;
  return Math.floor(index / 2);
}

const fls = (x: number) => (x <= 0 ? 0 : 32 - Math.clz32(x));

/**
 * Turns per real as ip_vs_mh_permutate(): ((w / gcd) >> rshift) or 1 if that is
 * 0 and w > 0, with rshift = max(0, fls(max / gcd) - tabBits(size)) from
 * ip_vs_mh_shift_weight(). Beyond IPVS: while the turns add up to more than the
 * table (one round would not fit and the last reals would get no slot), rshift
 * grows by one.
 */
export function maglevTurns(weights: readonly number[], size: number): number[] {
  assertWeights(weights);
  const g = gcdOfPositive(weights);
  if (g === 0) return weights.map(() => 0);
  const mw = Math.max(...weights) / g;
  let rshift = Math.max(0, fls(mw) - tabBits(size));
  for (;;) {
    const turns = weights.map((w) => (w > 0 ? Math.floor(w / g / 2 ** rshift) || 1 : 0));
    if (turns.reduce((s, t) => s + t, 0) <= size) return turns;
    rshift++;
  }
}

/**
 * ip_vs_mh_populate(): round after round, each real in list order claims
 * `turns` slots, each the next free slot of its permutation; stops when all
 * `size` slots are taken. Result: index of the real per slot; -1 everywhere if
 * no real has turns >= 1.
 */
export function maglevPopulate(setups: readonly MaglevSetup[], size: number): number[] {
  const table = new Array<number>(size).fill(-1);
  const live = setups.flatMap((s, i) => (s.turns >= 1 ? [i] : []));
  if (live.length === 0) return table;
  const perm = setups.map((s) => s.offset);
  let n = 0;
  for (;;) {
    for (const i of live) {
      const { skip, turns } = setups[i]!;
      for (let t = 0; t < turns; t++) {
        let c = perm[i]!;
        while (table[c] !== -1) {
          c += skip;
          if (c >= size) c -= size;
        }
        perm[i] = c;
        table[c] = i;
        if (++n === size) return table;
      }
    }
  }
}

/**
 * The mh table: slot -> index into `reals`. Depends only on the reals' keys and weights,
 * not on their order.
 * `size` must be prime (IPVS uses MH_PRIMES; any prime up to MH_MAX_TABLE_SIZE
 * works) and at least the number of reals with weight > 0. Weight 0 = no slot.
 */
export function maglevTable(reals: readonly MaglevReal[], size = MH_DEFAULT_TABLE_SIZE): number[] {
  if (!isPrime(size) || size > MH_MAX_TABLE_SIZE) throw new RangeError(`mh table size ${size} is not a prime <= ${MH_MAX_TABLE_SIZE}`);
  const live = reals.filter((r) => r.weight > 0).length;
  if (live > size) throw new RangeError(`${live} reals do not fit in an mh table of ${size} slots`);
  // Reals claim slots in the order of their keys, not in configuration order: directors
  // given the same reals in any order build the same table (scale-out behind ECMP keeps a
  // flow on its real whichever director sees it). IPVS uses its list order here.
  const order = reals.map((_, i) => i).sort((a, b) => compareKeys(reals[a]!.key, reals[b]!.key));
  const turns = maglevTurns(reals.map((r) => r.weight), size);
  const setups = order.map((i) => ({ ...maglevOffsetSkip(reals[i]!.key, size), turns: turns[i]! }));
  return maglevPopulate(setups, size).map((k) => (k < 0 ? -1 : order[k]!));
}

/** Code-unit order of the keys (not locale-dependent). Keys are unique within a service. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
