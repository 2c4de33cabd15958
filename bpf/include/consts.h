/* ipvx data plane: constants shared by every header. Limits are defaults; the
 * control plane may resize maps before load (bpf_map__set_max_entries). The enums
 * are the contract with the control plane: bpf/ipvx_contract.bpf.c puts them in BTF. */
#ifndef IPVX_CONSTS_H
#define IPVX_CONSTS_H

/* Map sizes and loop bounds: an enum so that they are in BTF, where the control plane
 * reads them (validation) and checks its copies (src/dataplane/limits.ts). */
enum ipvx_limit {
	IPVX_MAX_SERVICES   = 16384,
	IPVX_MAX_REALS      = 131072,
	/* reals of one service (validation refuses more) */
	IPVX_MAX_REALS_PER_SERVICE = 4096,
	IPVX_SCHED_SLOTS    = 1 << 22,  /* u32 real ids shared by every service's table */
	IPVX_MAX_FLOWS      = 262144,
	IPVX_MAX_PERSIST    = 65536,
	IPVX_MAX_VIPS       = 16384,
	IPVX_MAX_IFACES     = 64,
	/* Interfaces with a smaller index have their MAC in an array (if_macs_direct). */
	IPVX_IFINDEX_DIRECT = 4096,
	/* rr/wrr/sh/mh probe at most this many slots past an unusable real. */
	IPVX_MAX_SCAN       = 64,
	/* lc/wlc/sed/nq: services of up to this many reals are scanned exactly, larger ones
	 * compare IPVX_LEAST_CHOICES sampled candidates (sched.h pick_least). */
	IPVX_LEAST_EXACT    = 16,
	IPVX_LEAST_CHOICES  = 4,
	/* Firewall-mark rules (fwmark.h): destination prefixes, port ranges (two halves: a
	 * new rule set is written into the unused one), and the port ranges that may apply
	 * to one prefix (scanned per new flow). */
	IPVX_MARK_PREFIXES  = 1024,
	IPVX_MARK_RANGES    = 8192,
	IPVX_MARK_SCAN      = 16,
	/* Datagrams whose later fragments are followed (first fragment seen). */
	IPVX_MAX_FRAGS      = 16384,
	/* New flows kept aside under the drop_entry defence until their second packet. */
	IPVX_MAX_EMBRYOS    = 65536,
	/* Words (64 bits) of the address filter: bit set = maybe a VIP / a NAT real. */
	IPVX_FILTER_WORDS   = 4096,
	IPVX_FILTER_BITS    = 18,      /* log2(IPVX_FILTER_WORDS * 64) */
};
#define FILTER_SEED_VIP     0u
#define FILTER_SEED_NAT_SRC 0x5bd1e995u

#define ETH_ALEN    6
#define ETH_P_IP    0x0800
#define ETH_P_IPV6  0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_ARP   0x0806

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_   1
#define IPPROTO_IPIP_   4
#define IPPROTO_TCP_    6
#define IPPROTO_UDP_    17
#define IPPROTO_GRE_    47
#define IPPROTO_IPV6_   41
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAG6_  44
#define IPPROTO_AH_     51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
/* IPv6 extension headers walked before giving up (the kernel's ipv6_find_hdr has no
 * bound; real traffic carries one or two). */
#define IPV6_MAX_EXT_HDRS 6

#define IP_DF      0x4000
#define IP_MF      0x2000
#define IP_OFFMASK 0x1FFF

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define DEFAULT_TTL  64
/* ICMPv6 errors must fit the IPv6 minimum MTU. */
#define IPV6_MIN_MTU 1280
/* What an ICMPv6 packet-too-big quotes of the original: 1280 - 40 - 8. */
#define ICMP6_TOOBIG_QUOTE 1232

/* Forwarding methods (real_info.method). */
enum ipvx_method { METHOD_DR = 0, METHOD_TUN = 1, METHOD_NAT = 2 };

/* TUN encapsulations (real_info.tun_type), numbered as IPVS's IP_VS_CONN_F_TUNNEL_TYPE_*. */
enum ipvx_tun_type { TUN_IPIP = 0, TUN_GUE = 1, TUN_GRE = 2 };

/* real_info.tun_flags, as IPVS's IP_VS_TUNNEL_ENCAP_FLAG_* (none = --tun-nocsum). */
enum ipvx_tun_flag {
	TUN_F_CSUM    = 1u << 0, /* GUE: UDP checksum; GRE: GRE checksum */
	TUN_F_REMCSUM = 1u << 1, /* GUE remote checksum offload: a UDP checksum (see encap.h) */
};

/* How a service picks a real for a new flow (svc_info.sched). */
enum ipvx_sched_kind {
	SCHED_SEQ = 0,   /* rr / wrr: table walked by a shared cursor */
	SCHED_HASH = 1,  /* sh / mh: table indexed by a hash of the client */
	SCHED_LC = 2,    /* scans with per-real connection counters */
	SCHED_WLC = 3,
	SCHED_SED = 4,
	SCHED_NQ = 5,
};

/* svc_info.flags */
enum ipvx_svc_flag {
	SVC_F_HASH_PORT  = 1u << 0, /* sh-port / mh-port: hash includes the source port */
	SVC_F_FALLBACK   = 1u << 1, /* sh-fallback / mh-fallback: skip a quiesced/dead real */
	SVC_F_PERSIST    = 1u << 2, /* -p */
	SVC_F_NO_RESCHED = 1u << 3, /* a flow whose real is gone is dropped, not rescheduled */
	SVC_F_ONE_PACKET = 1u << 4, /* -o: each UDP datagram scheduled on its own, no flow kept */
};

/* real_info.flags */
enum ipvx_real_flag {
	REAL_F_LIVE     = 1u << 0, /* configured (weight may be 0 = quiesced) */
	REAL_F_NEXTHOP  = 1u << 1, /* ifindex/smac/dmac were resolved by the control plane */
	REAL_F_OVERLOAD = 1u << 2, /* -x reached: no new flows until below -y */
};

/* lb_globals.flags */
enum ipvx_global_flag {
	GLOBAL_F_NAT   = 1u << 0, /* some service uses NAT: look for replies */
	GLOBAL_F_MARKS = 1u << 1, /* mark rules exist: look for a fwmark service first */
	GLOBAL_F_MARK_PROBE = 1u << 2, /* some rule's prefix is too wide for the VIP filter:
	                                * probe the rules for destinations it does not know */
};

/* Flow states: enough of IPVS's TCP state machine to tell active from inactive. */
enum ipvx_flow_state {
	FLOW_NONE = 0,
	FLOW_SYN = 1,   /* SYN_RECV */
	FLOW_EST = 2,   /* ESTABLISHED: the only active state */
	FLOW_FIN = 3,   /* FIN_WAIT / CLOSE */
	FLOW_UDP = 4,
};

/* Every way a packet leaves the program, counted once where balancer_ingress returns
 * (reasons map). The prefix names the verdict: pass_ = XDP_PASS, drop_ = XDP_DROP,
 * tx_ = XDP_TX, redirect_ = XDP_REDIRECT (src/dataplane/codec.ts REASON_VERDICT). */
enum ipvx_reason {
	R_PASS_NOT_IP = 0,      /* ARP, LLDP, ... */
	R_PASS_MALFORMED,       /* truncated or inconsistent headers: the kernel decides (and drops) */
	R_PASS_NOT_SERVICE,     /* IP, but not for a configured service nor a NAT reply */
	R_PASS_OTHER_L4,        /* ICMP that is not an error, other protocols to a VIP: the kernel answers */
	R_TX,                   /* forwarded out of the ingress interface */
	R_REDIRECT,             /* forwarded out of another interface */
	R_DROP_NO_REAL,         /* service without a live real */
	R_DROP_NO_NEIGH,        /* real's next hop unresolved: never hand a VIP packet to the kernel */
	R_DROP_FRAG_NO_FLOW,    /* a later fragment whose first fragment was not seen (or evicted) */
	R_DROP_TOO_BIG_NODF,    /* too big for the tunnel and may not be answered with ICMP */
	R_TX_ICMP_TOO_BIG,      /* too big for the tunnel: ICMP sent back to the client */
	R_DROP_ADJUST,          /* bpf_xdp_adjust_head/tail failed */
	R_DROP_REDIRECT,        /* egress interface not in tx_ports */
	R_DROP_NO_RESCHED,      /* flow's real gone and the service does not reschedule */
	R_PASS_OTHER_HOST,      /* unicast to another host's MAC (a switch flooding, a
	                         * promiscuous port): not ours to forward */
	R_PASS_NOT_UNICAST,     /* to a broadcast or multicast MAC: IPVS serves PACKET_HOST only */
	R_PASS_BAD_CSUM,        /* IPv4 header checksum wrong: the kernel drops it (ip_rcv) */
	R_DROP_MARTIAN,         /* source 0/8, 127/8, 224/4, 255.255.255.255, ::, ::1, ff00::/8 */
	R_PASS_ICMP_NO_FLOW,    /* ICMP error quoting no flow of ours: the kernel's */
	R_PASS_IPV6_ROUTED,     /* IPv6 routing header with segments left: not addressed to us yet */
	R_PASS_NOT_SYN,         /* secure_tcp: a TCP segment without flow that is not a SYN (IPVS too) */
	R_DROP_TOO_BIG_UNANSWERED, /* too big for the tunnel, and no ICMP error may be sent to the
	                            * sender: link-layer broadcast/multicast, a source that is not
	                            * one host, a non-first fragment, our MAC unknown */
	R_MAX,
};

/* Things that happen to packets on their way (events map), not exits: a packet may
 * count several or none. */
enum ipvx_event {
	E_FLOW_NEW = 0,         /* flows created (main or embryonic table) */
	E_FLOW_EXPIRED,         /* flow found but past its timeout: rescheduled */
	E_FLOW_REAL_GONE,       /* flow's real was removed: rescheduled or dropped */
	E_FLOW_INSERT_FAILED,   /* flow table update failed */
	E_PERSIST_HIT,          /* new flow placed by a persistence entry */
	E_FLOW_LOST,            /* a mid-connection TCP segment without a flow: evicted (LRU full),
	                         * expired, or older than this flow table; scheduled anew */
	E_NAT_REPLY,            /* a real's reply rewritten back to VIP:port */
	E_ICMP_TO_REAL,         /* an ICMP error about a flow sent on to the flow's real */
	E_ICMP_TO_CLIENT,       /* an ICMP error from a NAT real translated and sent to the client */
	E_FRAG_FIRST,           /* first fragments scheduled (their datagram remembered) */
	E_FRAG_FOLLOWED,        /* later fragments sent where their first went */
	E_FLOOD_WINDOWS,        /* seconds in which a CPU saw more new flows than the limit */
	E_FLOW_NO_ENTRY,        /* forwarded without a flow entry: a flooded CPU's hash-scheduled SYN,
	                         * a one-packet (-o) datagram */
	E_FLOW_EMBRYO,          /* drop_entry: a new flow kept in the embryonic table */
	E_FLOW_PROMOTED,        /* an embryonic flow's second packet moved it to the flow table */
	E_FLOW_REUSED,          /* a SYN on a closed flow's 5-tuple (the client reused its port):
	                         * scheduled as a new connection */
	E_MAX,
};

/* Helpers that decide a packet's fate return either CONTINUE (go on with the packet) or
 * a verdict: the reason it leaves and the XDP action, counted once where
 * balancer_ingress returns. (Helpers that only do something return 0 or -1.) */
#define CONTINUE (-1)
#define VERDICT(reason, action) (((reason) << 3) | (action))
#define VERDICT_ACTION(v) ((v) & 7)
#define VERDICT_REASON(v) ((__u32)(v) >> 3)

/* Flood defence modes (lb_globals.drop_entry / secure_tcp), as IPVS's sysctls:
 * 0 off, 1 and 2 on while this CPU's new-flow rate is above new_flow_rate, 3 always. */
#define DEFENSE_OFF    0
#define DEFENSE_ALWAYS 3

#endif
