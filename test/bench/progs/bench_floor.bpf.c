// SPDX-License-Identifier: GPL-2.0
/* Floors of the per-packet benchmark: what the kernel's map primitives cost on their
 * own, with ipvx's key sizes and table sizes, plus the MAC swap of a forwarder. Any
 * load balancer that keeps a flow table pays at least one of these per packet, so
 * they bound what a ratio to MAC-swap can reach (docs/benchmarks.md). IPv4/TCP
 * frames without VLAN or IP options (the benchmark builds them). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "consts.h"
#include "structs.h"
#include "bench_frame.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct svc_key);
	__type(value, struct svc_info);
	__uint(max_entries, 16384);
} floor_services SEC(".maps");

/* Resized by the benchmark to the director's flow table size. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, 262144);
} floor_flows SEC(".maps");

static __always_inline int read_tuple(struct xdp_md *ctx, struct flow_key *k)
{
	return read_ipv4_tuple((void *)(long)ctx->data, (void *)(long)ctx->data_end, k);
}

/* The service key of a tuple, as the director builds it. */
static __always_inline int service_hit(const struct flow_key *k)
{
	struct svc_key sk = { .vip = k->dst, .port = k->dport, .proto = k->proto, .family = 4 };

	return bpf_map_lookup_elem(&floor_services, &sk) != 0;
}

/* One service lookup (20-byte key, hit), then MAC swap. */
SEC("xdp")
int floor_svc_lookup(struct xdp_md *ctx)
{
	struct flow_key k = {};

	if (read_tuple(ctx, &k))
		return XDP_DROP;
	if (!service_hit(&k))
		return XDP_PASS;
	return swap_and_tx(ctx);
}

/* One flow lookup (40-byte key) in the LRU flow table, then MAC swap. */
SEC("xdp")
int floor_flow_lookup(struct xdp_md *ctx)
{
	struct flow_key k = {};

	if (read_tuple(ctx, &k))
		return XDP_DROP;
	if (!bpf_map_lookup_elem(&floor_flows, &k))
		return XDP_PASS;
	return swap_and_tx(ctx);
}

/* The IPv4 header checksum (20 bytes, one's complement) verified, then the flow lookup
 * and MAC swap: minus floor_flow_lookup, what the director's checksum check costs. */
SEC("xdp")
int floor_flow_lookup_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct flow_key k = {};
	__u32 *w = data + 14, sum = 0;

	if (read_tuple(ctx, &k) || (void *)(w + 5) > data_end)
		return XDP_DROP;
#pragma unroll
	for (int i = 0; i < 5; i++)
		sum += (w[i] & 0xffff) + (w[i] >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	if ((__u16)~sum)
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&floor_flows, &k))
		return XDP_PASS;
	return swap_and_tx(ctx);
}

/* Service lookup + flow lookup: the two hash lookups of an established packet. */
SEC("xdp")
int floor_svc_flow_lookup(struct xdp_md *ctx)
{
	struct flow_key k = {};

	if (read_tuple(ctx, &k))
		return XDP_DROP;
	if (!service_hit(&k))
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&floor_flows, &k))
		return XDP_PASS;
	return swap_and_tx(ctx);
}

/* A new flow's minimum: lookup (miss) and insert into the LRU flow table. */
SEC("xdp")
int floor_flow_insert(struct xdp_md *ctx)
{
	struct flow_key k = {};
	struct flow_val v = {};

	if (read_tuple(ctx, &k))
		return XDP_DROP;
	/* The harness's 2^24 tuples wrap: a rare hit is timed like a miss would be. */
	if (bpf_map_lookup_elem(&floor_flows, &k))
		return swap_and_tx(ctx);
	v.state = 1;
	bpf_map_update_elem(&floor_flows, &k, &v, BPF_ANY);
	return swap_and_tx(ctx);
}

char _license[] SEC("license") = "GPL";
