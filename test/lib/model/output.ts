// The frames the director sends, built from their RFCs: new MACs (DR), an outer IP
// header (TUN: RFC 2003 IPIP, RFC 2473 IP6IP6, RFC 4213 6in4, 4in6; GUE over UDP,
// draft-ietf-intarea-gue; GRE, RFC 2784), NAT rewrites whose
// checksums keep the error they came with (RFC 1624), ICMP errors relayed with the same
// rule, and ICMP fragmentation-needed (RFC 792, RFC 1191) / packet-too-big (RFC 4443 3.2).
import { concat, wr16, wr32, rd16, freshChecksum, preservedChecksum, pseudo } from './bytes.js';
import { TUN_TYPE, TUN_F } from '../../../src/dataplane/codec.js';
import { ETH_P, PROTO, type Ip, type L2, type Quote, l4off, l3end } from './parse.js';

/** A frame the model expects, with the offsets of 16-bit checksums that may be +0 or -0. */
export interface Sent { frame: Uint8Array; csums: number[] }

export const TUN_TTL = 64;
export const ICMP_TTL = 64;

/** Ethernet header: MACs, the tag if any, the ethertype. */
function ethHeader(dmac: Uint8Array, smac: Uint8Array, vlan: L2['vlan'], ethertype: number): Uint8Array {
  const h = new Uint8Array(vlan ? 18 : 14);
  h.set(dmac, 0); h.set(smac, 6);
  if (vlan) { wr16(h, 12, vlan.tpid); wr16(h, 14, vlan.tci); wr16(h, 16, ethertype); } else wr16(h, 12, ethertype);
  return h;
}

/** The same frame with other MACs (DR, and NAT once rewritten). */
export function withMacs(f: Uint8Array, dmac: Uint8Array, smac: Uint8Array, csums: number[] = []): Sent {
  const out = Uint8Array.from(f);
  out.set(dmac, 0); out.set(smac, 6);
  return { frame: out, csums };
}

/** The tunnel's encapsulation (TUN_TYPE, TUN_F, GUE's port) and the flow's hash for GUE's source port. */
export interface Tunnel { type: number; flags: number; port: number; flowHash: number }

/** The bytes between the outer IP header and the client's packet: GUE's UDP and GUE headers, GRE's. */
function tunnelHeader(t: Tunnel | undefined, inner: 4 | 6): Uint8Array {
  if (!t || t.type === TUN_TYPE.ipip) return new Uint8Array(0);
  const innerProto = inner === 4 ? PROTO.ipip : PROTO.ipv6;
  if (t.type === TUN_TYPE.gue) {
    // UDP (RFC 768) + GUE variant 0 (draft-ietf-intarea-gue 3.1): version 0, no options, the inner protocol.
    const h = new Uint8Array(12);
    wr16(h, 0, GUE_SPORT_MIN + Number((BigInt(t.flowHash >>> 0) * BigInt(GUE_SPORT_RANGE)) >> 32n));
    wr16(h, 2, t.port);
    h[9] = innerProto;
    return h;
  }
  // GRE (RFC 2784): the C bit and a checksum field (+ reserved1) with --tun-csum.
  const h = new Uint8Array(t.flags & TUN_F.csum ? 8 : 4);
  if (t.flags & TUN_F.csum) h[0] = 0x80;
  wr16(h, 2, inner === 4 ? ETH_P.ip : ETH_P.ipv6);
  return h;
}

/** Bytes a real's tunnel puts in front of the client's packet (IPVS: max_headroom). */
export function tunnelHeaderLen(r: { family: 4 | 6; tunType: number; tunFlags: number }): number {
  const ip = r.family === 4 ? 20 : 40;
  if (r.tunType === TUN_TYPE.gue) return ip + 12;
  if (r.tunType === TUN_TYPE.gre) return ip + (r.tunFlags & TUN_F.csum ? 8 : 4);
  return ip;
}

/**
 * An outer IPv4 or IPv6 header (and GUE or GRE) around the IP packet (and whatever
 * trailer followed it). The tag stays. A GUE or GRE checksum covers the tunnel header
 * and the client's IP packet (GUE's with the UDP pseudo-header); IPVS's ipvs_gue_encap,
 * ipvs_gre_encap.
 */
export function encapsulate(f: Uint8Array, l2: L2, ip: Ip, o: {
  dmac: Uint8Array; smac: Uint8Array; src: Uint8Array; dst: Uint8Array; family: 4 | 6; df: boolean; id: number; tun?: Tunnel;
}): Sent {
  const inner = f.subarray(ip.l3off);
  const th = tunnelHeader(o.tun, ip.family);
  const proto = o.tun?.type === TUN_TYPE.gue ? PROTO.udp : o.tun?.type === TUN_TYPE.gre ? PROTO.gre : ip.family === 4 ? PROTO.ipip : PROTO.ipv6;
  const packet = f.subarray(ip.l3off, ip.l3off + ip.l3len);
  if (o.tun?.type === TUN_TYPE.gue) {
    wr16(th, 4, th.length + ip.l3len);
    if (o.tun.flags & (TUN_F.csum | TUN_F.remcsum)) {
      const c = freshChecksum(pseudo(o.src, o.dst, PROTO.udp, th.length + ip.l3len), th, packet);
      wr16(th, 6, c === 0 ? 0xffff : c);
    }
  } else if (o.tun?.type === TUN_TYPE.gre && (o.tun.flags & TUN_F.csum)) {
    wr16(th, 4, freshChecksum(th, packet));
  }
  let outer: Uint8Array;
  if (o.family === 4) {
    outer = new Uint8Array(20);
    outer[0] = 0x45; outer[1] = ip.tos; wr16(outer, 2, ip.l3len + 20 + th.length); wr16(outer, 4, o.id);
    wr16(outer, 6, o.df ? 0x4000 : 0); outer[8] = TUN_TTL; outer[9] = proto;
    outer.set(o.src, 12); outer.set(o.dst, 16);
    wr16(outer, 10, freshChecksum(outer));
  } else {
    outer = new Uint8Array(40);
    wr32(outer, 0, (0x60000000 | (ip.tos << 20)) >>> 0); wr16(outer, 4, ip.l3len + th.length); outer[6] = proto; outer[7] = TUN_TTL;
    outer.set(o.src, 8); outer.set(o.dst, 24);
  }
  const eth = ethHeader(o.dmac, o.smac, l2.vlan, o.family === 4 ? ETH_P.ip : ETH_P.ipv6);
  const ipCsum = o.family === 4 ? [eth.length + 10] : [];
  // GRE's checksum may come out +0 or -0 (GUE's never 0: RFC 768).
  const greCsum = o.tun?.type === TUN_TYPE.gre && (o.tun.flags & TUN_F.csum) ? [eth.length + outer.length + 4] : [];
  return { frame: concat(eth, outer, th, inner), csums: [...ipCsum, ...greCsum] };
}

/** GUE's UDP source port: a flow hash over 32768-60999 (the kernel's udp_flow_src_port, default local ports). */
const GUE_SPORT_MIN = 32768, GUE_SPORT_RANGE = 28232;

/**
 * ICMP fragmentation needed (IPv4) or packet too big (IPv6) from the VIP back to the
 * client, out of the interface it came in on: quoting the IP header and 8 bytes (IPv4),
 * or 1,232 bytes (IPv6), of the packet as received.
 */
export function tooBig(f: Uint8Array, l2: L2, ip: Ip, o: { dmac: Uint8Array; smac: Uint8Array; mtu: number; quote: number; id: number }): Sent {
  const quoted = f.subarray(ip.l3off, ip.l3off + o.quote);
  const eth = ethHeader(o.dmac, o.smac, l2.vlan, ip.family === 4 ? ETH_P.ip : ETH_P.ipv6);
  if (ip.family === 4) {
    const icmp = concat(Uint8Array.of(3, 4, 0, 0, 0, 0, (o.mtu >> 8) & 0xff, o.mtu & 0xff), quoted);
    wr16(icmp, 2, freshChecksum(icmp));
    const h = new Uint8Array(20);
    h[0] = 0x45; wr16(h, 2, 20 + icmp.length); wr16(h, 4, o.id); h[8] = ICMP_TTL; h[9] = PROTO.icmp;
    h.set(ip.dst, 12); h.set(ip.src, 16);
    wr16(h, 10, freshChecksum(h));
    return { frame: concat(eth, h, icmp), csums: [eth.length + 10, eth.length + 22] };
  }
  const icmp = concat(Uint8Array.of(2, 0, 0, 0), new Uint8Array(4), quoted);
  wr32(icmp, 4, o.mtu);
  wr16(icmp, 2, freshChecksum(pseudo(ip.dst, ip.src, PROTO.icmp6, icmp.length), icmp));
  const h = new Uint8Array(40);
  wr32(h, 0, 0x60000000); wr16(h, 4, icmp.length); h[6] = PROTO.icmp6; h[7] = ICMP_TTL;
  h.set(ip.dst, 8); h.set(ip.src, 24);
  return { frame: concat(eth, h, icmp), csums: [eth.length + 42] };
}

export type Side = 'dst' | 'src';

function ipHeaderChecksumFix(out: Uint8Array, before: Uint8Array, ip: Ip): number {
  const h = ip.l3off;
  const zeroed = out.slice(h, h + ip.hdrLen);
  wr16(zeroed, 10, 0);
  wr16(out, h + 10, preservedChecksum(before.subarray(h, h + ip.hdrLen), zeroed));
  return h + 10;
}

/** The IP addresses only (a later fragment): the IPv4 header checksum follows. */
export function natAddr(f: Uint8Array, ip: Ip, side: Side, to: Uint8Array): { frame: Uint8Array; csums: number[] } {
  const out = Uint8Array.from(f);
  const at = ip.l3off + (ip.family === 4 ? (side === 'dst' ? 16 : 12) : (side === 'dst' ? 24 : 8));
  out.set(to, at);
  return { frame: out, csums: ip.family === 4 ? [ipHeaderChecksumFix(out, f, ip)] : [] };
}

/**
 * Address and port of one side to `to`/`toPort` (0 = keep the port), the L4 checksum
 * carrying the error it had: an IPv4 UDP datagram without checksum stays without one,
 * a UDP checksum that comes out zero is sent as all ones (RFC 768).
 */
export function natRewrite(f: Uint8Array, ip: Ip, side: Side, to: Uint8Array, toPort: number): { frame: Uint8Array; csums: number[] } {
  const { frame: out, csums } = natAddr(f, ip, side, to);
  const o = l4off(ip);
  if (toPort) wr16(out, o + (side === 'dst' ? 2 : 0), toPort);
  const tcp = ip.proto === PROTO.tcp;
  const cs = o + (tcp ? 16 : 6);
  if (!tcp && ip.family === 4 && rd16(f, cs) === 0) return { frame: out, csums };
  // The checksum covers the pseudo-header and the segment; what lies in this frame is
  // enough: the parts that did not change cancel out.
  const end = l3end(ip);
  const len = end - o;
  const srcOf = (b: Uint8Array) => b.subarray(ip.l3off + (ip.family === 4 ? 12 : 8), ip.l3off + (ip.family === 4 ? 16 : 24));
  const dstOf = (b: Uint8Array) => b.subarray(ip.l3off + (ip.family === 4 ? 16 : 24), ip.l3off + (ip.family === 4 ? 20 : 40));
  const before = concat(pseudo(srcOf(f), dstOf(f), ip.proto, len), f.subarray(o, end));
  const afterSeg = out.slice(o, end);
  wr16(afterSeg, cs - o, 0);
  let c = preservedChecksum(before, concat(pseudo(srcOf(out), dstOf(out), ip.proto, len), afterSeg));
  if (tcp) { wr16(out, cs, c); return { frame: out, csums: [...csums, cs] }; }
  if (c === 0) c = 0xffff;
  wr16(out, cs, c);
  return { frame: out, csums };
}

/**
 * NAT of an ICMP error (IPVS ip_vs_nat_icmp): the outer address on `outer` side and the
 * quoted packet's address and port on the other side become `to`/`toPort` (0 = keep).
 * The quoted IPv4 header checksum and the ICMP checksum keep their errors; the quoted
 * L4 checksum is left alone.
 */
export function icmpNat(f: Uint8Array, ip: Ip, q: Quote, outer: Side, to: Uint8Array, toPort: number): { frame: Uint8Array; csums: number[] } {
  const { frame: out, csums } = natAddr(f, ip, outer, to);
  // The quoted packet went the other way: the outer destination's counterpart is its source.
  const quotedSide: Side = outer === 'dst' ? 'src' : 'dst';
  const qa = q.ipOff + (ip.family === 4 ? (quotedSide === 'dst' ? 16 : 12) : (quotedSide === 'dst' ? 24 : 8));
  out.set(to, qa);
  if (toPort) wr16(out, q.portsOff + (quotedSide === 'dst' ? 2 : 0), toPort);
  if (ip.family === 4) {
    const qh = out.slice(q.ipOff, q.ipOff + q.quotedIhl * 4);
    wr16(qh, 10, 0);
    wr16(out, q.ipOff + 10, preservedChecksum(f.subarray(q.ipOff, q.ipOff + q.quotedIhl * 4), qh));
    csums.push(q.ipOff + 10);
  }
  const o = q.icmpOff, end = l3end(ip);
  const ph = (b: Uint8Array) => ip.family === 4 ? new Uint8Array(0)
    : pseudo(b.subarray(ip.l3off + 8, ip.l3off + 24), b.subarray(ip.l3off + 24, ip.l3off + 40), PROTO.icmp6, end - o);
  const after = out.slice(o, end);
  wr16(after, 2, 0);
  wr16(out, o + 2, preservedChecksum(concat(ph(f), f.subarray(o, end)), concat(ph(out), after)));
  csums.push(o + 2);
  return { frame: out, csums };
}

/** New MACs and the wanted VLAN tag (0 = none): a tag is pushed, popped or rewritten. */
export function setL2(f: Uint8Array, l2: L2, dmac: Uint8Array, smac: Uint8Array, vlanProto: number, vlanTci: number, csums: number[]): Sent {
  const body = f.subarray(l2.vlan ? 16 : 12); // ethertype onwards
  const tag = vlanProto ? Uint8Array.of(vlanProto >> 8, vlanProto & 0xff, vlanTci >> 8, vlanTci & 0xff) : new Uint8Array(0);
  const shift = tag.length - (l2.vlan ? 4 : 0);
  return { frame: concat(dmac, smac, tag, body), csums: csums.map((c) => c + shift) };
}
