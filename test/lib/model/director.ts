// The reference model of the director's forwarding decision: for one frame, the verdict,
// the exit reason, the frame sent and what changes in the maps, from docs/dataplane.md
// (the packet path step by step, ICMP errors, fragments, checksums, flood defence,
// firewall-mark services matched against the configuration's mark rules, one-packet
// scheduling, tunnel types), IPVS's behaviour (ip_vs_core.c, ip_vs_xmit.c, the schedulers) and the RFCs. It does
// not follow the C code: where the two disagree, one of them is wrong.
import { FLOW, METHOD, REAL_F, SVC_F, SCHED_KIND, type EventName, type ReasonName } from '../../../src/dataplane/codec.js';
import { addr16, isZero, equalBytes } from './bytes.js';
import {
  type Action, type Exit, type Ip, type L2, type L4, type Quote, exit, parseL2, parseIp, parseL4, parseQuote, isIcmp,
  martian, ipv4HeaderOk, laterFragment, l4off, PROTO,
} from './parse.js';
import { type Sent, withMacs, encapsulate, tunnelHeaderLen, tooBig, natAddr, natRewrite, icmpNat, setL2 } from './output.js';
import { pickReal } from './sched.js';
import { flowDrawHash } from '../../../src/core/sched/hash.js';
import { keys, NO_REAL, World, type FlowV, type NatRevV, type RealM, type SvcM } from './world.js';

export interface Answer {
  action: Action;
  reason: ReasonName;
  /** The frame that leaves (TX/REDIRECT); PASS leaves the input as it was. */
  sent?: Sent;
  events: EventName[];
  /** The path through the decision, for reports. */
  path: string[];
}

const NS = 1_000_000_000n;
const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10;
const DEFENSE_ALWAYS = 3;

/** Where forwarding to a real failed or what left: the answer so far. */
type Verdict = Exit & { sent?: Sent };

interface Ctx {
  f: Uint8Array;
  l2: L2;
  ip: Ip;
  now: bigint;
  path: string[];
  events: EventName[];
  /** Ports and flags, once parsed (not for ICMP errors and later fragments). */
  l4?: L4;
}

/** What the next hop of a real is, when the control plane did not resolve it (the harness's namespace resolves nothing). */
export type FibFallback = (r: RealM) => { ifindex: number; dmac: Uint8Array; smac: Uint8Array; src: Uint8Array } | undefined;

export class Director {
  constructor(readonly w: World, private readonly fib: FibFallback = () => undefined) {}

  /**
   * The answer for one frame arriving on the ingress interface at time `now` (the
   * program's clock), applied to the world.
   */
  step(frame: Uint8Array, now: bigint): Answer {
    const path: string[] = [], events: EventName[] = [];
    const w = this.w;
    const origEvent = w.event.bind(w);
    w.event = (e: EventName) => { events.push(e); origEvent(e); };
    try {
      const v = this.decide(frame, now, path, events);
      w.reason(v.reason);
      return { action: v.action, reason: v.reason, ...(v.sent ? { sent: v.sent } : {}), events, path };
    } finally {
      w.event = origEvent;
    }
  }

  private decide(f: Uint8Array, now: bigint, path: string[], events: EventName[]): Verdict {
    const w = this.w;
    // 1. Ethernet, unicast to us, IP.
    const l2 = parseL2(f);
    if ('reason' in l2) return l2;
    if (l2.dstMac[0]! & 1) return exit('pass_not_unicast');
    const own = w.cfg.ifMacs.get(w.cfg.ingress);
    if (own && !equalBytes(own, l2.dstMac)) return exit('pass_other_host');
    const ip = parseIp(f, l2);
    if ('reason' in ip) return ip;
    const c: Ctx = { f, l2, ip, now, path, events };

    // 2. Not to a VIP (nor to a mark rule's destination): a NAT real's reply or an ICMP
    // error about a NAT flow, or the host's.
    if (!w.cfg.vips.has(keys.vip(ip.dst, ip.family)) && !this.markDestination(ip)) { path.push('not-vip'); return this.notForAVip(c); }

    // 3. What the kernel would refuse.
    if (ip.family === 4 && !ipv4HeaderOk(f, ip)) return exit('pass_bad_csum');
    if (martian(ip)) return exit('drop_martian');
    if (laterFragment(ip)) { path.push('later-fragment'); return this.laterFragment(c); }
    const l4 = parseL4(f, ip);
    if (l4 === 'other') {
      if (!isIcmp(ip)) return exit('pass_other_l4');
      path.push('icmp-to-vip');
      return this.icmpToVip(c);
    }
    if (l4 === 'malformed') return exit('pass_malformed');
    c.l4 = l4;
    return this.toVip(c, l4);
  }

  // ---- To a VIP: flows, services, new flows --------------------------------------

  private toVip(c: Ctx, l4: L4): Verdict {
    const w = this.w, g = w.globals, { ip, now } = c;
    const fkey = keys.flow({ src: ip.src, dst: ip.dst, sport: l4.sport, dport: l4.dport, proto: ip.proto, family: ip.family });
    const synOnly = (l4.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && ip.proto === PROTO.tcp;
    const flooded = g.newFlowRate > 0 && w.cfg.flooded;

    // A flooded CPU's SYN to a hash-scheduled DR/TUN service skips the flow table (Katran's
    // flood mode); to a NAT real it goes on, its real chosen.
    let scheduled: number | undefined;
    if (synOnly && flooded) {
      const svc = this.service(ip, l4);
      if (!svc) { c.path.push('flooded-syn: no service'); return this.notForAVip(c); }
      if (svc.sched === SCHED_KIND.hash) {
        const id = this.schedule(svc, ip, l4, now);
        const r = id === NO_REAL ? undefined : w.real(id);
        if (!r) return exit('drop_no_real');
        if (r.method !== METHOD.nat) {
          c.path.push('flooded-syn: no flow entry');
          w.event('flow_no_entry');
          return this.forward(c, l4, r, svc.id, true);
        }
        scheduled = id;
      }
    }

    // Flow first.
    const fv = w.flows.get(fkey);
    // A SYN on a closed flow's 5-tuple: a new connection on a reused client port (IPVS
    // is_new_conn_expected(), ip_vs_core.c).
    const reused = !!fv && synOnly && fv.state === FLOW.fin && !!this.flowReal(fv) && !this.expired(fv, now);
    if (fv && !reused) {
      const r = this.flowReal(fv);
      if (r && !this.expired(fv, now)) {
        c.path.push('flow');
        this.refresh(fkey, fv, ip.proto, l4, now);
        return this.forward(c, l4, r, fv.svcId, false);
      }
    }

    // No usable flow: the service decides.
    const svc = this.service(ip, l4);
    if (!svc) { c.path.push('no service'); return this.notForAVip(c); }
    if (fv) {
      if (!this.flowReal(fv)) {
        w.event('flow_real_gone');
        c.path.push('flow: real gone');
        if (svc.flags & SVC_F.noResched) return exit('drop_no_resched');
      } else if (reused && (svc.flags & SVC_F.persist)) {
        c.path.push('flow: reused port, persistent service keeps it');
        return this.forward(c, l4, this.flowReal(fv)!, fv.svcId, false);
      } else if (reused) {
        w.event('flow_reused');
        c.path.push('flow: reused port');
        this.connsMove(fv.realId, fv.state, FLOW.none);
      } else {
        w.event('flow_expired');
        c.path.push('flow: expired');
        this.connsMove(fv.realId, fv.state, FLOW.none);
      }
    }

    // An embryo's second packet makes it a flow.
    if (within(now, g.embryoNs, g.udpNs + g.tcpfinNs)) {
      const ev = w.embryos.get(fkey);
      if (ev) {
        const r = this.flowReal(ev);
        if (r && !this.expired(ev, now)) {
          c.path.push('embryo');
          if (!(l4.flags & TCP_SYN) || ip.proto !== PROTO.tcp) {
            const state = nextState(ip.proto, l4.flags, ev.state);
            this.connsMove(ev.realId, ev.state, state);
            w.set('flows', fkey, { ...ev, atime: now, state });
            w.del('embryos', fkey);
            w.event('flow_promoted');
            c.path.push('promoted');
          }
          return this.forward(c, l4, r, ev.svcId, false);
        }
      }
    }

    // A new flow.
    if (ip.proto === PROTO.tcp && !(l4.flags & TCP_SYN) && defenseOn(g.secureTcp, flooded)) return exit('pass_not_syn');
    const id = scheduled ?? this.schedule(svc, ip, l4, now);
    const r = id === NO_REAL ? undefined : w.real(id);
    if (!r) return exit('drop_no_real');
    c.path.push(`new flow -> real ${id}`);
    const state = nextState(ip.proto, l4.flags, FLOW.none);
    const nfv: FlowV = { realId: id, realGen: r.gen, atime: now, svcId: svc.id, state };
    // One-packet scheduling: a UDP datagram keeps no flow, nor a NAT reverse entry (IPVS
    // IP_VS_CONN_F_ONE_PACKET expects no reply).
    if ((svc.flags & SVC_F.onePacket) && ip.proto === PROTO.udp) {
      c.path.push('one packet');
      w.event('flow_no_entry');
      return this.forward(c, l4, r, svc.id, true);
    }
    if (flooded && svc.sched === SCHED_KIND.hash && r.method !== METHOD.nat) {
      w.event('flow_no_entry');
      return this.forward(c, l4, r, svc.id, true);
    }
    if (defenseOn(g.dropEntry, flooded)) {
      w.set('embryos', fkey, nfv);
      if (BigInt.asUintN(64, now - g.embryoNs) > NS) w.setEmbryoNs(now);
      w.event('flow_embryo');
    } else {
      w.set('flows', fkey, nfv);
    }
    this.connsMove(id, FLOW.none, state);
    if (r.method === METHOD.nat) this.natRemember(c, l4, svc.id, r);
    w.event('flow_new');
    if (ip.proto === PROTO.tcp && !(l4.flags & TCP_SYN)) w.event('flow_lost');
    return this.forward(c, l4, r, svc.id, true);
  }

  /**
   * A fwmark service first (IPVS ip_vs_service_find), by the mark of the first rule that
   * matches; then (VIP, port, protocol, family), else the VIP's port-0 service.
   */
  private service(ip: Ip, l4: L4): SvcM | undefined {
    const s = this.w.cfg.services;
    const mark = this.markOf(ip, l4.dport);
    if (mark) {
      const m = new Uint8Array(ip.family === 4 ? 4 : 16);
      new DataView(m.buffer).setUint32(0, mark, true); // the mark in place of the VIP's first word
      const svc = s.get(keys.service(m, 0, 0, ip.family));
      if (svc) return svc;
    }
    return s.get(keys.service(ip.dst, l4.dport, ip.proto, ip.family)) ?? s.get(keys.service(ip.dst, 0, ip.proto, ip.family));
  }

  /** The rules covering a destination for a protocol, in order. */
  private rulesFor(ip: Ip, proto: number) {
    return this.w.cfg.marks.filter((r) => r.family === ip.family && r.proto === proto && inPrefix(ip.dst, r.prefix, r.prefixLen));
  }

  /** The mark of the first rule matching the packet (destination, protocol, port), or 0. */
  private markOf(ip: Ip, dport: number): number {
    for (const r of this.rulesFor(ip, ip.proto)) if (r.ports.some(([lo, hi]) => dport >= lo && dport <= hi)) return r.mark;
    return 0;
  }

  /** Some rule covers this destination for the packet's protocol (an ICMP error: TCP or UDP), so it may be a fwmark service's. */
  private markDestination(ip: Ip): boolean {
    if (!this.w.cfg.marks.length) return false;
    if (isIcmp(ip)) return this.rulesFor(ip, PROTO.tcp).length > 0 || this.rulesFor(ip, PROTO.udp).length > 0;
    return this.rulesFor(ip, ip.proto).length > 0;
  }

  /** The flow's real if it is still the one the flow was made with. */
  private flowReal(fv: { realId: number; realGen: number }): RealM | undefined {
    const r = this.w.real(fv.realId);
    return r && (r.flags & REAL_F.live) && r.gen === fv.realGen ? r : undefined;
  }

  private expired(fv: FlowV, now: bigint): boolean {
    const g = this.w.globals;
    const t = fv.state === FLOW.est ? g.tcpNs : fv.state === FLOW.udp ? g.udpNs
      : fv.state === FLOW.syn && g.secureTcp === DEFENSE_ALWAYS ? g.synNs : g.tcpfinNs;
    return !within(now, fv.atime, t);
  }

  /** An established packet moves its flow's state and keeps it alive (its time refreshed at most once a second). */
  private refresh(key: string, fv: FlowV, proto: number, l4: L4, now: bigint): void {
    const state = nextState(proto, l4.flags, fv.state);
    const change: Partial<FlowV> = {};
    if (state !== fv.state) { change.state = state; this.connsMove(fv.realId, fv.state, state); }
    if (BigInt.asUintN(64, now - fv.atime) > NS) change.atime = now;
    if (Object.keys(change).length) this.w.patch<FlowV>('flows', key, change);
  }

  /** Active/inactive counts follow state changes (ESTABLISHED is active, other states inactive). */
  private connsMove(id: number, from: number, to: number): void {
    if (from === to) return;
    const c = { ...this.w.conn(id) };
    if (from === FLOW.est) c.active = (c.active - 1) >>> 0;
    else if (from !== FLOW.none) c.inactive = (c.inactive - 1) >>> 0;
    if (to === FLOW.est) c.active = (c.active + 1) >>> 0;
    else if (to !== FLOW.none) c.inactive = (c.inactive + 1) >>> 0;
    this.w.setConns(id, c);
  }

  /** Persistence first (a quiesced real keeps its clients, as in IPVS), then the scheduler. */
  private schedule(svc: SvcM, ip: Ip, l4: L4, now: bigint): number {
    const w = this.w;
    let pkey: string | undefined;
    if (svc.flags & SVC_F.persist) {
      const client = addr16(ip.src).map((b, i) => b & svc.persistMask[i]!);
      pkey = keys.persist(svc.id, ip.family, client);
      const pv = w.persist.get(pkey);
      if (pv && within(now, pv.atime, BigInt(svc.persistTimeout) * NS)) {
        const r = w.real(pv.realId);
        if (r && (r.flags & REAL_F.live) && r.gen === pv.realGen) {
          w.patch('persist', pkey, { atime: now });
          w.event('persist_hit');
          return pv.realId;
        }
      }
    }
    const id = pickReal(w, svc, ip.src, l4.sport, ip.dst, l4.dport);
    const r = id === NO_REAL ? undefined : w.real(id);
    if (!r || !(r.flags & REAL_F.live)) return NO_REAL;
    if (pkey) w.set('persist', pkey, { realId: id, realGen: r.gen, atime: now });
    return id;
  }

  /** NAT: where the client's packets come from, keyed by the reply's 5-tuple. */
  private natRemember(c: Ctx, l4: L4, svcId: number, r: RealM): void {
    const { ip, l2, f } = c;
    const own = this.w.cfg.ifMacs.get(this.w.cfg.ingress);
    const rk = keys.flow({ src: r.addr, dst: ip.src, sport: r.port || l4.dport, dport: l4.sport, proto: ip.proto, family: ip.family });
    const rv: NatRevV = {
      vip: addr16(ip.dst), vport: l4.dport, svcId, realId: r.id, ifindex: this.w.cfg.ingress,
      clientMac: f.slice(6, 12), ourMac: own ? Uint8Array.from(own) : f.slice(0, 6),
      vlanProto: l2.vlan?.tpid ?? 0, vlanTci: l2.vlan?.tci ?? 0,
    };
    this.w.set('nat_rev', rk, rv);
  }

  /** Counters, the fragment's datagram, the NAT rewrite, then the real's method. */
  private forward(c: Ctx, l4: L4, r: RealM, svcId: number, newConn: boolean): Verdict {
    const w = this.w, { ip, f } = c;
    if (ip.frag) {
      w.set('frags', keys.frag({ src: ip.src, dst: ip.dst, id: ip.frag.id, proto: ip.proto, family: ip.family }),
        { realId: r.id, realGen: r.gen, svcId });
      w.event('frag_first');
    }
    this.countIn(svcId, r.id, ip.l3len, newConn);
    let out = { frame: f, csums: [] as number[] };
    if (r.method === METHOD.nat) out = natRewrite(f, ip, 'dst', r.addr, r.port);
    return this.sendToReal(c, out, r, true);
  }

  private countIn(svcId: number, realId: number, bytes: number, newConn: boolean): void {
    this.w.count('svc', svcId, { pktsIn: 1, bytesIn: bytes, conns: newConn ? 1 : 0 });
    this.w.count('real', realId, { pktsIn: 1, bytesIn: bytes, conns: newConn ? 1 : 0 });
  }

  /**
   * By the real's method, out of the real's interface. `answerTooBig`: a packet too big for
   * the tunnel is answered with ICMP (not when it is an ICMP error itself: RFC 1122 3.2.2).
   */
  private sendToReal(c: Ctx, pkt: { frame: Uint8Array; csums: number[] }, r: RealM, answerTooBig: boolean): Verdict {
    const { l2, ip } = c;
    const hop = r.flags & REAL_F.nexthop ? { ifindex: r.ifindex, dmac: r.dmac, smac: r.smac, src: new Uint8Array(r.addr.length) } : this.fib(r);
    if (!hop) return exit('drop_no_neigh');
    if (r.method !== METHOD.tun) return this.xmit(hop.ifindex, withMacs(pkt.frame, hop.dmac, hop.smac, pkt.csums));
    const mtu = r.mtu || 1500, outer = tunnelHeaderLen(r);
    if (ip.l3len + outer > mtu) {
      c.path.push(`too big for the tunnel (mtu ${mtu})`);
      return answerTooBig ? this.tooBig(c, mtu - outer) : exit('drop_too_big_nodf');
    }
    const src = isZero(r.tunSrc) ? hop.src : r.tunSrc;
    // GUE's source port spreads flows (udp_flow_src_port); a packet without ports (ICMP, a
    // later fragment) hashes its addresses only.
    const ports = c.l4 ?? { sport: 0, dport: 0 };
    return this.xmit(hop.ifindex, encapsulate(c.f, l2, ip, {
      dmac: hop.dmac, smac: hop.smac, src, dst: r.addr, family: r.family,
      // DF as an IPv4 client set it, clear for an IPv6 one (IPVS ip_vs_prepare_tunneled_skb).
      df: ip.family === 4 && ip.df, id: r.family === 4 ? this.w.nextIdent() : 0,
      tun: { type: r.tunType, flags: r.tunFlags, port: r.tunPort, flowHash: flowDrawHash(ip.src, ip.dst, ports.sport, ports.dport) },
    }));
  }

  /**
   * The client's packet does not fit the tunnel: ICMP back to it, from the VIP, from the
   * interface's own MAC. Never for a later IPv4 fragment, a link-layer broadcast or
   * multicast, a source that is not one host (RFC 1122 3.2.2, RFC 4443 2.4), or when the
   * interface's MAC is not known.
   */
  private tooBig(c: Ctx, mtu: number): Verdict {
    const { ip, l2, f } = c;
    if (ip.family === 4 && !ip.df) return exit('drop_too_big_nodf');
    if (laterFragment(ip) && ip.family === 4) return exit('drop_too_big_unanswered');
    if ((l2.dstMac[0]! & 1) || martian(ip) || (ip.family === 4 && ip.src[0]! >= 240)) return exit('drop_too_big_unanswered');
    const own = this.w.cfg.ifMacs.get(this.w.cfg.ingress);
    if (!own) return exit('drop_too_big_unanswered');
    // IPv4: the header and 8 bytes; IPv6: as much as fits the minimum MTU (RFC 4443 3.2).
    const quote = ip.family === 4 ? ip.hdrLen + 8 : Math.min(ip.l3len, 1232);
    const sent = tooBig(f, l2, ip, { dmac: l2.srcMac, smac: own, mtu, quote, id: ip.family === 4 ? this.w.nextIdent() : 0 });
    return { ...exit('tx_icmp_too_big'), sent };
  }

  private xmit(ifindex: number, sent: Sent): Verdict {
    if (ifindex === this.w.cfg.ingress) return { ...exit('tx'), sent };
    if (this.w.cfg.txPorts.has(ifindex)) return { ...exit('redirect'), sent };
    return exit('drop_redirect');
  }

  // ---- Rare paths: later fragments, ICMP errors ------------------------------------

  /** A later fragment to a VIP goes where its first went, or is dropped. */
  private laterFragment(c: Ctx): Verdict {
    const w = this.w, { ip, f } = c;
    const fv = w.frags.get(keys.frag({ src: ip.src, dst: ip.dst, id: ip.frag!.id, proto: ip.proto, family: ip.family }));
    if (!fv || fv.realId === NO_REAL) return exit('drop_frag_no_flow');
    const r = this.flowReal(fv);
    if (!r) return exit('drop_frag_no_flow');
    this.countIn(fv.svcId, r.id, ip.l3len, false);
    const out = r.method === METHOD.nat ? natAddr(f, ip, 'dst', r.addr) : { frame: f, csums: [] };
    w.event('frag_followed');
    return this.sendToReal(c, out, r, !isIcmp(ip));
  }

  /** An ICMP error to a VIP about one of its flows goes to the flow's real (IPVS ip_vs_in_icmp). */
  private icmpToVip(c: Ctx): Verdict {
    const w = this.w, { ip, f } = c;
    const q = parseQuote(f, ip);
    if (q === 'not-error') return exit('pass_other_l4');
    if (q === 'no-quote') return exit('pass_icmp_no_flow');
    const fkey = keys.flow({ src: q.dst, dst: q.src, sport: q.dport, dport: q.sport, proto: q.proto, family: ip.family });
    const fv = w.flows.get(fkey) ?? w.embryos.get(fkey);
    const r = fv && this.flowReal(fv);
    if (!fv || !r) return exit('pass_icmp_no_flow');
    this.countIn(fv.svcId, r.id, ip.l3len, false);
    let out = { frame: f, csums: [] as number[] };
    if (r.method === METHOD.nat) out = icmpNat(f, ip, q, 'dst', r.addr, r.port && r.port !== q.sport ? r.port : 0);
    w.event('icmp_to_real');
    return this.sendToReal(c, out, r, false);
  }

  // ---- Not to a VIP: NAT replies ---------------------------------------------------

  private notForAVip(c: Ctx): Verdict {
    const w = this.w, { ip, f } = c;
    if (!w.globals.nat) return exit('pass_not_service');
    if (laterFragment(ip)) {
      const fv = w.frags.get(keys.frag({ src: ip.src, dst: ip.dst, id: ip.frag!.id, proto: ip.proto, family: ip.family }));
      if (!fv || fv.realId !== NO_REAL || !fv.rev) return exit('pass_not_service');
      if (ip.family === 4 && !ipv4HeaderOk(f, ip)) return exit('pass_bad_csum');
      c.path.push('nat reply: later fragment');
      w.event('frag_followed');
      w.event('nat_reply');
      return this.sendBack(c, natAddr(f, ip, 'src', fv.rev.vip.subarray(0, ip.src.length)), fv.rev);
    }
    const l4 = parseL4(f, ip);
    if (l4 === 'other' && isIcmp(ip)) return this.icmpFromNat(c);
    if (l4 === 'other' || l4 === 'malformed') return exit('pass_not_service');
    const rv = w.natRev.get(keys.flow({ src: ip.src, dst: ip.dst, sport: l4.sport, dport: l4.dport, proto: ip.proto, family: ip.family }));
    if (!rv) return exit('pass_not_service');
    if (ip.family === 4 && !ipv4HeaderOk(f, ip)) return exit('pass_bad_csum');
    c.path.push('nat reply');
    const out = natRewrite(f, ip, 'src', rv.vip.subarray(0, ip.src.length), rv.vport);
    if (ip.frag) {
      w.set('frags', keys.frag({ src: ip.src, dst: ip.dst, id: ip.frag.id, proto: ip.proto, family: ip.family }),
        { realId: NO_REAL, realGen: 0, svcId: rv.svcId, rev: rv });
      w.event('frag_first');
    }
    w.event('nat_reply');
    return this.sendBack(c, out, rv);
  }

  /** An ICMP error from a NAT real about what the director sent it: back to the client (IPVS ip_vs_out_icmp). */
  private icmpFromNat(c: Ctx): Verdict {
    const w = this.w, { ip, f } = c;
    const q = parseQuote(f, ip);
    if (typeof q === 'string') return exit('pass_not_service');
    const rv = w.natRev.get(keys.flow({ src: q.dst, dst: q.src, sport: q.dport, dport: q.sport, proto: q.proto, family: ip.family }));
    if (!rv) return exit('pass_icmp_no_flow');
    if (ip.family === 4 && !ipv4HeaderOk(f, ip)) return exit('pass_bad_csum');
    c.path.push('icmp from a nat real');
    const vip = rv.vip.subarray(0, ip.src.length);
    const out = icmpNat(f, ip, q as Quote, 'src', vip, rv.vport && rv.vport !== q.dport ? rv.vport : 0);
    w.event('icmp_to_client');
    return this.sendBack(c, out, rv);
  }

  /** To the client the way its packets came: its MAC, the interface's own MAC, its VLAN tag. */
  private sendBack(c: Ctx, pkt: { frame: Uint8Array; csums: number[] }, rv: NatRevV): Verdict {
    const own = this.w.cfg.ifMacs.get(rv.ifindex);
    const sent = setL2(pkt.frame, c.l2, rv.clientMac, own ?? rv.ourMac, rv.vlanProto, rv.vlanTci, pkt.csums);
    this.w.count('svc', rv.svcId, { pktsOut: 1, bytesOut: c.ip.l3len });
    this.w.count('real', rv.realId, { pktsOut: 1, bytesOut: c.ip.l3len });
    return this.xmit(rv.ifindex, sent);
  }
}

/** The flow state a packet moves a flow to: enough of IPVS's TCP states to tell active from inactive. */
export function nextState(proto: number, flags: number, cur: number): number {
  if (proto !== PROTO.tcp) return FLOW.udp;
  if (flags & (TCP_FIN | TCP_RST)) return FLOW.fin;
  if (flags & TCP_SYN) return cur === FLOW.none ? FLOW.syn : cur;
  if (cur === FLOW.syn || cur === FLOW.none) return FLOW.est;
  return cur;
}

/**
 * `then` is at most `limit` before `now`, or after it: a time stamped on another CPU a
 * moment after this packet's clock was read is recent (the program compares signed).
 */
export const within = (now: bigint, then: bigint, limit: bigint): boolean => BigInt.asIntN(64, now - then) <= limit;

/** Flood defence modes as IPVS's sysctls: 0 off, 1 and 2 while flooded, 3 always. */
export const defenseOn = (mode: number, flooded: boolean): boolean => mode === DEFENSE_ALWAYS || (mode !== 0 && flooded);

/** `a` (4 or 16 bytes) lies in prefix/len. */
function inPrefix(a: Uint8Array, prefix: Uint8Array, len: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const bits = Math.max(0, Math.min(8, len - 8 * i));
    const mask = bits ? (0xff << (8 - bits)) & 0xff : 0;
    if ((a[i]! & mask) !== (prefix[i]! & mask)) return false;
  }
  return true;
}
