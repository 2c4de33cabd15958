// Frames for the data-plane fuzzer, built with test/lib/packet.ts (independent of the
// program) from what the director is configured with and what its maps hold: new and
// established flows, NAT replies, ICMP errors both ways, fragments in and out of order,
// packets too big for tunnels, frames that are not ours, then mutated (truncated, bits
// flipped, length fields lied about, checksums broken, tags added).
import { ip as parseAddr, ipFromBytes } from '../../../src/core/addr.js';
import { flowKey } from '../../../src/dataplane/codec.js';
import type { ServiceSpec } from '../../../src/core/model.js';
import {
  ipPacket, ethFrame, ether, arp, concat, fragment, macBytes, inetChecksum, ETH_P_8021AD, ETH_P_8021Q, type FrameOpts, type PacketOpts,
} from '../packet.js';
import type { World } from '../model/world.js';
import { Rng } from './rng.js';
import { type Scenario, DIR_MAC, clientAddr, markTarget } from './scenario.js';

export const CLIENT_MAC = '02:00:00:00:0c:01';

export type Category =
  | 'new' | 'established' | 'nat-reply' | 'icmp-to-vip' | 'icmp-from-real' | 'fragments' | 'nat-fragments' | 'too-big'
  | 'not-ours' | 'link' | 'martian' | 'filter-neighbour' | 'ipv4-options' | 'ipv6-ext' | 'vlan' | 'random'
  | 'truncate-sweep' | 'field-sweep';

export interface Burst { category: Category; mutation?: string; frames: Uint8Array[] }

interface Tuple { family: 4 | 6; src: string; dst: string; sport: number; dport: number; proto: 'tcp' | 'udp' }

const ROUTERS = { 4: '192.0.2.254', 6: '2001:db8:ff::1' } as const;
const MARTIANS = { 4: ['0.0.0.0', '0.1.2.3', '127.0.0.1', '224.0.0.1', '239.255.255.250', '255.255.255.255'], 6: ['::', '::1', 'ff02::1', 'ff0e::2'] } as const;
/** 240/4 is not a martian source for Linux. */
const NOT_MARTIANS = { 4: ['240.0.0.1', '223.255.255.254', '1.2.3.4'], 6: ['fe80::1', '::2', '2001:db8:c::ffff'] } as const;

const u16 = (v: number) => Uint8Array.of((v >> 8) & 0xff, v & 0xff);

export class FrameGen {
  constructor(private readonly rng: Rng, private readonly sc: Scenario, private readonly world: () => World,
    private readonly neighbours: { family: 4 | 6; addr: string }[]) {}

  next(): Burst {
    const r = this.rng;
    const cat = r.weighted<Category>([
      ['new', 18], ['established', 16], ['nat-reply', 8], ['icmp-to-vip', 6], ['icmp-from-real', 4], ['fragments', 5],
      ['nat-fragments', 3], ['too-big', 4], ['not-ours', 4], ['link', 2], ['martian', 2], ['filter-neighbour', 3],
      ['ipv4-options', 3], ['ipv6-ext', 4], ['vlan', 3], ['random', 1], ['truncate-sweep', 0.12], ['field-sweep', 0.6],
    ]);
    const frames = this.make(cat);
    if (cat !== 'truncate-sweep' && cat !== 'field-sweep' && r.chance(0.3)) {
      const m = this.mutation();
      return { category: cat, mutation: m.name, frames: frames.map((f) => m.apply(f)) };
    }
    return { category: cat, frames };
  }

  private make(cat: Category): Uint8Array[] {
    switch (cat) {
      case 'new': return [this.eth(this.newFlow())];
      case 'established': return [this.eth(this.established() ?? this.newFlow())];
      case 'nat-reply': return this.natReply();
      case 'icmp-to-vip': return this.icmpToVip();
      case 'icmp-from-real': return this.icmpFromReal();
      case 'fragments': return this.fragments();
      case 'nat-fragments': return this.natFragments();
      case 'too-big': return [this.eth(this.tooBig())];
      case 'not-ours': return [this.notOurs()];
      case 'link': return [this.eth(this.newFlow(), { ethDst: this.rng.pick(['ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', '33:33:00:00:00:01', '02:00:00:00:0d:99']) })];
      case 'martian': {
        const o = this.newFlow();
        const fam = parseAddr(o.dst).family;
        o.src = this.rng.chance(0.8) ? this.rng.pick(MARTIANS[fam]) : this.rng.pick(NOT_MARTIANS[fam]);
        return [this.eth(o)];
      }
      case 'filter-neighbour': return this.filterNeighbour();
      case 'ipv4-options': return [this.eth(this.withOptions(this.newOrEstablished(4)))];
      case 'ipv6-ext': return [this.withExtHeaders(this.newOrEstablished(6))];
      case 'vlan': return [this.tagged(this.eth(this.newOrEstablished()))];
      case 'random': {
        const body = this.rng.bytes(this.rng.range(0, 120));
        if (body.length) body[0] = this.rng.chance(0.5) ? 0x45 : 0x60 | (body[0]! & 15);
        return [ether({ dst: DIR_MAC, src: CLIENT_MAC, type: this.rng.chance(0.5) ? 0x0800 : 0x86dd, payload: body })];
      }
      case 'truncate-sweep': {
        const f = this.rng.chance(0.5) ? this.eth(this.newOrEstablished()) : this.rng.pick(this.icmpToVip().concat(this.natReply()));
        return Array.from({ length: f.length - 13 }, (_, i) => f.slice(0, 14 + i));
      }
      case 'field-sweep': return this.fieldSweep();
    }
  }

  // ---- Building blocks ----------------------------------------------------------

  private services(): ServiceSpec[] { return this.sc.state.services; }

  private eth(o: PacketOpts, l2: { ethDst?: string; ethSrc?: string; vlan?: number } = {}): Uint8Array {
    const own = this.sc.ifMac ?? DIR_MAC;
    return ethFrame({ ethDst: l2.ethDst ?? own, ethSrc: l2.ethSrc ?? CLIENT_MAC, ...(l2.vlan !== undefined ? { vlan: l2.vlan } : {}) }, ipPacket(o));
  }

  private port(): number { return this.rng.weighted([[this.rng.range(1024, 65535), 8], [0, 1], [65535, 1], [1, 1]] as const); }

  private client(family: 4 | 6): string {
    if (this.rng.chance(0.1)) {
      const n = this.neighbours.filter((x) => x.family === family);
      if (n.length) return this.rng.pick(n).addr;
    }
    return clientAddr(family, this.rng.int(family === 4 ? 250 : 4000));
  }

  private flags(): string {
    return this.rng.weighted([['S', 10], ['A', 6], ['PA', 3], ['FA', 2], ['R', 1], ['SA', 1], ['SF', 0.5], ['', 0.5], ['SR', 0.3]] as const);
  }

  private packet(t: Tuple, extra: Partial<PacketOpts> = {}): PacketOpts {
    const r = this.rng;
    const payload = r.bytes(r.weighted([[0, 3], [r.range(1, 64), 6], [r.range(64, 600), 2], [r.range(600, 1600), 1]] as const));
    const base: PacketOpts = {
      src: t.src, dst: t.dst, proto: t.proto, payload,
      ttl: r.weighted([[64, 8], [0, 1], [1, 1], [255, 1]] as const), tos: r.chance(0.2) ? r.int(256) : 0,
      df: r.chance(0.6), id: r.int(65536), ...(t.family === 6 && r.chance(0.2) ? { flowLabel: r.int(1 << 20) } : {}),
    };
    if (t.proto === 'tcp') base.tcp = { sport: t.sport, dport: t.dport, flags: this.flags(), seq: r.u32(), ack: r.u32(), ...(r.chance(0.1) ? { options: r.bytes(r.range(1, 40)) } : {}) };
    else { base.udp = { sport: t.sport, dport: t.dport }; if (t.family === 4 && r.chance(0.1)) base.udpZeroChecksum = true; }
    if (r.chance(0.05)) base.badChecksum = { l4: true };
    return { ...base, ...extra };
  }

  /**
   * Where a service's packets go: its VIP, port and protocol; for a fwmark service, an
   * address, port and protocol one of its mark rules covers (or any port).
   */
  private dest(s: ServiceSpec): { dst: string; port: number; proto: 'tcp' | 'udp' } {
    const rules = (this.sc.state.marks ?? []).filter((m) => m.mark === s.fwmark);
    if (s.fwmark && rules.length) {
      const t = markTarget(this.rng, this.rng.pick(rules));
      return { dst: t.dst, port: t.dport, proto: t.proto };
    }
    return { dst: s.vip, port: s.port, proto: s.protocol };
  }

  /** A packet for a service (or near one: the other protocol, another port). */
  private newFlow(): PacketOpts {
    const r = this.rng;
    const d = this.dest(r.pick(this.services()));
    const family = parseAddr(d.dst).family;
    let proto: 'tcp' | 'udp' = d.proto;
    if (r.chance(0.05)) proto = proto === 'tcp' ? 'udp' : 'tcp';
    const dport = d.port === 0 || r.chance(0.05) ? this.port() : d.port;
    return this.packet({ family, src: this.client(family), dst: d.dst, sport: this.port(), dport, proto });
  }

  private existing(table: 'flows' | 'embryos' | 'natRev'): Tuple | undefined {
    const w = this.world();
    const m = table === 'flows' ? w.flows : table === 'embryos' ? w.embryos : w.natRev;
    if (!m.size) return undefined;
    const ks = [...m.keys()];
    const k = flowKey.decode(Uint8Array.from(Buffer.from(ks[this.rng.int(ks.length)]!, 'hex')));
    const family = k.family as 4 | 6;
    if (k.proto !== 6 && k.proto !== 17) return undefined;
    const text = (a: Uint8Array) => ipFromBytes(a.subarray(0, family === 4 ? 4 : 16)).text;
    return { family, src: text(k.src), dst: text(k.dst), sport: k.sport, dport: k.dport, proto: k.proto === 6 ? 'tcp' : 'udp' };
  }

  private established(): PacketOpts | undefined {
    const t = this.existing(this.rng.chance(0.8) ? 'flows' : 'embryos');
    return t && this.packet(t);
  }

  private newOrEstablished(family?: 4 | 6): PacketOpts {
    for (let i = 0; i < 8; i++) {
      const o = this.rng.chance(0.5) ? this.established() ?? this.newFlow() : this.newFlow();
      if (!family || parseAddr(o.dst).family === family) return o;
    }
    const fam = family!;
    return this.packet({ family: fam, src: clientAddr(fam, 7), dst: fam === 4 ? '203.0.113.10' : '2001:db8::10', sport: 4000, dport: 80, proto: 'tcp' });
  }

  private realEth(addr: string): string { return this.sc.realMacs.get(addr) ?? '02:00:00:00:0a:99'; }

  private replyTuple(): Tuple | undefined { return this.existing('natRev'); }

  private natReply(): Uint8Array[] {
    const t = this.replyTuple();
    if (!t) return [this.eth(this.newFlow())];
    const o = this.packet(t);
    return [this.maybeTag(this.eth(o, { ethSrc: this.realEth(t.src) }))];
  }

  /** An ICMP error about the VIP's reply to a client (a router on the way), sent to the VIP. */
  private icmpToVip(): Uint8Array[] {
    const r = this.rng;
    const t = this.existing(r.chance(0.85) ? 'flows' : 'embryos') ?? { ...this.tupleOf(this.newFlow()) };
    const reply = this.quoted(this.packet({ ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport }, { payload: r.bytes(r.range(0, 1400)) }));
    const to = r.chance(0.9) ? t.dst : this.client(t.family);
    return [this.eth(this.icmpError(t.family, r.chance(0.8) ? ROUTERS[t.family] : this.client(t.family), to, reply))];
  }

  /** An ICMP error from a NAT real (or a router behind it) about what the director sent it. */
  private icmpFromReal(): Uint8Array[] {
    const r = this.rng;
    const t = this.replyTuple();
    if (!t) return this.icmpToVip();
    // The real got client -> real:rport; its reply tuple is real:rport -> client.
    const got = this.quoted(this.packet({ ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport }));
    const from = r.chance(0.8) ? t.src : ROUTERS[t.family];
    return [this.maybeTag(this.eth(this.icmpError(t.family, from, t.dst, got), { ethSrc: this.realEth(t.src) }))];
  }

  /** The packet an ICMP error quotes: sometimes with IPv4 options or an IPv6 extension header. */
  private quoted(o: PacketOpts): Uint8Array {
    const r = this.rng;
    const v6 = parseAddr(o.dst).family === 6;
    if (!v6 && r.chance(0.1)) return ipPacket(this.withOptions(o));
    if (v6 && r.chance(0.1)) return insertV6Ext(ipPacket(o), [{ type: r.pick([0, 60, 44]), len: 8 }], r);
    return ipPacket(o);
  }

  private icmpError(family: 4 | 6, src: string, dst: string, quoted: Uint8Array): PacketOpts {
    const r = this.rng;
    const type = family === 4
      ? r.weighted([[3, 6], [11, 2], [4, 1], [0, 0.5], [8, 0.5], [5, 0.3], [12, 0.5]] as const)
      : r.weighted([[2, 4], [1, 3], [3, 2], [4, 1], [128, 0.5], [129, 0.3], [135, 0.3], [100, 0.2]] as const);
    const code = type === 3 ? r.pick([0, 1, 3, 4, 13]) : r.chance(0.8) ? 0 : r.int(256);
    let quote = quoted;
    const v4hl = (quoted[0]! & 15) * 4;
    const minimal = family === 4 ? v4hl + 8 : 48;
    switch (r.weighted([['minimal', 4], ['long', 3], ['cut', 2], ['ports-only', 1]] as const)) {
      case 'minimal': quote = quoted.subarray(0, minimal); break;
      case 'long': quote = quoted.subarray(0, family === 4 ? 548 : 1232); break;
      case 'cut': quote = quoted.subarray(0, r.range(0, minimal + 4)); break;
      case 'ports-only': quote = quoted.subarray(0, minimal - 4); break;
    }
    quote = Uint8Array.from(quote);
    if (family === 4 && r.chance(0.05) && quote.length >= 8) { quote[6] = 0x00; quote[7] = r.range(1, 200); } // quoted later fragment
    const rest = type === 2 || (type === 3 && code === 4) ? Uint8Array.of(0, 0, 5, 0x78) : new Uint8Array(4);
    return {
      src, dst, proto: 'icmp', icmp: { type, code, rest }, payload: quote, ttl: r.pick([64, 1, 255]), df: r.chance(0.5),
      ...(r.chance(0.05) ? { badChecksum: { l4: true } } : {}),
    };
  }

  private tupleOf(o: PacketOpts): Tuple {
    const family = parseAddr(o.dst).family;
    const l4 = o.tcp ?? o.udp!;
    return { family, src: o.src, dst: o.dst, sport: l4.sport, dport: l4.dport, proto: o.tcp ? 'tcp' : 'udp' };
  }

  /** A datagram to a VIP in fragments: in order, shuffled, some missing, duplicated; IPv6 fragment headers behind others. */
  private fragments(): Uint8Array[] {
    const r = this.rng;
    const t = this.tupleOf(r.chance(0.5) ? this.established() ?? this.newFlow() : this.newFlow());
    const pkt = ipPacket(this.packet(t, { payload: r.bytes(r.range(16, 2800)) }));
    return this.sendFragments(pkt, {});
  }

  private natFragments(): Uint8Array[] {
    const r = this.rng;
    const t = this.replyTuple();
    if (!t) return this.fragments();
    const pkt = ipPacket(this.packet(t, { payload: r.bytes(r.range(16, 2800)) }));
    return this.sendFragments(pkt, { ethSrc: this.realEth(t.src) });
  }

  private sendFragments(pkt: Uint8Array, l2: { ethSrc?: string }): Uint8Array[] {
    const r = this.rng;
    const mtu = r.pick([68, 128, 256, 576, 1280, 1400, 1500]);
    let frags = fragment(pkt, Math.max(mtu, pkt[0]! >> 4 === 6 ? 1280 / 4 : 68), r.u32(), { keepDf: true });
    if (pkt[0]! >> 4 === 6 && r.chance(0.3)) frags = frags.map((f) => insertV6Ext(f, [{ type: 60, len: 8 }], r));
    switch (r.weighted([['in order', 6], ['shuffled', 2], ['last first', 2], ['missing', 1], ['duplicated', 1]] as const)) {
      case 'shuffled': for (let i = frags.length - 1; i > 0; i--) { const j = r.int(i + 1); [frags[i], frags[j]] = [frags[j]!, frags[i]!]; } break;
      case 'last first': frags = [frags[frags.length - 1]!, ...frags.slice(0, -1)]; break;
      case 'missing': frags = frags.filter(() => r.chance(0.7)); break;
      case 'duplicated': frags = frags.flatMap((f) => (r.chance(0.3) ? [f, f] : [f])); break;
    }
    const tag = r.chance(0.1) ? { vlan: r.int(4095) } : {};
    return frags.map((f) => ethFrame({ ethDst: this.sc.ifMac ?? DIR_MAC, ethSrc: l2.ethSrc ?? CLIENT_MAC, ...tag }, f));
  }

  /** A packet around the MTU of a tunnel real's path. */
  private tooBig(): PacketOpts {
    const r = this.rng;
    const tun = this.services().filter((s) => s.reals.some((x) => x.method === 'tun'));
    const d = this.dest(tun.length ? r.pick(tun) : r.pick(this.services()));
    const family = parseAddr(d.dst).family;
    const size = r.pick([576, 1232, 1260, 1280, 1300, 1380, 1400, 1460, 1480, 1500, 2000]) + r.range(-2, 2);
    const dport = d.port || this.port();
    const t: Tuple = { family, src: this.client(family), dst: d.dst, sport: this.port(), dport, proto: d.proto };
    const hdr = (family === 4 ? 20 : 40) + (d.proto === 'tcp' ? 20 : 8);
    return this.packet(t, { payload: r.bytes(Math.max(0, size - hdr)) });
  }

  private notOurs(): Uint8Array {
    const r = this.rng;
    const own = this.sc.ifMac ?? DIR_MAC;
    switch (r.weighted([['other address', 4], ['arp', 2], ['lldp', 1], ['qinq', 1], ['ping', 2], ['other l4', 2], ['icmp to host', 1], ['nd', 1]] as const)) {
      case 'other address': {
        const o = this.newFlow();
        o.dst = parseAddr(o.dst).family === 4 ? `203.0.113.${r.range(100, 200)}` : `2001:db8::${r.range(0x100, 0x200).toString(16)}`;
        return this.eth(o);
      }
      case 'arp': return arp({ op: r.pick([1, 2]), senderMac: CLIENT_MAC, senderIp: clientAddr(4, r.int(250)), targetIp: '203.0.113.10', ...(r.chance(0.5) ? { ethDst: own } : {}) });
      case 'lldp': return ether({ dst: '01:80:c2:00:00:0e', src: CLIENT_MAC, type: 0x88cc, payload: r.bytes(40) });
      case 'qinq': return this.tagged(this.eth(this.newOrEstablished()), true);
      case 'ping': {
        const dst = this.dest(r.pick(this.services())).dst;
        const fam = parseAddr(dst).family;
        return this.eth({ src: this.client(fam), dst, proto: 'icmp', icmp: { type: fam === 4 ? 8 : 128, id: r.int(65536), seq: 1 }, payload: r.bytes(r.range(0, 56)) });
      }
      case 'other l4': {
        const dst = this.dest(r.pick(this.services())).dst;
        const fam = parseAddr(dst).family;
        return this.eth({ src: this.client(fam), dst, proto: r.pick([47, 50, 132, 0x3b, 4, 41]), payload: r.bytes(r.range(0, 80)) });
      }
      case 'icmp to host': {
        const fam: 4 | 6 = r.chance(0.5) ? 4 : 6;
        const t = this.existing('flows');
        const quoted = ipPacket(this.packet(t ? { ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport } : { family: fam, src: fam === 4 ? '203.0.113.10' : '2001:db8::10', dst: this.client(fam), sport: 80, dport: 5000, proto: 'tcp' }));
        const f: 4 | 6 = quoted[0]! >> 4 === 4 ? 4 : 6;
        return this.eth(this.icmpError(f, ROUTERS[f], f === 4 ? DIR_ADDR4 : DIR_ADDR6, quoted));
      }
      case 'nd': return this.eth({ src: this.client(6), dst: 'ff02::1:ff00:10', proto: 'icmp', icmp: { type: 135, rest: new Uint8Array(4) }, payload: concat(parseAddr('2001:db8::10').bytes, Uint8Array.of(1, 1, 2, 0, 0, 0, 0xc, 1)) },
        { ethDst: '33:33:ff:00:00:10' });
    }
  }

  /** Packets to or from addresses that share a filter bit with a VIP (nothing may depend on it). */
  private filterNeighbour(): Uint8Array[] {
    const r = this.rng;
    if (!this.neighbours.length) return [this.eth(this.newFlow())];
    const n = r.pick(this.neighbours);
    const o = this.newFlow();
    if (parseAddr(o.dst).family !== n.family) return [this.eth(o)];
    switch (r.int(3)) {
      case 0: o.dst = n.addr; if (r.chance(0.5)) o.src = r.pick(MARTIANS[n.family]); if (r.chance(0.3)) o.badChecksum = { ip: true }; return [this.eth(o)];
      case 1: { // a later fragment to the neighbour
        o.dst = n.addr;
        return this.sendFragments(ipPacket({ ...o, payload: r.bytes(600) }), {}).slice(1);
      }
      default: { // an ICMP error to the neighbour quoting a flow
        const t = this.existing('flows');
        if (!t || t.family !== n.family) return [this.eth(o)];
        const reply = ipPacket(this.packet({ ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport }));
        return [this.eth(this.icmpError(t.family, ROUTERS[t.family], n.addr, reply))];
      }
    }
  }

  private withOptions(o: PacketOpts): PacketOpts {
    const r = this.rng;
    const opts = r.weighted<Uint8Array>([
      [Uint8Array.of(1, 1, 1, 0), 3], // NOPs, EOL
      [Uint8Array.of(7, 11, 4, ...new Uint8Array(8)), 2], // record route
      [Uint8Array.of(0x44, 12, 5, 0, ...new Uint8Array(8)), 2], // timestamp
      [Uint8Array.of(0x94, 4, 0, 0), 2], // router alert
      [Uint8Array.of(0x83, 7, 4, 198, 51, 100, 9), 1], // loose source route
      [r.bytes(r.range(1, 40)), 2], // garbage
      [new Uint8Array(40), 1],
    ]);
    return { ...o, ipOptions: opts.subarray(0, 40) };
  }

  private withExtHeaders(o: PacketOpts): Uint8Array {
    const r = this.rng;
    const n = r.weighted([[1, 4], [2, 3], [3, 1], [6, 1], [7, 1]] as const);
    const chain = Array.from({ length: n }, () => r.weighted([
      [{ type: 0, len: 8 }, 3], [{ type: 60, len: 8 * r.range(1, 4) }, 3], [{ type: 43, len: 24, segLeft: r.chance(0.8) ? 0 : r.range(1, 3) }, 2],
      [{ type: 44, len: 8 }, 1], [{ type: 51, len: 12 + 4 * r.int(3) }, 1], [{ type: 60, len: 8 * r.range(60, 140) }, 0.3],
    ] as const));
    const pkt = insertV6Ext(ipPacket(o), chain, r);
    if (r.chance(0.15)) {
      // The payload length ends the packet inside the chain (the bytes stay in the frame).
      const extLen = chain.reduce((n, e) => n + e.len, 0);
      const cut = r.range(0, extLen + 8);
      pkt[4] = (cut >> 8) & 0xff; pkt[5] = cut & 0xff;
    }
    return ethFrame({ ethDst: this.sc.ifMac ?? DIR_MAC, ethSrc: CLIENT_MAC }, pkt);
  }

  private maybeTag(f: Uint8Array): Uint8Array { return this.rng.chance(0.15) ? this.tagged(f) : f; }

  /** The frame with an 802.1Q or 802.1ad tag (or two: QinQ). */
  private tagged(f: Uint8Array, qinq = this.rng.chance(0.15)): Uint8Array {
    const r = this.rng;
    const tag = (tpid: number) => concat(u16(tpid), u16((r.int(8) << 13) | r.int(4096)));
    const tags = qinq ? concat(tag(ETH_P_8021AD), tag(ETH_P_8021Q)) : tag(r.chance(0.8) ? ETH_P_8021Q : ETH_P_8021AD);
    return concat(f.subarray(0, 12), tags, f.subarray(12));
  }

  /** One valid frame with a field swept over its values (IHL, data offset, lengths, TTL). */
  private fieldSweep(): Uint8Array[] {
    const r = this.rng;
    const f = this.eth(this.newOrEstablished());
    const six = f[14]! >> 4 === 6, hl = six ? 40 : (f[14]! & 15) * 4;
    const l4 = 14 + hl, proto = six ? f[20]! : f[23]!;
    const fix = (g: Uint8Array) => (six ? g : fixIpv4Checksum(g, 14));
    const out: Uint8Array[] = [];
    const field = r.weighted([['ihl', 1], ['total', 2], ['doff', 1], ['ulen', 1], ['version', 0.5]] as const);
    const values = (n: number) => Array.from({ length: n }, (_, i) => i);
    if (field === 'ihl' && !six) for (const v of values(16)) { const g = Uint8Array.from(f); g[14] = 0x40 | v; out.push(fix(g)); }
    else if (field === 'total') {
      const len = f.length - 14;
      for (const v of [0, 1, hl - 1, hl, hl + 1, hl + 7, hl + 8, len - 1, len, len + 1, 65535, r.int(65536)]) {
        const g = Uint8Array.from(f);
        if (six) { g[18] = ((v - 40) >> 8) & 0xff; g[19] = (v - 40) & 0xff; } else { g[16] = (v >> 8) & 0xff; g[17] = v & 0xff; }
        out.push(fix(g));
      }
    } else if (field === 'doff' && proto === 6) for (const v of values(16)) { const g = Uint8Array.from(f); g[l4 + 12] = (v << 4) | (g[l4 + 12]! & 15); out.push(fix(g)); }
    else if (field === 'ulen' && proto === 17) {
      for (const v of [0, 1, 7, 8, 9, f.length - l4 - 1, f.length - l4, f.length - l4 + 1, 65535]) { const g = Uint8Array.from(f); g[l4 + 4] = (v >> 8) & 0xff; g[l4 + 5] = v & 0xff; out.push(g); }
    } else for (const v of values(16)) { const g = Uint8Array.from(f); g[14] = (v << 4) | (g[14]! & 15); out.push(fix(g)); }
    return out;
  }

  // ---- Mutations -------------------------------------------------------------------

  private mutation(): { name: string; apply: (f: Uint8Array) => Uint8Array } {
    const r = this.rng;
    const kind = r.weighted([['truncate', 3], ['bitflip', 3], ['bitflip+csum', 3], ['trailer', 2], ['ip-csum', 1], ['l4-csum', 1], ['length', 2], ['ttl', 1]] as const);
    const seed = r.u32();
    return {
      name: kind,
      apply: (f0: Uint8Array) => {
        const m = new Rng(seed ^ f0.length);
        const f = Uint8Array.from(f0);
        const l3 = l3Offset(f);
        switch (kind) {
          case 'truncate': return f.slice(0, m.range(14, Math.max(14, f.length - 1)));
          case 'bitflip': case 'bitflip+csum': {
            for (let i = m.range(1, 3); i > 0; i--) { const at = m.range(12, f.length - 1); f[at]! ^= 1 << m.int(8); }
            return kind === 'bitflip+csum' && l3 !== undefined && f[l3]! >> 4 === 4 ? fixIpv4Checksum(f, l3) : f;
          }
          case 'trailer': return concat(f, m.bytes(m.range(1, 40)));
          case 'ip-csum': if (l3 !== undefined && f[l3]! >> 4 === 4 && f.length >= l3 + 12) f[l3 + 11]! ^= 1 << m.int(8); return f;
          case 'l4-csum': {
            if (l3 === undefined || f.length < l3 + 20) return f;
            const hl = f[l3]! >> 4 === 4 ? (f[l3]! & 15) * 4 : 40;
            const proto = f[l3]! >> 4 === 4 ? f[l3 + 9]! : f[l3 + 6]!;
            const at = l3 + hl + (proto === 6 ? 16 : proto === 17 ? 6 : 2);
            if (at + 1 < f.length) f[at + m.int(2)]! ^= 1 << m.int(8);
            return f;
          }
          case 'length': {
            if (l3 === undefined || f.length < l3 + 8) return f;
            if (f[l3]! >> 4 === 4 && f.length >= l3 + 20) {
              const v = m.pick([0, 20, m.int(65536), f.length - l3 + m.range(-8, 8)]);
              f[l3 + 2] = (v >> 8) & 0xff; f[l3 + 3] = v & 0xff;
              return m.chance(0.8) ? fixIpv4Checksum(f, l3) : f;
            }
            const v = m.pick([0, m.int(65536), f.length - l3 - 40 + m.range(-8, 8)]) & 0xffff;
            f[l3 + 4] = v >> 8; f[l3 + 5] = v & 0xff;
            return f;
          }
          case 'ttl': {
            if (l3 === undefined || f.length < l3 + 20) return f;
            if (f[l3]! >> 4 === 4) { f[l3 + 8] = m.pick([0, 1]); return fixIpv4Checksum(f, l3); }
            f[l3 + 7] = m.pick([0, 1]);
            return f;
          }
        }
      },
    };
  }
}

const DIR_ADDR4 = '198.51.100.254';
const DIR_ADDR6 = '2001:db8:1::fe';

/** Where the IP header starts behind up to two tags, or undefined. */
export function l3Offset(f: Uint8Array): number | undefined {
  let o = 12;
  for (let i = 0; i < 2 && o + 4 <= f.length; i++) {
    const t = (f[o]! << 8) | f[o + 1]!;
    if (t !== 0x8100 && t !== 0x88a8) break;
    o += 4;
  }
  if (o + 2 > f.length) return undefined;
  const t = (f[o]! << 8) | f[o + 1]!;
  return t === 0x0800 || t === 0x86dd ? o + 2 : undefined;
}

/** The IPv4 header checksum made right again (after a mutation), if the header is there. */
export function fixIpv4Checksum(f: Uint8Array, l3: number): Uint8Array {
  const hl = (f[l3]! & 15) * 4;
  if (hl < 20 || l3 + hl > f.length) return f;
  f[l3 + 10] = 0; f[l3 + 11] = 0;
  const c = inetChecksum(f.subarray(l3, l3 + hl));
  f[l3 + 10] = c >> 8; f[l3 + 11] = c & 0xff;
  return f;
}

/** Extension headers inserted right after an IPv6 packet's fixed header (they do not change the L4 checksum). */
export function insertV6Ext(pkt: Uint8Array, chain: readonly { type: number; len: number; segLeft?: number }[], rng: Rng): Uint8Array {
  let next = pkt[6]!;
  const parts: Uint8Array[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const e = chain[i]!;
    const h = new Uint8Array(e.len);
    h[0] = next;
    if (e.type === 51) h[1] = e.len / 4 - 2;
    else if (e.type === 44) { h[2] = 0; h[3] = 0; h.set(rng.bytes(4), 4); }
    else h[1] = e.len / 8 - 1;
    if (e.type === 0 || e.type === 60) { h[2] = 1; h[3] = e.len - 4; } // PadN over the rest
    if (e.type === 43) { h[2] = 0; h[3] = e.segLeft ?? 0; }
    parts.unshift(h);
    next = e.type;
  }
  const ext = concat(...parts);
  const out = concat(pkt.subarray(0, 40), ext, pkt.subarray(40));
  out[6] = next;
  const pl = ((pkt[4]! << 8) | pkt[5]!) + ext.length;
  out[4] = (pl >> 8) & 0xff; out[5] = pl & 0xff;
  return out;
}

export type { FrameOpts };
