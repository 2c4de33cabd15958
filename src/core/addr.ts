// IP addresses as values: parsed once, canonical text, fixed 16-byte form for the maps.
import { isIPv4, isIPv6 } from 'node:net';
import { Result, ok, fail } from './result.js';

export type Family = 4 | 6;

export interface IpAddr {
  readonly family: Family;
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  readonly text: string;
  /** 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
  readonly bytes: Uint8Array;
}

function v6ToBytes(text: string): Uint8Array | undefined {
  let s = text;
  const out = new Uint8Array(16);
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  let tailBytes: number[] = [];
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return undefined;
    tailBytes = tail.split('.').map(Number);
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 && fill !== 0) return undefined;
  if (halves.length === 2 && fill < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tailBytes.length) out.set(tailBytes, 12);
  return out;
}

/**
 * RFC 5952 as glibc's inet_ntop writes it (what ipvsadm prints): lower case, the first
 * longest run (>= 2) of zero groups compressed, and an IPv4 tail for the IPv4-mapped
 * (::ffff:192.0.2.1) and IPv4-compatible (::192.0.2.1) forms (glibc resolv/inet_ntop.c
 * inet_ntop6: "Is this address an encapsulated IPv4?").
 */
function v6Text(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[i * 2]! << 8) | b[i * 2 + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/**
 * Parsed addresses by text: a state of 100,000 reals has few distinct addresses per
 * edit, and IPv6 parsing was a large share of a change's time. Bounded (cleared
 * when full); callers get their own copy of the bytes.
 */
const parsed = new Map<string, IpAddr>();
const PARSED_MAX = 65536;

export function parseIp(text: string): Result<IpAddr> {
  const hit = parsed.get(text);
  if (hit) return ok({ family: hit.family, text: hit.text, bytes: Uint8Array.from(hit.bytes) });
  const r = parseIpUncached(text);
  if (r.ok) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(text, { family: r.value.family, text: r.value.text, bytes: Uint8Array.from(r.value.bytes) });
  }
  return r;
}

function parseIpUncached(text: string): Result<IpAddr> {
  const t = text.trim();
  if (isIPv4(t)) {
    const bytes = Uint8Array.from(t.split('.').map(Number));
    return ok({ family: 4, text: Array.from(bytes).join('.'), bytes });
  }
  const bare = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
  if (isIPv6(bare)) {
    const bytes = v6ToBytes(bare);
    if (bytes) return ok({ family: 6, text: v6Text(bytes), bytes });
  }
  return fail('', `'${text}' is not an IPv4 or IPv6 address`);
}

/** Parse or throw; for addresses that come from code or tests, not from users. */
export function ip(text: string): IpAddr {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.value;
}

export function ipFromBytes(bytes: Uint8Array): IpAddr {
  if (bytes.length === 4) {
    const b = Uint8Array.from(bytes);
    return { family: 4, text: Array.from(b).join('.'), bytes: b };
  }
  if (bytes.length === 16) {
    const b = Uint8Array.from(bytes);
    return { family: 6, text: v6Text(b), bytes: b };
  }
  throw new Error(`address of ${bytes.length} bytes`);
}

/** 16-byte form used in map keys: IPv4 in the first 4 bytes, the rest zero. */
export function ipTo16(a: IpAddr): Uint8Array {
  const out = new Uint8Array(16);
  out.set(a.bytes, 0);
  return out;
}

export function ipFrom16(b: Uint8Array, family: Family): IpAddr {
  return ipFromBytes(family === 4 ? b.subarray(0, 4) : b.subarray(0, 16));
}

/** Mask of `bits` leading ones for the family, as bytes. */
export function prefixMask(family: Family, bits: number): Uint8Array {
  const out = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = 0; i < out.length; i++) {
    const n = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = n === 0 ? 0 : (0xff << (8 - n)) & 0xff;
  }
  return out;
}

/** Prefix length of a contiguous netmask (255.255.255.0 -> 24), or undefined if not contiguous. */
export function maskToPrefix(mask: Uint8Array): number | undefined {
  let bits = 0, seenZero = false;
  for (const byte of mask) {
    for (let i = 7; i >= 0; i--) {
      const one = (byte >> i) & 1;
      if (one && seenZero) return undefined;
      if (one) bits++; else seenZero = true;
    }
  }
  return bits;
}

/** "1.2.3.4:80" or "[2001:db8::1]:80" as ipvsadm prints and reads them. */
export function formatHostPort(a: IpAddr, port: number): string {
  return a.family === 6 ? `[${a.text}]:${port}` : `${a.text}:${port}`;
}
