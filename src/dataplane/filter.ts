// The address filter the program reads before any table (addr_filter in
// bpf/include/maps.h): a bitmap over hashed addresses in which a clear bit means
// "certainly not a VIP" (destination) or "certainly not a NAT real" (source). Kept
// here as counts per bit, so removing one service clears only bits no other uses.
// The hash is the program's filter_maybe(): the four 32-bit words of the address as
// they sit in memory (little-endian loads of network-order bytes), xor-folded, xor a
// seed, times 0x9E3779B1, top IPVX_FILTER_BITS bits.
import type { MapHandle } from './writer.js';
import { u32Key } from './layout.js';

export const FILTER_BITS = 18;
export const FILTER_WORDS = 4096;
export const SEED_VIP = 0;
export const SEED_NAT_SRC = 0x5bd1e995;

/** The bit of an address (16 bytes: IPv4 in the first 4, the rest zero). */
export function filterBit(addr16: Uint8Array, seed: number): number {
  const dv = new DataView(addr16.buffer, addr16.byteOffset, 16);
  const fold = dv.getUint32(0, true) ^ dv.getUint32(4, true) ^ dv.getUint32(8, true) ^ dv.getUint32(12, true);
  return (Math.imul((fold ^ seed) >>> 0, 0x9e3779b1) >>> 0) >>> (32 - FILTER_BITS);
}

export class AddrFilter {
  private readonly counts = new Uint32Array(1 << FILTER_BITS);
  private readonly contrib = new Map<string, number[]>();
  /** What the map holds, as [low, high] 32-bit halves per word. */
  private readonly written = new Uint32Array(FILTER_WORDS * 2);

  /** The bits `owner` (a service) needs, replacing what it needed before. */
  set(owner: string, bits: number[]): void {
    this.remove(owner);
    for (const b of bits) this.counts[b]!++;
    this.contrib.set(owner, bits);
  }

  remove(owner: string): void {
    const old = this.contrib.get(owner);
    if (!old) return;
    for (const b of old) this.counts[b]!--;
    this.contrib.delete(owner);
  }

  /**
   * Write the words that differ from the map. `keepOld`: leave set bits set (before
   * service entries flip, so no packet of a new VIP passes in between); without it,
   * exactly what the counts say (after the flips).
   */
  write(map: MapHandle | undefined, keepOld: boolean): void {
    if (!map) return;
    const v = new Uint8Array(8);
    const dv = new DataView(v.buffer);
    for (let w = 0; w < FILTER_WORDS; w++) {
      let lo = 0, hi = 0;
      for (let i = 0; i < 32; i++) {
        if (this.counts[w * 64 + i]) lo |= 1 << i;
        if (this.counts[w * 64 + 32 + i]) hi |= 1 << i;
      }
      if (keepOld) { lo |= this.written[w * 2]!; hi |= this.written[w * 2 + 1]!; }
      lo >>>= 0; hi >>>= 0;
      if (lo === this.written[w * 2] && hi === this.written[w * 2 + 1]) continue;
      dv.setUint32(0, lo, true);
      dv.setUint32(4, hi, true);
      map.update(u32Key(w), v);
      this.written[w * 2] = lo;
      this.written[w * 2 + 1] = hi;
    }
  }

  /** After a restart: the map's words as they are (a daemon adopting pinned maps). */
  adopt(map: MapHandle | undefined): void {
    if (!map) return;
    for (let w = 0; w < FILTER_WORDS; w++) {
      const v = map.lookup(u32Key(w));
      if (!v) continue;
      const dv = new DataView(v.buffer, v.byteOffset, 8);
      this.written[w * 2] = dv.getUint32(0, true);
      this.written[w * 2 + 1] = dv.getUint32(4, true);
    }
  }
}
