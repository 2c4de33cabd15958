// Writes the compiled firewall-mark rules (core/marks.ts) into mark_prefixes (LPM trie)
// and mark_ranges (bpf/include/fwmark.h). mark_ranges has two halves: a new rule set is
// written into the half no prefix points to, then each prefix entry is switched with
// one update (every entry's ranges are complete on their own, so a packet sees either
// the old or the new rules for its destination, never a mix), then gone prefixes go.
// The addresses of narrow prefixes (at most FILTER_PREFIX_ADDRS of them: a rule for one
// VIP is a /32) also go into the VIP address filter (filter.ts), so their packets go on
// as a VIP's do; only when some prefix is wider does the program probe the rules for the
// destinations the filter does not know (GLOBAL_F.markProbe).
import type { MarkRule } from '../core/model.js';
import { compileMarks, type CompiledPrefix } from '../core/marks.js';
import { markKey, markVal, markRange, IPPROTO } from './codec.js';
import { u32Key } from './layout.js';
import type { MapHandle } from './writer.js';

export interface MarkMaps { mark_prefixes: MapHandle; mark_ranges: MapHandle }

/** Prefixes of at most this many addresses put each address into the VIP filter. */
export const FILTER_PREFIX_ADDRS = 16;

/** Every address of a prefix (16 bytes, IPv4 in the first 4) if it has at most FILTER_PREFIX_ADDRS, else none. */
export function narrowPrefixAddrs(family: number, addr: Uint8Array, bits: number): Uint8Array[] {
  const width = (family === 4 ? 32 : 128) - bits;
  if (width < 0 || 2 ** width > FILTER_PREFIX_ADDRS) return [];
  const len = family === 4 ? 4 : 16;
  const out: Uint8Array[] = [];
  for (let i = 0; i < 2 ** width; i++) {
    const a = new Uint8Array(16);
    a.set(addr.subarray(0, len));
    a[len - 1] = a[len - 1]! | i; // width <= 4: only the last byte's low bits vary
    out.push(a);
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function keyOf(c: CompiledPrefix): Uint8Array {
  const addr = new Uint8Array(16);
  addr.set(c.addr);
  return markKey.encode({ prefixlen: 32 + c.bits, family: c.family, proto: IPPROTO[c.protocol], addr });
}

export class MarkWriter {
  /** The half of mark_ranges the written prefixes point into (0 or 1); -1 = none yet. */
  private half = -1;
  /** Keys (hex) written last, and the rules they came from. */
  private written = new Set<string>();
  private rules?: readonly MarkRule[];
  private readonly halfSize: number;
  /** Addresses of the written narrow prefixes (narrowPrefixAddrs), for the VIP filter. */
  narrowAddrs: Uint8Array[] = [];
  /** Some written prefix is wider: the program must probe the rules (GLOBAL_F.markProbe). */
  wide = false;

  constructor(private readonly maps: MarkMaps) {
    this.halfSize = maps.mark_ranges.maxEntries >> 1;
  }

  /** Take over what a previous daemon left in the maps (the half in use, the keys). */
  recover(): void {
    this.narrowAddrs = [];
    this.wide = false;
    for (const k of this.maps.mark_prefixes.keys()) {
      this.written.add(hex(k));
      const key = markKey.decode(k);
      const narrow = narrowPrefixAddrs(key.family, key.addr, key.prefixlen - 32);
      this.narrowAddrs.push(...narrow);
      if (!narrow.length) this.wide = true;
      const v = this.maps.mark_prefixes.lookup(k);
      if (v) this.half = markVal.decode(v).off >= this.halfSize ? 1 : 0;
    }
  }

  /** True when mark rules are in force (the program then looks for fwmark services). */
  get active(): boolean {
    return this.written.size > 0;
  }

  /**
   * Make the maps hold `rules` (already validated); nothing is written when they are the
   * same object as last time. True when something may have changed (narrowAddrs too).
   */
  apply(rules: readonly MarkRule[] | undefined): boolean {
    const want = rules ?? [];
    if (this.rules === want || (this.rules?.length === 0 && want.length === 0)) return false;
    const compiled = compileMarks(want);
    const total = compiled.reduce((n, c) => n + c.ranges.length, 0);
    if (total > this.halfSize) throw new Error(`mark rules need ${total} port ranges; the data plane holds ${this.halfSize}`);
    const half = this.half === 0 ? 1 : 0;
    let off = half * this.halfSize;
    const keys = new Set<string>();
    const narrow: Uint8Array[] = [];
    let wide = false;
    for (const c of compiled) {
      const addrs = narrowPrefixAddrs(c.family, c.addr, c.bits);
      narrow.push(...addrs);
      if (!addrs.length) wide = true;
      for (const [i, r] of c.ranges.entries()) this.maps.mark_ranges.update(u32Key(off + i), markRange.encode(r));
      const k = keyOf(c);
      this.maps.mark_prefixes.update(k, markVal.encode({ off, len: c.ranges.length }));
      keys.add(hex(k));
      off += c.ranges.length;
    }
    for (const k of this.written) if (!keys.has(k)) this.maps.mark_prefixes.delete(Buffer.from(k, 'hex'));
    this.written = keys;
    this.half = compiled.length ? half : this.half;
    this.rules = want;
    this.narrowAddrs = narrow;
    this.wide = wide;
    return true;
  }
}
