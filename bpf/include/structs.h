/* ipvx data plane: every map key and value. The TypeScript codecs in
 * src/dataplane/codec.ts mirror these; test/unit/dataplane/layout.test.ts checks them
 * against the BTF of bpf/ipvx_contract.bpf.c. */
#ifndef IPVX_STRUCTS_H
#define IPVX_STRUCTS_H
#include <linux/types.h>

/* IPv4 in a[0], the rest zero; IPv6 in all four words. Network order. */
struct ipvx_addr {
	__be32 a[4];
};

struct svc_key {
	struct ipvx_addr vip;
	__be16 port;     /* 0 = every port */
	__u8 proto;      /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 family;     /* 4 or 6 */
};

struct svc_info {
	__u32 id;          /* index into svc_stats and svc_cursor */
	__u32 flags;       /* SVC_F_* */
	__u32 table_off;   /* first slot of the selection table in sched_slots */
	__u32 table_len;   /* 0 = no live real */
	__u32 reals_off;   /* the service's reals (real ids) for lc/wlc/sed/nq scans */
	__u32 reals_len;
	__u32 persist_timeout; /* seconds; used with SVC_F_PERSIST */
	__u8 sched;        /* enum ipvx_sched_kind */
	__u8 pad[3];
	struct ipvx_addr persist_mask; /* -M, applied to the client address */
};

struct real_info {
	struct ipvx_addr addr;
	struct ipvx_addr tun_src;  /* outer source for TUN; zero = ask the FIB */
	__be16 port;               /* NAT: destination port */
	__u8 method;               /* enum ipvx_method */
	__u8 family;               /* 4 or 6 */
	__u32 flags;               /* REAL_F_* */
	__u32 gen;                 /* changes when the id is reused: flows of the old real never follow */
	__u32 weight;
	__u32 ifindex;             /* cached next hop (REAL_F_NEXTHOP) */
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u16 mtu;                 /* egress MTU, for TUN */
	__u8 tun_type;             /* enum ipvx_tun_type, for TUN */
	__u8 tun_flags;            /* TUN_F_* */
	__be16 tun_port;           /* GUE: UDP destination port */
	__u16 pad;
};

/* Connections per real for lc/wlc/sed/nq, shared by all CPUs (atomic adds). */
struct real_conns {
	__u32 active;
	__u32 inactive;
};

struct flow_key {
	struct ipvx_addr src;
	struct ipvx_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct flow_val {
	__u32 real_id;
	__u32 real_gen;
	__u64 atime;       /* coarse ns of the last packet (refreshed at most once a second) */
	__u32 svc_id;
	__u32 state;       /* enum ipvx_flow_state; 32 bits so transitions can use cmpxchg */
};

/* NAT: a real's reply, keyed by its own 5-tuple (real -> client), is rewritten
 * back to VIP:port and sent where the client's packets came from, with the VLAN
 * tag they carried. */
struct nat_rev_val {
	struct ipvx_addr vip;
	__be16 vport;
	__be16 vlan_tci;           /* the client side's tag (with vlan_proto) */
	__u32 svc_id;
	__u32 real_id;
	__u32 ifindex;             /* interface the client's packets arrived on */
	__u8 client_mac[ETH_ALEN]; /* their source MAC: the client or its router */
	__u8 our_mac[ETH_ALEN];    /* that interface's own MAC */
	__be16 vlan_proto;         /* 0 = untagged, else 802.1Q / 802.1ad */
	__u16 pad;
};

/* Fragments: every fragment of a datagram goes where its first fragment went. */
struct frag_key {
	struct ipvx_addr src;
	struct ipvx_addr dst;
	__u32 id;                  /* IPv4 identification or IPv6 fragment id */
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct frag_val {
	__u32 real_id;             /* to a real; NO_REAL for a NAT reply's fragments */
	__u32 real_gen;
	__u32 svc_id;
	__u32 pad;
	struct nat_rev_val rev;    /* a NAT reply's fragments: where they go, as what */
};

struct persist_key {
	__u32 svc_id;
	__u32 family;
	struct ipvx_addr client;   /* masked with svc_info.persist_mask */
};

struct persist_val {
	__u32 real_id;
	__u32 real_gen;
	__u64 atime;
};

struct ipvx_counters {
	__u64 conns;
	__u64 pkts_in;
	__u64 bytes_in;
	__u64 pkts_out;
	__u64 bytes_out;
};

struct lb_globals {
	__u64 tcp_timeout_ns;
	__u64 tcpfin_timeout_ns;
	__u64 udp_timeout_ns;
	__u32 flags;   /* GLOBAL_F_* */
	__u32 tick_ns; /* ns per jiffy: the clock is bpf_jiffies64() (inlined, no helper call) */
	__u64 clock_base_ns;  /* CLOCK_MONOTONIC at jiffy 0, so now = jiffies * tick_ns + base */
	/* Flood defence (IPVS's /proc/sys/net/ipv4/vs/drop_entry, secure_tcp). */
	__u32 new_flow_rate;  /* new flows per second per CPU above which a CPU is flooded; 0 = never */
	__u8 drop_entry;      /* 0-3: new flows wait in the embryonic table for their second packet */
	__u8 secure_tcp;      /* 0-3: only SYNs start TCP flows; SYN-state flows expire after syn_timeout */
	__u16 pad;
	__u64 syn_timeout_ns;
	__u64 embryo_ns;      /* written by the program: last time a flow went to the embryonic table */
};

/* Per CPU: new flows in the current second, for the flood defence. */
struct flood_state {
	__u64 window_ns;
	__u32 count;
	__u32 flooded;
};

struct vip_key {
	struct ipvx_addr addr;
	__u32 family;
};

/* mark_prefixes key (an LPM trie): prefixlen counts the bits of family and proto (16),
 * pad (16) and then of the destination address. */
struct mark_key {
	__u32 prefixlen;
	__u8 family;
	__u8 proto;
	__u16 pad;
	__u8 addr[16];
};

/* mark_prefixes value: the port ranges (in mark_ranges) of every rule covering the prefix. */
struct mark_val {
	__u32 off;
	__u32 len;
};

/* A port range (host order, inclusive) and the mark it gives. */
struct mark_range {
	__u16 lo;
	__u16 hi;
	__u32 mark;
};

/* if_macs / if_macs_direct value: the MAC address of an interface the program is
 * attached to. `valid` tells a written if_macs_direct slot from an empty one. */
struct if_mac {
	__u8 addr[ETH_ALEN];
	__u8 valid;
	__u8 pad;
};

#endif
