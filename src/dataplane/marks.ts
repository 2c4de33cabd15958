// Writes the compiled firewall-mark rules (core/marks.ts) into mark_prefixes (LPM trie)
// and mark_ranges (bpf/include/fwmark.h). mark_ranges has two halves: a new rule set is
// written into the half no prefix points to, then each prefix entry is switched with
// one update (every entry's ranges are complete on their own, so a packet sees either
// the old or the new rules for its destination, never a mix), then gone prefixes go.
import type { MarkRule } from '../core/model.js';
import { compileMarks, type CompiledPrefix } from '../core/marks.js';
import { markKey, markVal, markRange, IPPROTO } from './codec.js';
import { u32Key } from './layout.js';
import type { MapHandle } from './writer.js';

export interface MarkMaps { mark_prefixes: MapHandle; mark_ranges: MapHandle }

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

  constructor(private readonly maps: MarkMaps) {
    this.halfSize = maps.mark_ranges.maxEntries >> 1;
  }

  /** Take over what a previous daemon left in the maps (the half in use, the keys). */
  recover(): void {
    for (const k of this.maps.mark_prefixes.keys()) {
      this.written.add(hex(k));
      const v = this.maps.mark_prefixes.lookup(k);
      if (v) this.half = markVal.decode(v).off >= this.halfSize ? 1 : 0;
    }
  }

  /** True when mark rules are in force (the program then looks for fwmark services). */
  get active(): boolean {
    return this.written.size > 0;
  }

  /** Make the maps hold `rules` (already validated); nothing is written when they are the same object as last time. */
  apply(rules: readonly MarkRule[] | undefined): void {
    const want = rules ?? [];
    if (this.rules === want || (this.rules?.length === 0 && want.length === 0)) return;
    const compiled = compileMarks(want);
    const total = compiled.reduce((n, c) => n + c.ranges.length, 0);
    if (total > this.halfSize) throw new Error(`mark rules need ${total} port ranges; the data plane holds ${this.halfSize}`);
    const half = this.half === 0 ? 1 : 0;
    let off = half * this.halfSize;
    const keys = new Set<string>();
    for (const c of compiled) {
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
  }
}
