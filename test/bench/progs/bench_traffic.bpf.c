// SPDX-License-Identifier: GPL-2.0
/* The packet-rate benchmark's ends. gen_flows runs under BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES: every frame leaves (XDP_TX out of the generator's
 * veth) with the next of `nflows` source ports, so the director sees many flows.
 * The kernel recycles the pages of live frames without rewriting them, and a
 * frame the director encapsulated comes back with other bytes where the frame
 * starts, so the generator writes the whole template into every frame.
 * sink_count is attached to the veth the forwarded frames come back to: it counts
 * the benchmark's frames (UDP to the benchmark port, plain or inside IPIP/IP6IP6)
 * and drops them; everything else (ARP, ND) goes to the kernel. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench_frame.h"

struct gen_cfg {
	__u32 nflows;
	__u32 sport_off;   /* offset of the UDP source port in the frame */
	__u16 dport;       /* the benchmark's destination port (network order) */
	__u16 pad;
	__u32 len;         /* bytes of the frame template */
	__u8 frame[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct gen_cfg);
	__uint(max_entries, 1);
} gen_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);   /* 0: generator sequence, 1: frames counted by the sink */
} traffic SEC(".maps");

SEC("xdp")
int gen_flows(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct gen_cfg *c = bpf_map_lookup_elem(&gen_cfg, &zero);
	__u64 *n = bpf_map_lookup_elem(&traffic, &zero);
	__u16 *sport;
	__u32 off, len;
	long cur;

	if (!c || !n || !c->nflows)
		return XDP_ABORTED;
	len = c->len;
	if (len < 14 || len > sizeof(c->frame))
		return XDP_ABORTED;
	cur = (long)ctx->data_end - (long)ctx->data;
	if (cur != len && bpf_xdp_adjust_head(ctx, (int)(cur - len)))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, c->frame, len))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	off = c->sport_off & 0xff;
	sport = data + off;
	if ((void *)(sport + 1) > data_end)
		return XDP_ABORTED;
	*sport = bpf_htons(10000 + (__u16)(*n % c->nflows));
	*n += 1;
	return XDP_TX;
}


/* The L4 destination port after an IPv4/IPv6 header at `l3`, for UDP; 0 otherwise. */
static __always_inline int udp_dport_is(void *l3, void *end, int v6, __u16 dport, int depth)
{
	__u8 proto;
	void *l4;

	if (v6) {
		if (l3 + 40 > end)
			return 0;
		proto = *(__u8 *)(l3 + 6);
		l4 = l3 + 40;
	} else {
		if (l3 + 20 > end)
			return 0;
		proto = *(__u8 *)(l3 + 9);
		l4 = l3 + ((*(__u8 *)l3 & 0xf) << 2);
	}
	if (proto == 17) {
		if (l4 + 4 > end)
			return 0;
		return *(__u16 *)(l4 + 2) == dport;
	}
	if (depth && (proto == 4 || proto == 41))
		return udp_dport_is(l4, end, proto == 41, dport, 0);
	return 0;
}

SEC("xdp")
int sink_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct eth *e = data;
	__u32 zero = 0, one = 1;
	struct gen_cfg *c = bpf_map_lookup_elem(&gen_cfg, &zero);
	__u64 *n;
	int v6;

	if (!c || (void *)(e + 1) > data_end)
		return XDP_PASS;
	if (e->proto != bpf_htons(0x0800) && e->proto != bpf_htons(0x86DD))
		return XDP_PASS;
	v6 = e->proto == bpf_htons(0x86DD);
	if (!udp_dport_is(e + 1, data_end, v6, c->dport, 1))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&traffic, &one);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
