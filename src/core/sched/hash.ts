// Hashes for sh/mh. The client-side ones run per new flow in XDP, so they are
// a fold, an add, one 32-bit multiply and a multiply-shift; the C code in
// bpf/include/sched.h must compute exactly clientBucket() below.
//
//   key    = ntohl(a[0] ^ a[1] ^ a[2] ^ a[3]) + (use_port ? ntohs(sport) : 0)   (mod 2^32)
//   h      = key * 0x61C88647                                                  (mod 2^32)
//   bucket = ((u64)h * size) >> 32
//
// For size = 2^b the bucket is h >> (32 - b), i.e. the kernel's hash_32(key, b):
// with size 256 this is IPVS ip_vs_sh_hashkey() bit for bit (the client lands in
// the same bucket as under IPVS). An IPv4 address is a[0] with a[1..3] = 0.

/** The kernel's GOLDEN_RATIO_32 (include/linux/hash.h), used by hash_32(). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/** XOR of the address's 32-bit big-endian words (IPVS addr_fold, after ntohl). 4 or 16 bytes. */
export function addrFold(addr: Uint8Array): number {
  if (addr.length !== 4 && addr.length !== 16) throw new RangeError(`address of ${addr.length} bytes`);
  let f = 0;
  for (let i = 0; i < addr.length; i += 4) {
    f ^= (addr[i]! << 24) | (addr[i + 1]! << 16) | (addr[i + 2]! << 8) | addr[i + 3]!;
  }
  return f >>> 0;
}

/** The value IPVS hashes: ntohs(port) + ntohl(addr_fold), mod 2^32; port only with sh-port/mh-port. */
export function clientKey(addr: Uint8Array, port: number, usePort: boolean): number {
  return (addrFold(addr) + (usePort ? port & 0xffff : 0)) >>> 0;
}

/** Multiplicative (Fibonacci) hash: key * GOLDEN_RATIO_32 mod 2^32. */
export function hash32(key: number): number {
  return Math.imul(key >>> 0, GOLDEN_RATIO_32) >>> 0;
}

/** Map a 32-bit hash onto [0, size) by its high bits: floor(h * size / 2^32). */
export function fastRange(h: number, size: number): number {
  // h * size < 2^32 * 2^21, exact in a double.
  return Math.floor(((h >>> 0) * size) / 0x1_0000_0000);
}

/** Slot of a client in a table of `size` slots (sh and mh). */
export function clientBucket(addr: Uint8Array, port: number, usePort: boolean, size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 1 << 21) throw new RangeError(`table size ${size}`);
  return fastRange(hash32(clientKey(addr, port, usePort)), size);
}

/** sh lookup; with the default 256 buckets equal to IPVS's ip_vs_sh_hashkey(af, addr, port, 0). */
export function shBucket(addr: Uint8Array, port: number, usePort: boolean, size = 256): number {
  return clientBucket(addr, port, usePort, size);
}

/** mh lookup (IPVS uses hsiphash here; we use the same cheap hash as sh, see docs/schedulers.md). */
export function mhBucket(addr: Uint8Array, port: number, usePort: boolean, size: number): number {
  return clientBucket(addr, port, usePort, size);
}

/** FNV-1a, 32 bits, over bytes. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer: spreads FNV's weak high bits over the word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Stable hash of a real's key (e.g. "192.0.2.10|80") for Maglev offset/skip:
 * fmix32(fnv1a32(utf8(key)) ^ seed). No random seed, so every director
 * computes the same table from the configuration alone.
 */
export function keyHash(key: string, seed: number): number {
  return fmix32((fnv1a32(new TextEncoder().encode(key)) ^ seed) >>> 0);
}

/**
 * The flow hash behind lc/wlc/sed/nq's candidate draws in services too big for an
 * exact scan (bpf/include/sched.h flow_draw_hash): both addresses folded, both ports.
 */
export function flowDrawHash(src: Uint8Array, dst: Uint8Array, sport: number, dport: number): number {
  const ports = (((sport & 0xffff) << 16) | (dport & 0xffff)) >>> 0;
  return fmix32((addrFold(src) ^ fmix32((addrFold(dst) ^ ports) >>> 0)) >>> 0);
}
