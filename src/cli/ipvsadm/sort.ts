// The order ipvsadm prints in: it sorts what the kernel returns with qsort() and
// libipvs's ipvs_cmp_services / ipvs_cmp_dests. Those subtract unsigned 32-bit
// addresses into an int, so addresses more than 2^31 apart compare "backwards"
// (e.g. 203.0.113.10 sorts before 10.0.0.50). We reproduce that, and glibc's
// qsort (a top-down merge sort for these sizes), so the output matches byte for byte.
import { parseIp } from '../../core/addr.js';
import type { Protocol } from '../../core/model.js';

const int32 = (x: number) => x | 0;
const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const PROTO_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17 };
const AF: Record<4 | 6, number> = { 4: 2, 6: 10 };

function compareAddresses(a: string, b: string): number {
  const x = parseIp(a), y = parseIp(b);
  if (!x.ok || !y.ok) return a < b ? -1 : a > b ? 1 : 0;
  if (x.value.family !== y.value.family) return AF[x.value.family] - AF[y.value.family];
  let r = 0;
  for (let i = 0; r === 0 && i < x.value.bytes.length; i += 4) r = int32(u32(x.value.bytes, i) - u32(y.value.bytes, i));
  return r;
}

const familyOf = (a: string) => { const r = parseIp(a); return r.ok ? r.value.family : 4; };

/** ipvs_cmp_services: fwmark (u32 difference as an int: 0 = not a fwmark service), family, protocol, address, port. */
export function compareServices(a: { vip: string; protocol: Protocol; port: number; fwmark?: number }, b: { vip: string; protocol: Protocol; port: number; fwmark?: number }): number {
  const fw = int32((a.fwmark ?? 0) - (b.fwmark ?? 0));
  if (fw !== 0) return fw;
  const af = AF[familyOf(a.vip)] - AF[familyOf(b.vip)];
  if (af !== 0) return af;
  const p = PROTO_NUMBER[a.protocol] - PROTO_NUMBER[b.protocol];
  if (p !== 0) return p;
  const r = compareAddresses(a.vip, b.vip);
  return r !== 0 ? r : a.port - b.port;
}

/**
 * ipvs_cmp_dests (libipvs/libipvs.c): the address words are compared by the FIRST real's
 * family only: an IPv6 first real compares four 32-bit words of both (an IPv4 address is
 * its first word, the other three zero, as the kernel's nf_inet_addr holds it), an IPv4
 * first real compares the first word of both. Mixed families (tunnelled reals) therefore
 * sort as IPVS lists them, not by family.
 */
export function compareReals(a: { address: string; port: number }, b: { address: string; port: number }): number {
  const x = parseIp(a.address), y = parseIp(b.address);
  if (!x.ok || !y.ok) return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
  const words = x.value.family === 6 ? 4 : 1;
  const wa = words16(x.value.bytes), wb = words16(y.value.bytes);
  let r = 0;
  for (let i = 0; r === 0 && i < words; i++) r = int32(wa[i]! - wb[i]!);
  return r !== 0 ? r : a.port - b.port;
}

/** The address as the kernel's 16-byte nf_inet_addr in host-order 32-bit words. */
function words16(bytes: Uint8Array): number[] {
  const b = new Uint8Array(16);
  b.set(bytes);
  return [0, 4, 8, 12].map((i) => u32(b, i));
}

/** glibc msort: split n/2, sort halves, merge taking the left element while cmp <= 0. */
export function glibcSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return [...items];
  const n1 = items.length >> 1;
  const left = glibcSort(items.slice(0, n1), cmp);
  const right = glibcSort(items.slice(n1), cmp);
  const out: T[] = [];
  let i = 0, j = 0;
  while (i < left.length && j < right.length) out.push(cmp(left[i]!, right[j]!) <= 0 ? left[i++]! : right[j++]!);
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}
