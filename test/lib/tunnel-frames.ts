// GUE and GRE packets as a tunnelling director sends them (IPVS ip_vs_xmit.c
// ipvs_gue_encap / ipvs_gre_encap), built here independently of the program:
// outer IPv4/IPv6 header, then UDP + GUE (draft-ietf-intarea-gue, variant 0) or
// GRE (RFC 2784), then the client's IP packet.
import { concat, inetChecksum, ipv4Header, ipv6Header, pseudoHeader, type OuterOpts } from './packet.js';
import { parseIp } from '../../src/core/addr.js';

const IPPROTO_UDP = 17, IPPROTO_GRE = 47;
const u16 = (v: number) => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
const bytesOf = (a: string) => { const r = parseIp(a); if (!r.ok) throw new Error(a); return r.value; };

function outerHeader(outer: OuterOpts, protocol: number, payloadLength: number): Uint8Array {
  return bytesOf(outer.src).family === 4
    ? ipv4Header({ ...outer, protocol, payloadLength })
    : ipv6Header({ ...outer, protocol, payloadLength });
}

/** The inner protocol number GUE and IPIP name: 4 for an IPv4 packet, 41 for IPv6. */
const innerProto = (inner: Uint8Array) => (inner[0]! >> 4 === 4 ? 4 : 41);

/** Outer IP + UDP (sport -> dport) + a 4-byte GUE header + inner; `csum`: a UDP checksum, else 0. */
export function gue(outer: OuterOpts & { sport: number; dport: number; csum?: boolean }, inner: Uint8Array): Uint8Array {
  const guehdr = Uint8Array.of(0, innerProto(inner), 0, 0);
  const udpLen = 8 + guehdr.length + inner.length;
  const udp = concat(u16(outer.sport), u16(outer.dport), u16(udpLen), u16(0));
  if (outer.csum) {
    const sum = inetChecksum(pseudoHeader(bytesOf(outer.src).bytes, bytesOf(outer.dst).bytes, IPPROTO_UDP, udpLen), udp, guehdr, inner);
    udp.set(u16(sum === 0 ? 0xffff : sum), 6);
  }
  return concat(outerHeader(outer, IPPROTO_UDP, udpLen), udp, guehdr, inner);
}

/** Outer IP + GRE (protocol 0x0800/0x86dd; with `csum` the C bit, checksum and reserved1) + inner. */
export function gre(outer: OuterOpts & { csum?: boolean }, inner: Uint8Array): Uint8Array {
  const proto = inner[0]! >> 4 === 4 ? 0x0800 : 0x86dd;
  let hdr = concat(u16(outer.csum ? 0x8000 : 0), u16(proto));
  if (outer.csum) {
    const sum = inetChecksum(hdr, Uint8Array.of(0, 0, 0, 0), inner);
    hdr = concat(hdr, u16(sum), u16(0));
  }
  return concat(outerHeader(outer, IPPROTO_GRE, hdr.length + inner.length), hdr, inner);
}
