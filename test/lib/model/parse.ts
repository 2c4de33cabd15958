// How the director reads a frame, as docs/dataplane.md states it: Ethernet with at most
// one 802.1Q/802.1ad tag; IPv4 with options (header and total length inside the frame);
// IPv6 with a bounded chain of extension headers walked as the kernel's ipv6_find_hdr()
// (RFC 8200 4); TCP (RFC 9293 3.1), UDP (RFC 768) and ICMP/ICMPv6 (RFC 792, RFC 4443)
// headers inside the IP packet, never in the Ethernet trailer.
import type { ReasonName } from '../../../src/dataplane/codec.js';
import { rd16, rd32 } from './bytes.js';

export type Action = 'DROP' | 'PASS' | 'TX' | 'REDIRECT';
export interface Exit { action: Action; reason: ReasonName }
export const exit = (reason: ReasonName): Exit => ({ action: reasonAction(reason), reason });

/** The verdict a reason's name promises (pass_, drop_, tx, redirect). */
export function reasonAction(r: ReasonName): Action {
  if (r.startsWith('pass_')) return 'PASS';
  if (r.startsWith('drop_')) return 'DROP';
  if (r.startsWith('tx')) return 'TX';
  return 'REDIRECT';
}

export const ETH_P = { ip: 0x0800, ipv6: 0x86dd, q: 0x8100, ad: 0x88a8 } as const;
export const PROTO = { hop: 0, icmp: 1, ipip: 4, tcp: 6, udp: 17, ipv6: 41, routing: 43, frag: 44, gre: 47, ah: 51, icmp6: 58, dst: 60 } as const;
const V6_EXT = new Set<number>([PROTO.hop, PROTO.routing, PROTO.dst, PROTO.frag, PROTO.ah]);
/** Extension headers walked before the packet counts as malformed. */
export const V6_MAX_EXT = 6;
/** The upper-layer header must start within this many bytes of the frame (the program's bounded offsets). */
export const MAX_L4_OFFSET = 1023;
/** An ICMP error's quote must start within this many bytes of the frame to be read. */
export const MAX_QUOTE_OFFSET = 1023 - 64;

export interface L2 {
  dstMac: Uint8Array;
  srcMac: Uint8Array;
  l3off: number;
  ethertype: number;
  vlan?: { tpid: number; tci: number };
}

export interface Ip {
  family: 4 | 6;
  l3off: number;
  /** IP total length (header included). */
  l3len: number;
  /** From the IP header to the upper-layer header (IHL * 4, or 40 + extension headers). */
  hdrLen: number;
  proto: number;
  src: Uint8Array;
  dst: Uint8Array;
  df: boolean;
  /** IPv4 TOS / IPv6 traffic class. */
  tos: number;
  /**
   * Present when the packet is a fragment: offset in 8-byte units (0 = the first); `id`
   * is the identification's bytes as they sit in the packet, read as a little-endian
   * number (how the fragment table's key holds them).
   */
  frag?: { offset: number; more: boolean; id: number };
}

export const l3end = (ip: Ip): number => ip.l3off + ip.l3len;
export const l4off = (ip: Ip): number => ip.l3off + ip.hdrLen;
export const laterFragment = (ip: Ip): boolean => !!ip.frag && ip.frag.offset > 0;

export function parseL2(f: Uint8Array): L2 | Exit {
  if (f.length < 14) return exit('pass_malformed');
  let type = rd16(f, 12), l3off = 14;
  let vlan: L2['vlan'];
  if (type === ETH_P.q || type === ETH_P.ad) {
    if (f.length < 18) return exit('pass_malformed');
    vlan = { tpid: type, tci: rd16(f, 14) };
    type = rd16(f, 16);
    l3off = 18;
  }
  if (type !== ETH_P.ip && type !== ETH_P.ipv6) return exit('pass_not_ip');
  return { dstMac: f.subarray(0, 6), srcMac: f.subarray(6, 12), l3off, ethertype: type, ...(vlan ? { vlan } : {}) };
}

export function parseIp(f: Uint8Array, l2: L2): Ip | Exit {
  const o = l2.l3off;
  if (l2.ethertype === ETH_P.ip) {
    if (o + 20 > f.length) return exit('pass_malformed');
    const ihl = f[o]! & 15;
    if (f[o]! >> 4 !== 4 || ihl < 5 || o + ihl * 4 > f.length) return exit('pass_malformed');
    const total = rd16(f, o + 2);
    if (total < ihl * 4 || o + total > f.length) return exit('pass_malformed');
    const fo = rd16(f, o + 6);
    const ip: Ip = {
      family: 4, l3off: o, l3len: total, hdrLen: ihl * 4, proto: f[o + 9]!,
      src: f.slice(o + 12, o + 16), dst: f.slice(o + 16, o + 20), df: (fo & 0x4000) !== 0, tos: f[o + 1]!,
    };
    if (fo & 0x3fff) ip.frag = { offset: fo & 0x1fff, more: (fo & 0x2000) !== 0, id: f[o + 4]! | (f[o + 5]! << 8) };
    return ip;
  }
  if (o + 40 > f.length || f[o]! >> 4 !== 6) return exit('pass_malformed');
  const total = rd16(f, o + 4) + 40;
  if (o + total > f.length) return exit('pass_malformed');
  const ip: Ip = {
    family: 6, l3off: o, l3len: total, hdrLen: 40, proto: f[o + 6]!,
    src: f.slice(o + 8, o + 24), dst: f.slice(o + 24, o + 40), df: false,
    tos: ((f[o]! & 15) << 4) | (f[o + 1]! >> 4),
  };
  return walkV6Ext(f, ip);
}

/** IPv6 extension headers up to the upper-layer header (or a later fragment's fragment header). */
function walkV6Ext(f: Uint8Array, ip: Ip): Ip | Exit {
  for (let n = 0; V6_EXT.has(ip.proto); n++) {
    if (n === V6_MAX_EXT) return exit('pass_malformed');
    const h = ip.l3off + ip.hdrLen;
    // The header's first 8 bytes must be inside the IP packet.
    if (ip.hdrLen + 8 > ip.l3len) return exit('pass_malformed');
    let len: number;
    if (ip.proto === PROTO.frag) {
      const fo = rd16(f, h + 2);
      const offset = fo >> 3, more = (fo & 1) !== 0;
      if (offset || more) ip.frag = { offset, more, id: (f[h + 4]! | (f[h + 5]! << 8) | (f[h + 6]! << 16) | (f[h + 7]! << 24)) >>> 0 };
      len = 8;
    } else if (ip.proto === PROTO.ah) {
      len = (f[h + 1]! + 2) * 4;
    } else {
      // A routing header with segments left: the packet goes to another hop first.
      if (ip.proto === PROTO.routing && f[h + 3] !== 0) return exit('pass_ipv6_routed');
      len = (f[h + 1]! + 1) * 8;
    }
    ip.proto = f[h]!;
    ip.hdrLen += len;
    // Every header lies inside the IP packet (RFC 8200 4), within reach of the program's bounded offsets.
    if (ip.hdrLen > ip.l3len || ip.l3off + ip.hdrLen > MAX_L4_OFFSET) return exit('pass_malformed');
    // A later fragment has no upper-layer header to find.
    if (ip.frag && ip.frag.offset > 0) break;
  }
  return ip;
}

export interface L4 { sport: number; dport: number; flags: number }

/** TCP or UDP ports inside the IP packet; 'other' for other protocols. */
export function parseL4(f: Uint8Array, ip: Ip): L4 | 'malformed' | 'other' {
  const o = l4off(ip), end = l3end(ip);
  if (ip.proto === PROTO.tcp) {
    if (o + 20 > end) return 'malformed';
    const doff = f[o + 12]! >> 4;
    if (doff < 5 || o + doff * 4 > end) return 'malformed';
    return { sport: rd16(f, o), dport: rd16(f, o + 2), flags: f[o + 13]! };
  }
  if (ip.proto === PROTO.udp) {
    if (o + 8 > end) return 'malformed';
    let ulen = rd16(f, o + 4);
    // IPv6: a length of 0 is the whole payload (RFC 2675 jumbograms; the kernel's
    // __udp6_lib_rcv takes it so for any packet).
    if (ulen === 0 && ip.family === 6) ulen = end - o;
    // A length past the packet is dropped by udp_rcv; a shorter one is trimmed. A first
    // fragment holds only part of the datagram.
    if (ulen < 8 || (!ip.frag && o + ulen > end)) return 'malformed';
    return { sport: rd16(f, o), dport: rd16(f, o + 2), flags: 0 };
  }
  return 'other';
}

export const isIcmp = (ip: Ip): boolean => ip.proto === (ip.family === 4 ? PROTO.icmp : PROTO.icmp6);

export interface Quote {
  /** The quoted packet's addresses, ports and protocol, as it was sent. */
  src: Uint8Array; dst: Uint8Array; sport: number; dport: number; proto: number;
  icmpOff: number;
  /** Offset of the quoted IP header and of its ports in the frame. */
  ipOff: number;
  portsOff: number;
  quotedIhl: number;
}

/**
 * An ICMP error of the kinds IPVS relays (ip_vs_in_icmp: destination unreachable, source
 * quench, time exceeded; ip_vs_in_icmp_v6: every ICMPv6 error, type < 128) quoting a TCP
 * or UDP packet with its ports. 'not-error' for other ICMP, 'no-quote' when the header or
 * the quote is not there or names no TCP/UDP flow (a quoted later fragment, IPv6
 * extension headers in the quote).
 */
export function parseQuote(f: Uint8Array, ip: Ip): Quote | 'not-error' | 'no-quote' {
  const o = l4off(ip), end = l3end(ip);
  if (o + 8 > end) return 'no-quote';
  const type = f[o]!;
  if (ip.family === 4 ? type !== 3 && type !== 4 && type !== 11 : type >= 128) return 'not-error';
  const q = o + 8;
  if (q > MAX_QUOTE_OFFSET) return 'no-quote';
  let src: Uint8Array, dst: Uint8Array, proto: number, portsOff: number, ihl = 0;
  if (ip.family === 4) {
    if (q + 20 > end) return 'no-quote';
    ihl = f[q]! & 15;
    if (f[q]! >> 4 !== 4 || ihl < 5 || (rd16(f, q + 6) & 0x1fff) !== 0) return 'no-quote';
    src = f.slice(q + 12, q + 16); dst = f.slice(q + 16, q + 20); proto = f[q + 9]!;
    portsOff = q + ihl * 4;
  } else {
    if (q + 40 > end) return 'no-quote';
    src = f.slice(q + 8, q + 24); dst = f.slice(q + 24, q + 40); proto = f[q + 6]!;
    portsOff = q + 40;
  }
  if (proto !== PROTO.tcp && proto !== PROTO.udp) return 'no-quote';
  if (portsOff + 4 > end) return 'no-quote';
  return { src, dst, proto, sport: rd16(f, portsOff), dport: rd16(f, portsOff + 2), icmpOff: o, ipOff: q, portsOff, quotedIhl: ihl };
}

/** Sources no host may use (ip_route_input_slow, ip6_rcv_core): 0/8, 127/8, 224/4, the broadcast address, ::, ::1, ff00::/8. 240/4 is allowed. */
export function martian(ip: Ip): boolean {
  const s = ip.src;
  if (ip.family === 4) {
    const top = s[0]!;
    return top === 0 || top === 127 || (top >= 224 && top < 240) || s.every((x) => x === 255);
  }
  if (s[0] === 0xff) return true;
  return s.subarray(0, 15).every((x) => x === 0) && (s[15] === 0 || s[15] === 1);
}

/** The IPv4 header checksum (options included) verifies (RFC 1071). */
export function ipv4HeaderOk(f: Uint8Array, ip: Ip): boolean {
  let s = 0;
  for (let i = 0; i < ip.hdrLen; i += 2) s += rd16(f, ip.l3off + i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}
