// Byte-level helpers of the reference model: big-endian fields, addresses in the
// 16-byte form map keys use, and ones'-complement checksum arithmetic (RFC 1071,
// RFC 1624) kept separate from the data plane's C.
import { onesSum } from '../packet.js';

export const rd16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const rd32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
export function wr16(b: Uint8Array, o: number, v: number): void { b[o] = (v >> 8) & 0xff; b[o + 1] = v & 0xff; }
export function wr32(b: Uint8Array, o: number, v: number): void { wr16(b, o, (v >>> 16) & 0xffff); wr16(b, o + 2, v & 0xffff); }

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** An address (4 or 16 bytes) in the 16-byte form of map keys: IPv4 in the first 4 bytes, the rest zero. */
export function addr16(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(a.subarray(0, Math.min(16, a.length)));
  return out;
}

/** The address of `family` held in a 16-byte key field. */
export const addrOf16 = (a: Uint8Array, family: 4 | 6): Uint8Array => Uint8Array.from(a.subarray(0, family === 4 ? 4 : 16));

export const isZero = (a: Uint8Array): boolean => a.every((x) => x === 0);

/** Ones'-complement sum folded to 16 bits, as a number in [0, 0xffff] (0 and 0xffff both stand for zero). */
export const sum16 = (...parts: Uint8Array[]): number => onesSum(concat(...parts));

/** a + b in ones'-complement arithmetic, folded. */
export function onesAdd(a: number, b: number): number {
  let s = a + b;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A fresh checksum over `parts` (the checksum field zero among them). */
export const freshChecksum = (...parts: Uint8Array[]): number => (~sum16(...parts)) & 0xffff;

/**
 * The checksum a region must carry after an in-place rewrite so that its error (what the
 * ones'-complement sum of the region, checksum included, lacks from all ones) is what it
 * was before: an incremental update (RFC 1624) keeps a right checksum right and a wrong
 * one wrong by the same amount. `before` is the whole region as received (checksum field
 * included), `afterZeroed` the rewritten region with its checksum field zero; pseudo-headers
 * belong in both.
 */
export function preservedChecksum(before: Uint8Array, afterZeroed: Uint8Array): number {
  return onesAdd(sum16(before), (~sum16(afterZeroed)) & 0xffff);
}

/** Checksums are equal as ones'-complement numbers (0x0000 and 0xffff are both zero). */
export const sameChecksum = (a: number, b: number): boolean => a === b || ((a === 0 || a === 0xffff) && (b === 0 || b === 0xffff));

/** IPv4 pseudo-header (RFC 793 3.1, RFC 768) or IPv6 pseudo-header (RFC 8200 8.1). */
export function pseudo(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length === 4) {
    const p = new Uint8Array(12);
    p.set(src, 0); p.set(dst, 4); p[9] = proto; wr16(p, 10, length);
    return p;
  }
  const p = new Uint8Array(40);
  p.set(src, 0); p.set(dst, 16); wr32(p, 32, length); p[39] = proto;
  return p;
}

export function macText(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
