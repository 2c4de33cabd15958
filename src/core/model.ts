// The desired state of a director, as plain data. Text addresses here are the
// user's; validate.ts turns a DesiredState into checked values before anything is written.

export type Protocol = 'tcp' | 'udp';
/** LVS forwarding methods: DR = ipvsadm -g (gatewaying), TUN = -i (ipip), NAT = -m (masquerading). */
export type Method = 'dr' | 'tun' | 'nat';
export type SchedulerName = 'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'mh' | 'sed' | 'nq';
/** TUN encapsulation (ipvsadm --tun-type): IPIP (and IP6IP6, 6in4, 4in6), GUE, GRE. */
export type TunType = 'ipip' | 'gue' | 'gre';
/** TUN checksum (ipvsadm --tun-nocsum, --tun-csum, --tun-remcsum). */
export type TunChecksum = 'nocsum' | 'csum' | 'remcsum';
export const TUN_TYPES: readonly TunType[] = ['ipip', 'gue', 'gre'];
export const TUN_CHECKSUMS: readonly TunChecksum[] = ['nocsum', 'csum', 'remcsum'];
/** IPVS scheduler flags (ipvsadm -b). */
export type SchedFlag = 'sh-fallback' | 'sh-port' | 'mh-fallback' | 'mh-port';

export const SCHEDULERS: readonly SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed', 'nq'];
export const SCHED_FLAGS: readonly SchedFlag[] = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port'];
export const DEFAULT_SCHEDULER: SchedulerName = 'wlc';
/**
 * -p without a value: ipvsadm 1.31's parse_timeout returns IPVS_SVC_PERSISTENT_TIMEOUT,
 * (6*60) in libipvs/libipvs.h; keepalived's bare persistence_timeout is the same constant.
 */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;
export const MAX_WEIGHT = 65535;
/** HA virtual addresses at most (each is an `ip addr` and an announcement burst on takeover). */
export const MAX_HA_VIPS = 4096;
/** BGP neighbours at most. */
export const MAX_BGP_PEERS = 64;

/** One URL of an http(s) check beyond the first: its own path, status codes, body regex and digest. */
export interface HttpUrlSpec { path: string; statusCodes?: string; bodyRegex?: string; digest?: string }

/** A health check, as piranha's nanny and keepalived's checkers know them. */
export type HealthCheckSpec =
  | { type: 'tcp'; port?: number; address?: string }
  | {
    type: 'http' | 'https'; path: string; host?: string; statusCodes?: string; bodyRegex?: string; verifyTls?: boolean; port?: number;
    /** MD5 of the body, hex (keepalived url { digest }). */
    digest?: string;
    /** Further URLs GET in the same check; every one must pass (keepalived: several url blocks). */
    urls?: HttpUrlSpec[];
  }
  | { type: 'send-expect'; send: string; expect: string; useRegex: boolean; sendProgram?: string; port?: number }
  | {
    type: 'udp'; payload: string; minLength?: number; maxLength?: number; port?: number;
    /** Up unless an ICMP error comes back within the timeout (keepalived UDP_CHECK without require_reply). */
    replyOptional?: boolean;
    /** The reply must start with these bytes (escapes as in payload; keepalived require_reply HEX). */
    reply?: string;
  }
  | { type: 'exec'; command: string; dynamicWeight?: boolean };

export interface HealthSpec {
  check: HealthCheckSpec;
  /** Seconds between checks (keepalived delay_loop). */
  interval: number;
  /** Seconds before one check counts as failed. */
  timeout: number;
  /** Successes needed to come up (piranha reentry is seconds; importers convert). */
  rise: number;
  /** Failures needed to go down (keepalived retry). */
  fall: number;
  /** On failure: set weight 0 and keep established flows (inhibit_on_failure / quiesce_server), or remove the real. */
  onFailure: 'quiesce' | 'remove';
  /** keepalived alpha: start down until `rise` checks pass (default: start up). */
  alpha?: boolean;
  /** keepalived delay_before_retry, seconds: re-check this soon after a failure. */
  delayBeforeRetry?: number;
}

/** Where a service's dynamic weights come from (piranha load_monitor, HAProxy agent-check). */
export type LoadSpec = (
  | { type: 'agent'; port: number; address?: string }
  | { type: 'command'; command: string; capacity?: number }
) & {
  interval?: number;
  timeout?: number;
  bounds?: { min?: number; max?: number };
  smoothing?: { alpha?: number; deadBand?: number };
};

export interface RealSpec {
  address: string;
  /**
   * 0 = the port of the packet (IPVS forwards to dest->port ? dest->port : vport), i.e. the
   * service port; listings show 0 as ipvsadm does for `-r ADDR:0`.
   */
  port: number;
  method: Method;
  weight: number;
  /** -x: 0 = no limit. */
  upperThreshold: number;
  /** -y: 0 = no limit. */
  lowerThreshold: number;
  /** Overrides the service's health check for this real. */
  health?: HealthSpec;
  /** TUN only: the encapsulation; absent = ipip. */
  tunType?: TunType;
  /** GUE: the UDP port the real decapsulates on (required for gue, as ipvsadm). */
  tunPort?: number;
  /** GUE/GRE: checksum of the tunnel header and packet; absent = nocsum. */
  tunChecksum?: TunChecksum;
}

export interface ServiceSpec {
  /**
   * Firewall-mark service (ipvsadm -f): traffic the mark rules (DesiredState.marks) give
   * this mark. `vip` is then only the family: '0.0.0.0' (IPv4) or '::' (IPv6), port 0.
   */
  fwmark?: number;
  vip: string;
  /** 0 = every port (only with persistence, as in IPVS). */
  port: number;
  protocol: Protocol;
  scheduler: SchedulerName;
  flags: SchedFlag[];
  /** Persistence timeout in seconds; 0 = not persistent. */
  persistence: number;
  /** -M: netmask (IPv4, dotted) or prefix length (IPv6, as "/64" or "64"); empty = host. */
  persistenceMask: string;
  /** Default method for reals added without one. */
  method: Method;
  reals: RealSpec[];
  /** Health check for every real of the service (unless a real overrides it). */
  health?: HealthSpec;
  /** Used while no real is up (keepalived sorry_server). */
  sorryServer?: { address: string; port: number; method: Method };
  /** keepalived quorum: the service is up while the up reals' weights sum to at least this. */
  quorum?: number;
  /** keepalived hysteresis around the quorum. */
  hysteresis?: number;
  /** Dynamic weights from real-server load. */
  load?: LoadSpec;
  /** One-packet scheduling (ipvsadm -o): every UDP datagram is scheduled on its own, no flow is kept. */
  ops?: boolean;
}

/**
 * A firewall-mark rule: packets to `destination` (an address or prefix) with this
 * protocol and destination port are given `mark`, which selects a fwmark service.
 * ipvx applies these itself, in XDP before the service lookup (no iptables mangle
 * rule is seen there). The first rule that matches wins, as in an iptables chain.
 */
export interface MarkRule {
  mark: number;
  destination: string;
  protocol: Protocol;
  /** "80", "80,443", "8000-8100" (or iptables' "8000:8100"); "" = every port. */
  ports: string;
}

/** A peer director (piranha's primary/backup, keepalived's vrrp_instance). */
export interface HaSpec {
  enabled: boolean;
  /** Our own address for heartbeats. */
  localAddress: string;
  peerAddress: string;
  /** UDP port of the heartbeat; piranha uses 539. */
  port: number;
  /** Seconds between heartbeats (piranha keepalive). */
  keepalive: number;
  /** Seconds of silence before the peer is declared dead (piranha deadtime). */
  deadtime: number;
  priority: number;
  preempt: boolean;
  preemptDelay: number;
  /** Shared key for HMAC-SHA256; empty = not configured. */
  key: string;
  /** Addresses owned by the active director ("203.0.113.10/24 dev eth0"). */
  vips: { address: string; prefixLength: number; interface: string }[];
}

/** A BGP neighbour of the BIRD instance ipvx configures (scale-out, docs/scale-out.md). */
export interface BgpPeer {
  address: string;
  as: number;
  /** TCP port of the neighbour; 0 = 179. */
  port: number;
  /** TCP-MD5 password; empty = none. */
  password: string;
}

/**
 * Announce the healthy VIPs over BGP through a BIRD instance the operator runs:
 * ipvx owns BIRD's config file and reloads it through birdc (docs/scale-out.md).
 */
export interface BgpSpec {
  enabled: boolean;
  localAs: number;
  /** IPv4 router id; empty = BIRD picks one of the host's addresses. */
  routerId: string;
  peers: BgpPeer[];
  /** Next hop announced for the VIPs; empty = our own address on each session (next hop self). */
  nextHop: string;
  /** The BIRD config file ipvx writes as a whole (BIRD runs with -c this file). */
  birdConfig: string;
  /** BIRD's control socket (bird -s / birdc -s). */
  birdSocket: string;
  /** BGP hold time, seconds (keepalive = a third of it); BIRD allows 3-65535. */
  holdTime: number;
  /** Seconds between connection attempts (and the first wait after a session error). */
  connectRetry: number;
}

export const BGP_DEFAULTS = {
  birdConfig: '/etc/bird/bird.conf', birdSocket: '/run/bird/bird.ctl', holdTime: 9, connectRetry: 5, port: 179,
} as const;

export interface Timeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { tcp: 900, tcpFin: 120, udp: 300 };

/** 0 off; 1 (and 2, which IPVS shows while on) while a CPU is flooded; 3 always. */
export type DefenseMode = 0 | 1 | 2 | 3;

/**
 * Flood defence, configured like IPVS's /proc/sys/net/ipv4/vs/drop_entry and
 * secure_tcp; what IPVS triggers on low memory (amemthresh) ipvx triggers on a CPU's
 * rate of new flows. Hash-scheduled services (sh, mh) above the rate forward new flows
 * without a flow entry whatever the modes (consistent hashing keeps them on their real).
 */
export interface Defense {
  /** New flows per second per CPU above which the CPU is flooded; 0 = never. */
  newFlowRate: number;
  /** New flows wait in a small embryonic table until their second packet, so a flood evicts embryos, not connections. */
  dropEntry: DefenseMode;
  /** Only SYNs start TCP flows (as IPVS schedules only SYNs), and SYN-state flows expire after synTimeout. */
  secureTcp: DefenseMode;
  /** Seconds (secure_tcp). */
  synTimeout: number;
}

/** Katran's default rate (MAX_CONN_RATE); drop_entry on while flooded. */
export const DEFAULT_DEFENSE: Defense = { newFlowRate: 125_000, dropEntry: 1, secureTcp: 0, synTimeout: 10 };

export interface DesiredState {
  services: ServiceSpec[];
  /** Firewall-mark rules for fwmark services, in order (first match wins). */
  marks?: MarkRule[];
  timeouts: Timeouts;
  /** Absent = DEFAULT_DEFENSE. */
  defense?: Defense;
  ha?: HaSpec;
  bgp?: BgpSpec;
}

export function emptyState(): DesiredState {
  return { services: [], timeouts: { ...DEFAULT_TIMEOUTS } };
}

/** Identity of a service, as a string usable as a map key: "tcp|203.0.113.10|80", "fwm|0.0.0.0|1". */
export function serviceId(s: Pick<ServiceSpec, 'protocol' | 'vip' | 'port' | 'fwmark'>): string {
  return s.fwmark ? `fwm|${s.vip}|${s.fwmark}` : `${s.protocol}|${s.vip}|${s.port}`;
}

/** The family a fwmark service's `vip` stands for: '::' is IPv6, anything else IPv4. */
export const fwmarkVip = (family: 4 | 6): string => (family === 6 ? '::' : '0.0.0.0');

/** Identity of a real within its service. */
export function realId(r: Pick<RealSpec, 'address' | 'port'>): string {
  return `${r.address}|${r.port}`;
}
