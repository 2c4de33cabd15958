// SPDX-License-Identifier: GPL-2.0
/* The floor of the packet-rate benchmark for any balancer that keeps a flow table:
 * the reflector (bench_reflect.bpf.c) plus one lookup of the frame's 5-tuple in an
 * LRU hash with ipvx's key (inserted on a miss). The rate ipvx could reach if
 * everything but its flow lookup were free. IPv4 without options only (the
 * benchmark's frames); anything else is reflected without a lookup. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "consts.h"
#include "structs.h"
#include "bench_frame.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
	__uint(max_entries, IPVX_MAX_FLOWS);
} reflect_flows SEC(".maps");

SEC("xdp")
int reflect_flow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct eth *e = data;
	struct flow_key k = {};
	struct flow_val v = {};

	if ((void *)(e + 1) > data_end)
		return XDP_PASS;
	if (e->proto != __builtin_bswap16(0x0800) && e->proto != __builtin_bswap16(0x86DD))
		return XDP_PASS;
	if (e->proto == __builtin_bswap16(0x0800) && !read_ipv4_tuple(data, data_end, &k) &&
	    !bpf_map_lookup_elem(&reflect_flows, &k))
		bpf_map_update_elem(&reflect_flows, &k, &v, BPF_ANY);
	swap_macs(e);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
