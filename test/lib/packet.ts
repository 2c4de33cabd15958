// Packet builder and parser for BPF_PROG_TEST_RUN fixtures.
//
// This is the tests' own, independent computation of headers and checksums (RFC 791,
// 793, 768, 792, 8200, 4443, 826, 2003, 2473). It shares nothing with the code under
// test except address text (src/core/addr), so a wrong checksum in the data plane
// cannot be hidden by the same mistake here.
//
// Builders return fresh Uint8Arrays. Layers:
//   ipPacket(opts)            IP header (+ IPv4 options / IPv6 extension headers) + L4 + payload
//   ether({dst,src,type,...}) Ethernet header (+ 802.1Q tag) + payload
//   buildFrame(opts)          ether + ipPacket in one call
//   encap / ipip / ip6ip6     outer IP header around an inner IP packet
//   icmp4FragNeeded / icmp6PacketTooBig / arpRequest / arp
// parseFrame(bytes) reads all of it back, recursing into IPIP/IP6IP6, and checks every
// checksum and length it can.
import { ip as parseAddr, ipFromBytes } from '../../src/core/addr.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
export const DEFAULT_DST_MAC = '02:00:00:00:00:02';

// ---------------------------------------------------------------------------
// Small helpers

export function macBytes(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`'${text}' is not a MAC address`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function macText(b: Uint8Array): string {
  if (b.length !== 6) throw new Error(`MAC of ${b.length} bytes`);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Hex dump, 16 bytes a line with the offset in front, for readable assertion diffs. */
export function hex(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row = Array.from(b.subarray(i, i + 16), (x) => x.toString(16).padStart(2, '0'));
    lines.push(`${i.toString(16).padStart(4, '0')}: ${row.slice(0, 8).join(' ')}${row.length > 8 ? '  ' + row.slice(8).join(' ') : ''}`);
  }
  return lines.join('\n');
}

/** Bytes from hex text; whitespace, ':' and '-' are ignored ("45 00 00 3c" or "4500003c"). */
export function fromHex(text: string): Uint8Array {
  const s = text.replace(/[\s:-]/g, '');
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error('bad hex text');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function toBytes(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  if (typeof p === 'string') return new TextEncoder().encode(p);
  return p;
}

function addrOf(text: string): { family: 4 | 6; bytes: Uint8Array } {
  const a = parseAddr(text);
  return { family: a.family, bytes: a.bytes };
}

function addrText(b: Uint8Array): string {
  return ipFromBytes(b).text;
}

function u16(v: number): Uint8Array { return Uint8Array.of((v >> 8) & 0xff, v & 0xff); }
function u32(v: number): Uint8Array { return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }
function rd16(b: Uint8Array, o: number): number { return (b[o]! << 8) | b[o + 1]!; }
function rd32(b: Uint8Array, o: number): number { return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!; }
function wr16(b: Uint8Array, o: number, v: number): void { b[o] = (v >> 8) & 0xff; b[o + 1] = v & 0xff; }

// ---------------------------------------------------------------------------
// Checksums (RFC 1071)

/** Ones' complement sum of the bytes as 16-bit big-endian words (odd tail padded with zero), folded, NOT complemented. */
export function onesSum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Internet checksum: ones' complement of the ones' complement sum of all parts, concatenated. */
export function inetChecksum(...parts: Uint8Array[]): number {
  return ~onesSum(concat(...parts)) & 0xffff;
}

/** The pseudo-header that TCP, UDP and ICMPv6 checksums cover (RFC 793 / RFC 8200 8.1). */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 4) return concat(src, dst, Uint8Array.of(0, protocol), u16(length));
  return concat(src, dst, u32(length), Uint8Array.of(0, 0, 0, protocol));
}

// ---------------------------------------------------------------------------
// Ethernet

export interface EtherOpts {
  dst: string;
  src: string;
  /** EtherType of the payload (after the VLAN tag when there is one). */
  type: number;
  /** 802.1Q VLAN id; adds a 4-byte tag. */
  vlan?: number;
  /** 802.1p priority in the tag (default 0). */
  pcp?: number;
  payload?: Uint8Array;
}

/** Ethernet header (14 bytes, or 18 with a VLAN tag) followed by the payload, if given. */
export function ether(o: EtherOpts): Uint8Array {
  const tag = o.vlan === undefined ? new Uint8Array(0)
    : concat(u16(ETH_P_8021Q), u16((((o.pcp ?? 0) & 7) << 13) | (o.vlan & 0x0fff)));
  return concat(macBytes(o.dst), macBytes(o.src), tag, u16(o.type), o.payload ?? new Uint8Array(0));
}

export interface EthAddrs {
  /** Default 02:00:00:00:00:01. */
  ethSrc?: string;
  /** Default 02:00:00:00:00:02. */
  ethDst?: string;
  vlan?: number;
}

/** Ethernet frame around an IP packet; the EtherType comes from the packet's version nibble. */
export function ethFrame(eth: EthAddrs, packet: Uint8Array): Uint8Array {
  const v = packet.length ? packet[0]! >> 4 : 4;
  return ether({
    dst: eth.ethDst ?? DEFAULT_DST_MAC, src: eth.ethSrc ?? DEFAULT_SRC_MAC,
    type: v === 6 ? ETH_P_IPV6 : ETH_P_IP, ...(eth.vlan !== undefined ? { vlan: eth.vlan } : {}), payload: packet,
  });
}

/** Copy of a frame with other MACs (the DR rewrite). */
export function withMacs(frame: Uint8Array, dst: string, src: string): Uint8Array {
  const out = Uint8Array.from(frame);
  out.set(macBytes(dst), 0);
  out.set(macBytes(src), 6);
  return out;
}

/** The bytes after the Ethernet header (and any VLAN tags). */
export function stripEther(frame: Uint8Array): Uint8Array {
  let o = 12;
  while (o + 4 <= frame.length && (rd16(frame, o) === ETH_P_8021Q || rd16(frame, o) === ETH_P_8021AD)) o += 4;
  return frame.subarray(o + 2);
}

// ---------------------------------------------------------------------------
// TCP / UDP / ICMP

const TCP_FLAG_LETTERS = 'FSRPAUEC'; // bit 0 (FIN) .. bit 7 (CWR)

/** 'SA' -> 0x12. Letters: F S R P A U E C (any order); '' or '.' = none. */
export function tcpFlagsByte(flags: string): number {
  let v = 0;
  for (const c of flags.toUpperCase()) {
    if (c === '.') continue;
    const i = TCP_FLAG_LETTERS.indexOf(c);
    if (i < 0) throw new Error(`unknown TCP flag '${c}' in '${flags}'`);
    v |= 1 << i;
  }
  return v;
}

/** 0x12 -> 'SA' (canonical order F S R P A U E C: 'FA', 'PA', 'RA'). */
export function tcpFlagsText(byte: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) if (byte & (1 << i)) s += TCP_FLAG_LETTERS[i];
  return s;
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** e.g. 'S', 'SA', 'A', 'PA', 'FA', 'R'. Default 'S'. */
  flags?: string;
  /** Default 65535. */
  window?: number;
  urgent?: number;
  /** Raw TCP options, padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array;
}

export interface UdpOpts {
  sport: number;
  dport: number;
}

export interface IcmpOpts {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (id+seq of an echo, the MTU of a too-big...). Default: id/seq or zeros. */
  rest?: Uint8Array;
  id?: number;
  seq?: number;
}

function pad4(b: Uint8Array): Uint8Array {
  const n = (4 - (b.length % 4)) % 4;
  return n ? concat(b, new Uint8Array(n)) : b;
}

// ---------------------------------------------------------------------------
// IP

export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number;

export interface IpHeaderOpts {
  src: string;
  dst: string;
  /** TTL (IPv4) or hop limit (IPv6). Default 64. */
  ttl?: number;
  /** IPv4 TOS / IPv6 traffic class. Default 0. */
  tos?: number;
  /** IPv4 identification. Default 0. */
  id?: number;
  /** IPv4 don't-fragment. Default false. */
  df?: boolean;
  /** IPv4 more-fragments. Default false. */
  mf?: boolean;
  /** IPv4 fragment offset in 8-byte units, as in the header. When > 0 no L4 header is built: the payload is the fragment's data. */
  fragOffset?: number;
  /** Raw IPv4 options, padded with zeros (EOL) to a multiple of 4 (at most 40 bytes). */
  ipOptions?: Uint8Array;
  /** IPv6 flow label. Default 0. */
  flowLabel?: number;
  /** IPv6 extension headers before the fragment header / L4, in order. `type` is the header's own protocol number (0 hop-by-hop, 43 routing, 60 destination options); `body` is everything after next-header and length, padded to make the header a multiple of 8. */
  v6Ext?: { type: number; body: Uint8Array }[];
  /** IPv6 fragment extension header. offset in 8-byte units; when > 0 no L4 header is built. */
  frag6?: { offset?: number; more?: boolean; id?: number };
}

export interface PacketOpts extends IpHeaderOpts {
  /** 'icmp' means ICMP of the address family (1 for IPv4, 58 for IPv6). A number gives a raw payload after the IP header. */
  proto: Proto;
  tcp?: TcpOpts;
  udp?: UdpOpts;
  icmp?: IcmpOpts;
  payload?: Uint8Array | string;
  /** UDP with checksum 0 ("not computed"; valid only over IPv4). */
  udpZeroChecksum?: boolean;
  /** Corrupt the IPv4 header checksum and/or the L4 checksum (xor 0x5a5a). */
  badChecksum?: { ip?: boolean; l4?: boolean };
  /** Lie in length fields, for malformed-input fixtures. */
  override?: { ihl?: number; totalLength?: number; payloadLength?: number; udpLength?: number; tcpDataOffset?: number };
}

export interface FrameOpts extends PacketOpts, EthAddrs {}

function protoNumber(p: Proto, family: 4 | 6): number {
  if (p === 'tcp') return IPPROTO_TCP;
  if (p === 'udp') return IPPROTO_UDP;
  if (p === 'icmp') return family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  if (p === 'icmpv6') return IPPROTO_ICMPV6;
  return p;
}

/** L4 header + payload with its checksum (src/dst for the pseudo-header). */
function l4Segment(o: PacketOpts, proto: number, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const payload = toBytes(o.payload);
  if (typeof o.proto === 'number') return payload;
  const bad = o.badChecksum?.l4 ? 0x5a5a : 0;
  if (proto === IPPROTO_TCP) {
    const t = o.tcp;
    if (!t) throw new Error("proto 'tcp' needs tcp: {sport, dport}");
    const opts = pad4(t.options ?? new Uint8Array(0));
    const h = new Uint8Array(20 + opts.length);
    wr16(h, 0, t.sport); wr16(h, 2, t.dport);
    h.set(u32((t.seq ?? 0) >>> 0), 4); h.set(u32((t.ack ?? 0) >>> 0), 8);
    h[12] = ((o.override?.tcpDataOffset ?? h.length / 4) & 0xf) << 4;
    h[13] = tcpFlagsByte(t.flags ?? 'S');
    wr16(h, 14, t.window ?? 65535);
    wr16(h, 18, t.urgent ?? 0);
    h.set(opts, 20);
    const seg = concat(h, payload);
    wr16(seg, 16, inetChecksum(pseudoHeader(src, dst, proto, seg.length), seg) ^ bad);
    return seg;
  }
  if (proto === IPPROTO_UDP) {
    const u = o.udp;
    if (!u) throw new Error("proto 'udp' needs udp: {sport, dport}");
    const seg = concat(new Uint8Array(8), payload);
    wr16(seg, 0, u.sport); wr16(seg, 2, u.dport);
    wr16(seg, 4, o.override?.udpLength ?? seg.length);
    let c = 0;
    if (!o.udpZeroChecksum) {
      c = inetChecksum(pseudoHeader(src, dst, proto, seg.length), seg);
      if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
    }
    wr16(seg, 6, c ^ bad);
    return seg;
  }
  if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
    const ic = o.icmp;
    if (!ic) throw new Error("proto 'icmp' needs icmp: {type}");
    const rest = ic.rest ?? concat(u16(ic.id ?? 0), u16(ic.seq ?? 0));
    if (rest.length !== 4) throw new Error('icmp.rest must be 4 bytes');
    const seg = concat(Uint8Array.of(ic.type, ic.code ?? 0, 0, 0), rest, payload);
    const c = proto === IPPROTO_ICMP ? inetChecksum(seg) : inetChecksum(pseudoHeader(src, dst, proto, seg.length), seg);
    wr16(seg, 2, c ^ bad);
    return seg;
  }
  return payload;
}

/** IPv4 header with its checksum, for a payload of `payloadLength` bytes. */
export function ipv4Header(o: IpHeaderOpts & { protocol: number; payloadLength: number; badChecksum?: boolean; override?: PacketOpts['override'] }): Uint8Array {
  const src = addrOf(o.src), dst = addrOf(o.dst);
  if (src.family !== 4 || dst.family !== 4) throw new Error('ipv4Header needs IPv4 addresses');
  const opts = pad4(o.ipOptions ?? new Uint8Array(0));
  if (opts.length > 40) throw new Error('IPv4 options longer than 40 bytes');
  const h = new Uint8Array(20 + opts.length);
  h[0] = 0x40 | ((o.override?.ihl ?? h.length / 4) & 0xf);
  h[1] = o.tos ?? 0;
  wr16(h, 2, o.override?.totalLength ?? h.length + o.payloadLength);
  wr16(h, 4, o.id ?? 0);
  wr16(h, 6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff));
  h[8] = o.ttl ?? 64;
  h[9] = o.protocol;
  h.set(src.bytes, 12); h.set(dst.bytes, 16);
  h.set(opts, 20);
  wr16(h, 10, inetChecksum(h) ^ (o.badChecksum ? 0x5a5a : 0));
  return h;
}

/** IPv6 fixed header + extension headers (v6Ext, then frag6), for an upper-layer payload of `payloadLength` bytes. */
export function ipv6Header(o: IpHeaderOpts & { protocol: number; payloadLength: number; override?: PacketOpts['override'] }): Uint8Array {
  const src = addrOf(o.src), dst = addrOf(o.dst);
  if (src.family !== 6 || dst.family !== 6) throw new Error('ipv6Header needs IPv6 addresses');
  const exts: { type: number; bytes: Uint8Array }[] = [];
  for (const e of o.v6Ext ?? []) {
    let len = 2 + e.body.length;
    len = Math.max(8, Math.ceil(len / 8) * 8);
    const b = new Uint8Array(len);
    b[1] = len / 8 - 1;
    b.set(e.body, 2);
    exts.push({ type: e.type, bytes: b });
  }
  if (o.frag6) {
    const b = new Uint8Array(8);
    wr16(b, 2, (((o.frag6.offset ?? 0) & 0x1fff) << 3) | (o.frag6.more ? 1 : 0));
    b.set(u32((o.frag6.id ?? 0) >>> 0), 4);
    exts.push({ type: IPPROTO_FRAGMENT, bytes: b });
  }
  // Chain next-header fields: each header names the one after it.
  for (let i = 0; i < exts.length; i++) exts[i]!.bytes[0] = i + 1 < exts.length ? exts[i + 1]!.type : o.protocol;
  const extBytes = concat(...exts.map((e) => e.bytes));
  const h = new Uint8Array(40);
  const tc = o.tos ?? 0, fl = o.flowLabel ?? 0;
  h.set(u32(((6 << 28) | (tc << 20) | (fl & 0xfffff)) >>> 0), 0);
  wr16(h, 4, o.override?.payloadLength ?? extBytes.length + o.payloadLength);
  h[6] = exts.length ? exts[0]!.type : o.protocol;
  h[7] = o.ttl ?? 64;
  h.set(src.bytes, 8); h.set(dst.bytes, 24);
  return concat(h, extBytes);
}

/** A whole IP packet (no Ethernet): header, options / extension headers, L4 header, payload. */
export function ipPacket(o: PacketOpts): Uint8Array {
  const src = addrOf(o.src), dst = addrOf(o.dst);
  if (src.family !== dst.family) throw new Error(`mixed address families: ${o.src} -> ${o.dst}`);
  const proto = protoNumber(o.proto, src.family);
  const laterFragment = (src.family === 4 ? o.fragOffset ?? 0 : o.frag6?.offset ?? 0) > 0;
  const l4 = laterFragment ? toBytes(o.payload) : l4Segment(o, proto, src.bytes, dst.bytes);
  const hdrOpts = { ...o, protocol: proto, payloadLength: l4.length };
  const hdr = src.family === 4
    ? ipv4Header({ ...hdrOpts, badChecksum: !!o.badChecksum?.ip })
    : ipv6Header(hdrOpts);
  return concat(hdr, l4);
}

/** Ethernet frame of an IP packet built from the same options. */
export function buildFrame(o: FrameOpts): Uint8Array {
  return ethFrame(o, ipPacket(o));
}

// ---------------------------------------------------------------------------
// Encapsulation (what a tunnelling director sends)

export interface OuterOpts {
  src: string;
  dst: string;
  ttl?: number;
  tos?: number;
  id?: number;
  df?: boolean;
  flowLabel?: number;
  badChecksum?: boolean;
}

/** Outer IP header around an inner IP packet: protocol 4 for an IPv4 inner packet, 41 for IPv6. */
export function encap(outer: OuterOpts, inner: Uint8Array): Uint8Array {
  const innerVersion = inner[0]! >> 4;
  if (innerVersion !== 4 && innerVersion !== 6) throw new Error(`inner packet is not IP (version ${innerVersion})`);
  const protocol = innerVersion === 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
  const fam = addrOf(outer.src).family;
  const h = fam === 4
    ? ipv4Header({ ...outer, protocol, payloadLength: inner.length })
    : ipv6Header({ ...outer, protocol, payloadLength: inner.length });
  return concat(h, inner);
}

/** IPv4-in-IPv4 (protocol 4). */
export function ipip(outer: OuterOpts, inner: Uint8Array): Uint8Array {
  if (addrOf(outer.src).family !== 4 || inner[0]! >> 4 !== 4) throw new Error('ipip: outer and inner must be IPv4');
  return encap(outer, inner);
}

/** IPv6-in-IPv6 (next header 41). */
export function ip6ip6(outer: OuterOpts, inner: Uint8Array): Uint8Array {
  if (addrOf(outer.src).family !== 6 || inner[0]! >> 4 !== 6) throw new Error('ip6ip6: outer and inner must be IPv6');
  return encap(outer, inner);
}

// ---------------------------------------------------------------------------
// ICMP errors

/** ICMPv4 destination unreachable / fragmentation needed (type 3 code 4) with the next-hop MTU; `quoted` = the bytes of the offending packet to include, as they are. An IP packet. */
export function icmp4FragNeeded(o: { src: string; dst: string; mtu: number; quoted: Uint8Array; ttl?: number; tos?: number; id?: number; df?: boolean }): Uint8Array {
  const { mtu, quoted, ...hdr } = o;
  return ipPacket({ ...hdr, proto: 'icmp', icmp: { type: 3, code: 4, rest: concat(u16(0), u16(mtu)) }, payload: quoted });
}

/** ICMPv6 packet too big (type 2 code 0) with the MTU; checksum over the pseudo-header. An IP packet. */
export function icmp6PacketTooBig(o: { src: string; dst: string; mtu: number; quoted: Uint8Array; hopLimit?: number; tos?: number; flowLabel?: number }): Uint8Array {
  const { mtu, quoted, hopLimit, ...hdr } = o;
  return ipPacket({ ...hdr, ttl: hopLimit ?? 64, proto: 'icmp', icmp: { type: 2, code: 0, rest: u32(mtu >>> 0) }, payload: quoted });
}

// ---------------------------------------------------------------------------
// ARP

export interface ArpOpts {
  /** 1 request, 2 reply. */
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac?: string;
  targetIp: string;
  ethSrc?: string;
  ethDst?: string;
  vlan?: number;
}

/**
 * An IP packet split into fragments of at most `mtu` bytes of IP (RFC 791 2.3, RFC 8200
 * 4.5): IPv4 headers copied (DF cleared unless `keepDf`), IPv6 with a fragment header.
 */
export function fragment(pkt: Uint8Array, mtu: number, id: number, o: { keepDf?: boolean } = {}): Uint8Array[] {
  const v6 = pkt[0]! >> 4 === 6;
  const hlen = v6 ? 40 : (pkt[0]! & 15) * 4;
  const data = pkt.subarray(hlen);
  const per = Math.max(8, Math.floor((mtu - hlen - (v6 ? 8 : 0)) / 8) * 8);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += per) {
    const part = data.subarray(off, off + per), more = off + per < data.length;
    const hdr = Uint8Array.from(pkt.subarray(0, hlen));
    if (v6) {
      const fh = new Uint8Array(8);
      fh[0] = hdr[6]!; hdr[6] = IPPROTO_FRAGMENT;
      const fo = ((off / 8) << 3) | (more ? 1 : 0);
      fh[2] = fo >> 8; fh[3] = fo & 0xff;
      new DataView(fh.buffer).setUint32(4, id >>> 0);
      const len = 8 + part.length;
      hdr[4] = len >> 8; hdr[5] = len & 0xff;
      out.push(concat(hdr, fh, part));
    } else {
      const df = o.keepDf ? (hdr[6]! & 0x40) << 8 : 0;
      const len = hlen + part.length, fo = (off / 8) | (more ? 0x2000 : 0) | df;
      hdr[2] = len >> 8; hdr[3] = len & 0xff; hdr[4] = (id >> 8) & 0xff; hdr[5] = id & 0xff; hdr[6] = fo >> 8; hdr[7] = fo & 0xff;
      hdr[10] = 0; hdr[11] = 0;
      wr16(hdr, 10, inetChecksum(hdr));
      out.push(concat(hdr, part));
    }
  }
  return out;
}

export function arp(o: ArpOpts): Uint8Array {
  const body = concat(
    u16(1), u16(ETH_P_IP), Uint8Array.of(6, 4), u16(o.op),
    macBytes(o.senderMac), addrOf(o.senderIp).bytes,
    macBytes(o.targetMac ?? '00:00:00:00:00:00'), addrOf(o.targetIp).bytes,
  );
  return ether({
    dst: o.ethDst ?? (o.op === 1 ? BROADCAST_MAC : o.targetMac ?? BROADCAST_MAC), src: o.ethSrc ?? o.senderMac,
    type: ETH_P_ARP, ...(o.vlan !== undefined ? { vlan: o.vlan } : {}), payload: body,
  });
}

/** Broadcast "who has targetIp, tell srcIp"; gratuitous when targetIp === srcIp. */
export function arpRequest(o: { srcMac: string; srcIp: string; targetIp: string; vlan?: number }): Uint8Array {
  return arp({ op: 1, senderMac: o.srcMac, senderIp: o.srcIp, targetIp: o.targetIp, ...(o.vlan !== undefined ? { vlan: o.vlan } : {}) });
}

// ---------------------------------------------------------------------------
// Parser

export interface ParsedEth {
  dst: string;
  src: string;
  /** VLAN id of the first (outer) tag. */
  vlan?: number;
  pcp?: number;
  /** Every VLAN id, outer first. */
  vlans: number[];
  /** EtherType after the tags. */
  type: number;
  headerLength: number;
}

export interface ParsedArp {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface ParsedTcp {
  kind: 'tcp';
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** Canonical letters, e.g. 'SA', 'FA', 'PA', 'R'. */
  flags: string;
  flagsByte: number;
  window: number;
  urgent: number;
  dataOffset: number;
  headerLength: number;
  options: Uint8Array;
  checksum: number;
}

export interface ParsedUdp {
  kind: 'udp';
  sport: number;
  dport: number;
  length: number;
  checksum: number;
}

export interface ParsedIcmp {
  kind: 'icmp' | 'icmpv6';
  type: number;
  code: number;
  checksum: number;
  /** The 4 bytes after the checksum as a number. */
  rest: number;
  id: number;
  seq: number;
  /** Next-hop MTU of an ICMPv4 frag-needed (3/4) or ICMPv6 packet-too-big (2). */
  mtu?: number;
  /** Body after the first 8 bytes (the quoted packet of an error). */
  quoted: Uint8Array;
  /** The quoted packet parsed leniently (truncation is expected, no problems recorded) for error types. */
  quotedIp?: ParsedIp;
  /** Target address of an IPv6 neighbour solicitation (135) / advertisement (136). */
  ndTarget?: string;
}

export type ParsedL4 = ParsedTcp | ParsedUdp | ParsedIcmp;

export interface ParsedIp {
  version: 4 | 6;
  src: string;
  dst: string;
  /** TTL or hop limit. */
  ttl: number;
  hopLimit: number;
  /** IPv4 TOS / IPv6 traffic class. */
  tos: number;
  flowLabel: number;
  /** Upper-layer protocol (after IPv6 extension headers). */
  protocol: number;
  /** IPv4 protocol / IPv6 next header of the fixed header. */
  nextHeader: number;
  /** Bytes before the L4 header: IHL*4, or 40 + extension headers. */
  headerLength: number;
  /** IPv4 IHL field (words). */
  ihl: number;
  /** IPv4 total length field / 40 + IPv6 payload length. */
  totalLength: number;
  /** IPv6 payload length field. */
  payloadLength: number;
  /** IPv4 identification / IPv6 fragment id (0 without a fragment header). */
  id: number;
  df: boolean;
  mf: boolean;
  /** 8-byte units, as in the header (IPv4 or IPv6 fragment header). */
  fragOffset: number;
  isFragment: boolean;
  /** IPv4 options bytes. */
  options: Uint8Array;
  /** IPv6 extension headers in order (type, total length in bytes). */
  extHeaders: { type: number; length: number }[];
  /** IPv4 header checksum field. */
  checksum: number;
  /** IPv4 header checksum verifies (always true for IPv6). */
  headerChecksumOk: boolean;
  /** TCP/UDP/ICMP checksum verifies; undefined when it cannot be checked (fragment, unknown protocol, truncated). */
  l4ChecksumOk: boolean | undefined;
  /** Length fields agree with each other and with the bytes present. */
  lengthsOk: boolean;
  /** Inner packet of IPIP (4) / IPv6-in-IP (41). */
  inner?: ParsedIp;
  l4?: ParsedL4;
  tcp?: ParsedTcp;
  udp?: ParsedUdp;
  icmp?: ParsedIcmp;
  /** After the L4 header; the whole IP payload when there is no L4 header parsed. */
  payload: Uint8Array;
  /** The packet as delimited by its length fields (clamped to the bytes present). */
  bytes: Uint8Array;
  problems: string[];
}

export interface ParsedFrame {
  bytes: Uint8Array;
  eth: ParsedEth;
  arp?: ParsedArp;
  ip?: ParsedIp;
  /** Bytes after the IP packet (Ethernet padding). */
  trailer: Uint8Array;
  /** Every IPv4 header in the frame (outer and inner) verifies; undefined when there is none. */
  ipv4HeaderChecksumOk: boolean | undefined;
  /** The innermost packet's L4 checksum verifies; undefined when it cannot be checked. */
  l4ChecksumOk: boolean | undefined;
  /** Every length field is consistent with the frame. */
  lengthsOk: boolean;
  /** Human-readable list of everything wrong (outer and inner); empty when all checks pass. */
  problems: string[];
  /** problems.length === 0. */
  ok: boolean;
}

function parseL4(ip: ParsedIp, data: Uint8Array, srcB: Uint8Array, dstB: Uint8Array, lenient: boolean): void {
  const p = ip.problems;
  const checkable = !ip.isFragment && !lenient;
  if (ip.protocol === IPPROTO_TCP) {
    // A quoted packet in an ICMP error may hold only the first 8 bytes (ports, seq): zero-fill the rest.
    if (lenient && data.length >= 8 && data.length < 20) data = concat(data, new Uint8Array(20 - data.length));
    if (data.length < 20) { p.push(`tcp: ${data.length} bytes, header needs 20`); ip.lengthsOk = false; return; }
    const dataOffset = data[12]! >> 4;
    const hl = dataOffset * 4;
    if (hl < 20 || hl > data.length) { p.push(`tcp: data offset ${dataOffset} invalid for ${data.length} bytes`); ip.lengthsOk = false; }
    const hlc = Math.min(Math.max(hl, 20), data.length);
    const t: ParsedTcp = {
      kind: 'tcp', sport: rd16(data, 0), dport: rd16(data, 2), seq: rd32(data, 4), ack: rd32(data, 8),
      flags: tcpFlagsText(data[13]!), flagsByte: data[13]!, window: rd16(data, 14), checksum: rd16(data, 16),
      urgent: rd16(data, 18), dataOffset, headerLength: hl, options: data.slice(20, hlc),
    };
    ip.l4 = ip.tcp = t;
    ip.payload = data.subarray(hlc);
    if (checkable) ip.l4ChecksumOk = onesSum(data, onesSum(pseudoHeader(srcB, dstB, IPPROTO_TCP, data.length))) === 0xffff;
  } else if (ip.protocol === IPPROTO_UDP) {
    if (data.length < 8) { p.push(`udp: ${data.length} bytes, header needs 8`); ip.lengthsOk = false; return; }
    const u: ParsedUdp = { kind: 'udp', sport: rd16(data, 0), dport: rd16(data, 2), length: rd16(data, 4), checksum: rd16(data, 6) };
    ip.l4 = ip.udp = u;
    ip.payload = data.subarray(8, Math.max(8, Math.min(u.length, data.length)));
    if (!lenient && !ip.isFragment && u.length !== data.length) {
      p.push(`udp: length field ${u.length} but ${data.length} bytes of IP payload`); ip.lengthsOk = false;
    }
    if (checkable) {
      if (u.checksum === 0) {
        ip.l4ChecksumOk = ip.version === 4; // zero = not computed; not allowed over IPv6
      } else {
        ip.l4ChecksumOk = onesSum(data, onesSum(pseudoHeader(srcB, dstB, IPPROTO_UDP, data.length))) === 0xffff;
      }
    }
  } else if (ip.protocol === IPPROTO_ICMP || ip.protocol === IPPROTO_ICMPV6) {
    const v6 = ip.protocol === IPPROTO_ICMPV6;
    if (data.length < 8) { p.push(`icmp: ${data.length} bytes, header needs 8`); ip.lengthsOk = false; return; }
    const type = data[0]!, code = data[1]!;
    const ic: ParsedIcmp = {
      kind: v6 ? 'icmpv6' : 'icmp', type, code, checksum: rd16(data, 2), rest: rd32(data, 4),
      id: rd16(data, 4), seq: rd16(data, 6), quoted: data.subarray(8),
    };
    if (!v6 && type === 3 && code === 4) ic.mtu = rd16(data, 6);
    if (v6 && type === 2) ic.mtu = rd32(data, 4);
    if (v6 && (type === 135 || type === 136) && data.length >= 24) ic.ndTarget = addrText(data.subarray(8, 24));
    const isError = v6 ? type < 128 : [3, 4, 5, 11, 12].includes(type);
    if (isError && ic.quoted.length >= 20) {
      const q = parseIp(ic.quoted, true);
      if (q) ic.quotedIp = q;
    }
    ip.l4 = ip.icmp = ic;
    ip.payload = data.subarray(8);
    if (checkable) {
      ip.l4ChecksumOk = v6
        ? onesSum(data, onesSum(pseudoHeader(srcB, dstB, IPPROTO_ICMPV6, data.length))) === 0xffff
        : onesSum(data) === 0xffff;
    }
  }
}

function parseIp(b: Uint8Array, lenient = false): ParsedIp | undefined {
  if (b.length < 1) return undefined;
  const version = b[0]! >> 4;
  const problems: string[] = [];
  const base = {
    flowLabel: 0, id: 0, df: false, mf: false, fragOffset: 0, isFragment: false, options: new Uint8Array(0),
    extHeaders: [] as { type: number; length: number }[], checksum: 0, headerChecksumOk: true,
    l4ChecksumOk: undefined as boolean | undefined, lengthsOk: true, payloadLength: 0, ihl: 0, problems,
  };
  if (version === 4) {
    if (b.length < 20) { if (!lenient) problems.push(`ipv4: ${b.length} bytes, header needs 20`); return lenient ? undefined : truncatedIp(4, b, problems); }
    const ihl = b[0]! & 0xf;
    const hl = ihl * 4;
    const totalLength = rd16(b, 2);
    const fl = rd16(b, 6);
    const srcB = b.subarray(12, 16), dstB = b.subarray(16, 20);
    const ip: ParsedIp = {
      ...base, version: 4, src: addrText(srcB), dst: addrText(dstB), ttl: b[8]!, hopLimit: b[8]!, tos: b[1]!,
      protocol: b[9]!, nextHeader: b[9]!, headerLength: hl, ihl, totalLength, id: rd16(b, 4),
      df: !!(fl & 0x4000), mf: !!(fl & 0x2000), fragOffset: fl & 0x1fff, checksum: rd16(b, 10),
      payload: new Uint8Array(0), bytes: b,
    };
    ip.isFragment = ip.mf || ip.fragOffset > 0;
    if (hl < 20 || hl > b.length) {
      if (!lenient) { problems.push(`ipv4: IHL ${ihl} invalid for ${b.length} bytes`); ip.lengthsOk = false; }
      return ip;
    }
    ip.options = b.slice(20, hl);
    ip.headerChecksumOk = onesSum(b.subarray(0, hl)) === 0xffff;
    if (!ip.headerChecksumOk && !lenient) problems.push(`ipv4: header checksum 0x${ip.checksum.toString(16)} does not verify`);
    let end = totalLength;
    if (totalLength < hl || totalLength > b.length) {
      if (!lenient) { problems.push(`ipv4: total length ${totalLength} but header ${hl} and ${b.length} bytes present`); ip.lengthsOk = false; }
      end = Math.min(Math.max(totalLength, hl), b.length);
    }
    ip.bytes = b.subarray(0, end);
    finishIp(ip, b.subarray(hl, end), srcB, dstB, lenient);
    return ip;
  }
  if (version === 6) {
    if (b.length < 40) { if (!lenient) problems.push(`ipv6: ${b.length} bytes, header needs 40`); return lenient ? undefined : truncatedIp(6, b, problems); }
    const w0 = rd32(b, 0);
    const payloadLength = rd16(b, 4);
    const srcB = b.subarray(8, 24), dstB = b.subarray(24, 40);
    const ip: ParsedIp = {
      ...base, version: 6, src: addrText(srcB), dst: addrText(dstB), ttl: b[7]!, hopLimit: b[7]!,
      tos: (w0 >>> 20) & 0xff, flowLabel: w0 & 0xfffff, protocol: b[6]!, nextHeader: b[6]!, headerLength: 40,
      totalLength: 40 + payloadLength, payloadLength, payload: new Uint8Array(0), bytes: b,
    };
    let end = 40 + payloadLength;
    if (end > b.length) {
      if (!lenient) { problems.push(`ipv6: payload length ${payloadLength} but ${b.length - 40} bytes present`); ip.lengthsOk = false; }
      end = b.length;
    }
    ip.bytes = b.subarray(0, end);
    // Walk extension headers.
    let nh = b[6]!, o = 40;
    while (nh === IPPROTO_HOPOPTS || nh === IPPROTO_ROUTING || nh === IPPROTO_DSTOPTS || nh === IPPROTO_FRAGMENT) {
      if (o + 8 > end) {
        if (!lenient) { problems.push(`ipv6: extension header ${nh} truncated`); ip.lengthsOk = false; }
        ip.protocol = nh; ip.headerLength = o; ip.payload = b.subarray(o, end);
        return ip;
      }
      const len = nh === IPPROTO_FRAGMENT ? 8 : (b[o + 1]! + 1) * 8;
      if (nh === IPPROTO_FRAGMENT) {
        const f = rd16(b, o + 2);
        ip.fragOffset = f >> 3; ip.mf = !!(f & 1); ip.id = rd32(b, o + 4); ip.isFragment = true;
      }
      ip.extHeaders.push({ type: nh, length: len });
      nh = b[o]!;
      o += len;
    }
    if (o > end) {
      if (!lenient) { problems.push(`ipv6: extension headers run past the packet`); ip.lengthsOk = false; }
      o = end;
    }
    ip.protocol = nh;
    ip.headerLength = o;
    finishIp(ip, b.subarray(o, end), srcB, dstB, lenient);
    return ip;
  }
  if (!lenient) problems.push(`ip: version ${version}`);
  return lenient ? undefined : truncatedIp(4, b, problems);
}

function truncatedIp(version: 4 | 6, b: Uint8Array, problems: string[]): ParsedIp {
  return {
    version, src: '', dst: '', ttl: 0, hopLimit: 0, tos: 0, flowLabel: 0, protocol: -1, nextHeader: -1, headerLength: 0,
    ihl: 0, totalLength: 0, payloadLength: 0, id: 0, df: false, mf: false, fragOffset: 0, isFragment: false,
    options: new Uint8Array(0), extHeaders: [], checksum: 0, headerChecksumOk: false, l4ChecksumOk: undefined,
    lengthsOk: false, payload: b, bytes: b, problems,
  };
}

function finishIp(ip: ParsedIp, data: Uint8Array, srcB: Uint8Array, dstB: Uint8Array, lenient: boolean): void {
  ip.payload = data;
  if (ip.fragOffset > 0) return; // later fragment: no L4 header here
  if (ip.protocol === IPPROTO_IPIP || ip.protocol === IPPROTO_IPV6) {
    const inner = parseIp(data, lenient);
    if (inner) {
      ip.inner = inner;
      for (const q of inner.problems) ip.problems.push(`inner ${q}`);
      if (!inner.lengthsOk) ip.lengthsOk = false;
      if (!lenient && inner.bytes.length !== data.length) {
        ip.problems.push(`inner packet is ${inner.bytes.length} bytes but outer carries ${data.length}`);
        ip.lengthsOk = false;
      }
    }
    return;
  }
  parseL4(ip, data, srcB, dstB, lenient);
  if (ip.l4ChecksumOk === false) ip.problems.push(`${ip.l4!.kind}: checksum 0x${ip.l4!.checksum.toString(16)} does not verify`);
}

/** Parse an IP packet (no Ethernet header). */
export function parsePacket(bytes: Uint8Array): ParsedIp {
  return parseIp(bytes) ?? truncatedIp(4, bytes, ['ip: empty']);
}

export function parseFrame(bytes: Uint8Array): ParsedFrame {
  const problems: string[] = [];
  if (bytes.length < 14) {
    problems.push(`ethernet: ${bytes.length} bytes, header needs 14`);
    return {
      bytes, eth: { dst: '', src: '', vlans: [], type: 0, headerLength: 0 }, trailer: new Uint8Array(0),
      ipv4HeaderChecksumOk: undefined, l4ChecksumOk: undefined, lengthsOk: false, problems, ok: false,
    };
  }
  const eth: ParsedEth = { dst: macText(bytes.subarray(0, 6)), src: macText(bytes.subarray(6, 12)), vlans: [], type: 0, headerLength: 14 };
  let o = 12;
  while (o + 4 <= bytes.length && (rd16(bytes, o) === ETH_P_8021Q || rd16(bytes, o) === ETH_P_8021AD)) {
    const tci = rd16(bytes, o + 2);
    if (eth.vlan === undefined) { eth.vlan = tci & 0x0fff; eth.pcp = tci >> 13; }
    eth.vlans.push(tci & 0x0fff);
    o += 4;
  }
  let lengthsOk = true;
  if (o + 2 > bytes.length) {
    problems.push('ethernet: truncated VLAN tag');
    return { bytes, eth, trailer: new Uint8Array(0), ipv4HeaderChecksumOk: undefined, l4ChecksumOk: undefined, lengthsOk: false, problems, ok: false };
  }
  eth.type = rd16(bytes, o);
  eth.headerLength = o + 2;
  const body = bytes.subarray(eth.headerLength);
  const f: ParsedFrame = {
    bytes, eth, trailer: new Uint8Array(0), ipv4HeaderChecksumOk: undefined, l4ChecksumOk: undefined,
    lengthsOk, problems, ok: true,
  };
  if (eth.type === ETH_P_ARP) {
    if (body.length < 28) { problems.push(`arp: ${body.length} bytes, needs 28`); f.lengthsOk = false; }
    else {
      f.arp = {
        op: rd16(body, 6), senderMac: macText(body.subarray(8, 14)), senderIp: addrText(body.subarray(14, 18)),
        targetMac: macText(body.subarray(18, 24)), targetIp: addrText(body.subarray(24, 28)),
      };
      f.trailer = body.subarray(28);
    }
  } else if (eth.type === ETH_P_IP || eth.type === ETH_P_IPV6) {
    const ipp = parsePacket(body);
    f.ip = ipp;
    if ((eth.type === ETH_P_IP) !== (ipp.version === 4)) problems.push(`ethertype 0x${eth.type.toString(16)} carries IPv${ipp.version}`);
    problems.push(...ipp.problems);
    f.lengthsOk = ipp.lengthsOk;
    f.trailer = body.subarray(ipp.bytes.length);
    // Checks over the chain of headers.
    let v4ok: boolean | undefined;
    let cur: ParsedIp | undefined = ipp;
    let innermost = ipp;
    while (cur) {
      if (cur.version === 4 && cur.ihl >= 5) v4ok = (v4ok ?? true) && cur.headerChecksumOk;
      innermost = cur;
      cur = cur.inner;
    }
    f.ipv4HeaderChecksumOk = v4ok;
    f.l4ChecksumOk = innermost.l4ChecksumOk;
  }
  f.ok = problems.length === 0;
  return f;
}
