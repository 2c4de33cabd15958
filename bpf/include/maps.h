/* ipvx data plane: the maps. Everything the control plane writes or reads. */
#ifndef IPVX_MAPS_H
#define IPVX_MAPS_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "consts.h"
#include "structs.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc_key);
	__type(value, struct svc_info);
	__uint(max_entries, IPVX_MAX_SERVICES);
} services SEC(".maps");

/* Addresses that carry a service (exact; the filter below is what packets read). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, __u32);
	__uint(max_entries, IPVX_MAX_VIPS);
} vips SEC(".maps");

/* A bitmap over hashed addresses, written by the control plane: a clear bit means
 * "certainly not a VIP" (FILTER_SEED_VIP, destination) or "certainly not a NAT real"
 * (FILTER_SEED_NAT_SRC, source), so the director's own traffic passes after one
 * inlined array read instead of a flow-table miss. A set bit is confirmed by the
 * exact lookups that follow. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, IPVX_FILTER_WORDS);
} addr_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct real_info);
	__uint(max_entries, IPVX_MAX_REALS);
} reals SEC(".maps");

/* Selection tables and real lists of every service, as ranges of real ids. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, IPVX_SCHED_SLOTS);
} sched_slots SEC(".maps");

/* rr/wrr position per service; shared by all CPUs so sequential clients alternate exactly. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, IPVX_MAX_SERVICES);
} svc_cursor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct real_conns);
	__uint(max_entries, IPVX_MAX_REALS);
} real_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, IPVX_MAX_FLOWS);
} flows SEC(".maps");

/* New flows under the drop_entry defence wait here for their second packet, so a
 * flood of first packets evicts embryos, not established flows. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, IPVX_MAX_EMBRYOS);
} embryos SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct frag_key);
	__type(value, struct frag_val);
	__uint(max_entries, IPVX_MAX_FRAGS);
} frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct flood_state);
	__uint(max_entries, 1);
} flood SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct nat_rev_val);
	__uint(max_entries, IPVX_MAX_FLOWS);
} nat_rev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct persist_key);
	__type(value, struct persist_val);
	__uint(max_entries, IPVX_MAX_PERSIST);
} persist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ipvx_counters);
	__uint(max_entries, IPVX_MAX_SERVICES);
} svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ipvx_counters);
	__uint(max_entries, IPVX_MAX_REALS);
} real_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, R_MAX);
} reasons SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, E_MAX);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_globals);
	__uint(max_entries, 1);
} globals SEC(".maps");

/* Egress interfaces for XDP_REDIRECT (ifindex -> ifindex). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, IPVX_MAX_IFACES);
} tx_ports SEC(".maps");

/* ifindex -> the interface's own MAC. A unicast frame for another MAC is not for this
 * director (switches flood unknown unicast; a standby must not forward what the
 * active owns). An interface without an entry is not checked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct if_mac);
	__uint(max_entries, IPVX_MAX_IFACES);
} if_macs SEC(".maps");

/* The same entries indexed by ifindex, for indexes below IPVX_IFINDEX_DIRECT (nearly
 * every interface): an array lookup is inlined by the JIT, a hash lookup is a call
 * that hashes the key, about 8 ns on every packet (docs/benchmarks.md). A slot that
 * is not `valid` falls back to if_macs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct if_mac);
	__uint(max_entries, IPVX_IFINDEX_DIRECT);
} if_macs_direct SEC(".maps");

/* Firewall-mark rules (fwmark.h): longest destination prefix -> its port ranges. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct mark_key);
	__type(value, struct mark_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, IPVX_MARK_PREFIXES);
} mark_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct mark_range);
	__uint(max_entries, IPVX_MARK_RANGES);
} mark_ranges SEC(".maps");

/* Per-CPU identification counter of the IPv4 headers the program builds (tunnel outer
 * headers, ICMP errors): a fragmented datagram must never share its id with another
 * one from us to the same host (RFC 6864 4.1). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} ip_ident SEC(".maps");

#endif
