// Codecs of every map key and value (bpf/include/structs.h) and the constants they carry.
import { defineStruct } from './layout.js';

// bpf/include/consts.h
export const METHOD = { dr: 0, tun: 1, nat: 2 } as const;
/** enum ipvx_tun_type (IPVS's IP_VS_CONN_F_TUNNEL_TYPE_*). */
export const TUN_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
/** TUN_F_* (IPVS's IP_VS_TUNNEL_ENCAP_FLAG_*): --tun-nocsum is none. */
export const TUN_F = { csum: 1 << 0, remcsum: 1 << 1 } as const;
export const SCHED_KIND = { seq: 0, hash: 1, lc: 2, wlc: 3, sed: 4, nq: 5 } as const;
export const SVC_F = { hashPort: 1 << 0, fallback: 1 << 1, persist: 1 << 2, noResched: 1 << 3, onePacket: 1 << 4 } as const;
export const REAL_F = { live: 1 << 0, nexthop: 1 << 1, overload: 1 << 2 } as const;
export const GLOBAL_F = { nat: 1 << 0, marks: 1 << 1, markProbe: 1 << 2 } as const;
export const FLOW_STATE = ['NONE', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'UDP'] as const;
export const FLOW = { none: 0, syn: 1, est: 2, fin: 3, udp: 4 } as const;
/** enum ipvx_reason, in order: every way a packet leaves the program, counted once. */
export const REASONS = [
  'pass_not_ip', 'pass_malformed', 'pass_not_service', 'pass_other_l4',
  'tx', 'redirect',
  'drop_no_real', 'drop_no_neigh', 'drop_frag_no_flow', 'drop_too_big_nodf', 'tx_icmp_too_big',
  'drop_adjust', 'drop_redirect', 'drop_no_resched', 'pass_other_host', 'pass_not_unicast',
  'pass_bad_csum', 'drop_martian', 'pass_icmp_no_flow', 'pass_ipv6_routed', 'pass_not_syn', 'drop_too_big_unanswered',
] as const;
export type ReasonName = (typeof REASONS)[number];
/** The XDP action a reason's name promises (its prefix): the program returns exactly this. */
export function reasonVerdict(name: ReasonName): 'PASS' | 'DROP' | 'TX' | 'REDIRECT' {
  const prefix = name.split('_')[0]!;
  const v = ({ pass: 'PASS', drop: 'DROP', tx: 'TX', redirect: 'REDIRECT' } as const)[prefix as 'pass'];
  if (!v) throw new Error(`reason ${name} names no verdict`);
  return v;
}
/** enum ipvx_event, in order: what happens to packets on the way (not exits). */
export const EVENTS = [
  'flow_new', 'flow_expired', 'flow_real_gone', 'flow_insert_failed', 'persist_hit', 'flow_lost',
  'nat_reply', 'icmp_to_real', 'icmp_to_client', 'frag_first', 'frag_followed',
  'flood_windows', 'flow_no_entry', 'flow_embryo', 'flow_promoted', 'flow_reused',
] as const;
export type EventName = (typeof EVENTS)[number];
/** Flood defence modes, as IPVS's drop_entry / secure_tcp sysctls. */
export const DEFENSE = { off: 0, always: 3 } as const;
export const IPPROTO = { tcp: 6, udp: 17 } as const;

type A = Uint8Array;

export const ifMac = defineStruct<{ addr: A; valid?: number }>('if_mac', 8, { addr: ['mac', 0], valid: ['u8', 6] });

export const svcKey = defineStruct<{ vip: A; port: number; proto: number; family: number }>('svc_key', 20, {
  vip: ['addr', 0], port: ['be16', 16], proto: ['u8', 18], family: ['u8', 19],
});

export const svcInfo = defineStruct<{
  id: number; flags: number; tableOff: number; tableLen: number; realsOff: number; realsLen: number;
  persistTimeout: number; sched: number; persistMask: A;
}>('svc_info', 48, {
  id: ['u32', 0], flags: ['u32', 4], tableOff: ['u32', 8], tableLen: ['u32', 12], realsOff: ['u32', 16],
  realsLen: ['u32', 20], persistTimeout: ['u32', 24], sched: ['u8', 28], persistMask: ['addr', 32],
});

export const realInfo = defineStruct<{
  addr: A; tunSrc: A; port: number; method: number; family: number; flags: number; gen: number;
  weight: number; ifindex: number; dmac: A; smac: A; mtu: number; tunType: number; tunFlags: number; tunPort: number;
}>('real_info', 72, {
  addr: ['addr', 0], tunSrc: ['addr', 16], port: ['be16', 32], method: ['u8', 34], family: ['u8', 35],
  flags: ['u32', 36], gen: ['u32', 40], weight: ['u32', 44], ifindex: ['u32', 48], dmac: ['mac', 52],
  smac: ['mac', 58], mtu: ['u16', 64], tunType: ['u8', 66], tunFlags: ['u8', 67], tunPort: ['be16', 68],
});

export const realConns = defineStruct<{ active: number; inactive: number }>('real_conns', 8, {
  active: ['u32', 0], inactive: ['u32', 4],
});

export const flowKey = defineStruct<{ src: A; dst: A; sport: number; dport: number; proto: number; family: number }>(
  'flow_key', 40, {
    src: ['addr', 0], dst: ['addr', 16], sport: ['be16', 32], dport: ['be16', 34], proto: ['u8', 36], family: ['u8', 37],
  });

export const flowVal = defineStruct<{ realId: number; realGen: number; atime: bigint; svcId: number; state: number }>(
  'flow_val', 24, {
    realId: ['u32', 0], realGen: ['u32', 4], atime: ['u64', 8], svcId: ['u32', 16], state: ['u32', 20],
  });

export const natRevVal = defineStruct<{
  vip: A; vport: number; svcId: number; realId: number; ifindex: number; clientMac: A; ourMac: A;
  /** The client side's VLAN tag; absent = untagged. */
  vlanTci?: number; vlanProto?: number;
}>('nat_rev_val', 48, {
  vip: ['addr', 0], vport: ['be16', 16], vlanTci: ['be16', 18], svcId: ['u32', 20], realId: ['u32', 24], ifindex: ['u32', 28],
  clientMac: ['mac', 32], ourMac: ['mac', 38], vlanProto: ['be16', 44],
});

export const fragKey = defineStruct<{ src: A; dst: A; id: number; proto: number; family: number }>('frag_key', 40, {
  src: ['addr', 0], dst: ['addr', 16], id: ['u32', 32], proto: ['u8', 36], family: ['u8', 37],
});

export const floodState = defineStruct<{ windowNs: bigint; count: number; flooded: number }>('flood_state', 16, {
  windowNs: ['u64', 0], count: ['u32', 8], flooded: ['u32', 12],
});

export const persistKey = defineStruct<{ svcId: number; family: number; client: A }>('persist_key', 24, {
  svcId: ['u32', 0], family: ['u32', 4], client: ['addr', 8],
});

export const persistVal = defineStruct<{ realId: number; realGen: number; atime: bigint }>('persist_val', 16, {
  realId: ['u32', 0], realGen: ['u32', 4], atime: ['u64', 8],
});

export const counters = defineStruct<{ conns: bigint; pktsIn: bigint; bytesIn: bigint; pktsOut: bigint; bytesOut: bigint }>(
  'ipvx_counters', 40, {
    conns: ['u64', 0], pktsIn: ['u64', 8], bytesIn: ['u64', 16], pktsOut: ['u64', 24], bytesOut: ['u64', 32],
  });

export const lbGlobals = defineStruct<{
  tcpTimeoutNs: bigint; tcpfinTimeoutNs: bigint; udpTimeoutNs: bigint; flags: number; tickNs: number; clockBaseNs: bigint;
  newFlowRate: number; dropEntry: number; secureTcp: number; synTimeoutNs: bigint; embryoNs: bigint;
}>('lb_globals', 64, {
  tcpTimeoutNs: ['u64', 0], tcpfinTimeoutNs: ['u64', 8], udpTimeoutNs: ['u64', 16], flags: ['u32', 24], tickNs: ['u32', 28],
  clockBaseNs: ['u64', 32], newFlowRate: ['u32', 40], dropEntry: ['u8', 44], secureTcp: ['u8', 45], synTimeoutNs: ['u64', 48],
  embryoNs: ['u64', 56],
});

export const vipKey = defineStruct<{ addr: A; family: number }>('vip_key', 20, {
  addr: ['addr', 0], family: ['u32', 16],
});

export const markKey = defineStruct<{ prefixlen: number; family: number; proto: number; addr: A }>('mark_key', 24, {
  prefixlen: ['u32', 0], family: ['u8', 4], proto: ['u8', 5], addr: ['addr', 8],
});

export const markVal = defineStruct<{ off: number; len: number }>('mark_val', 8, { off: ['u32', 0], len: ['u32', 4] });

export const markRange = defineStruct<{ lo: number; hi: number; mark: number }>('mark_range', 8, {
  lo: ['u16', 0], hi: ['u16', 2], mark: ['u32', 4],
});

export const ALL_STRUCTS = [ifMac, svcKey, svcInfo, realInfo, realConns, flowKey, flowVal, natRevVal, fragKey, floodState, persistKey, persistVal, counters, lbGlobals, vipKey, markKey, markVal, markRange];
