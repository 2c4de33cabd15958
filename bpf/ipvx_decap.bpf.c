// SPDX-License-Identifier: GPL-2.0
/* ipvx real-server side of TUN: strips an outer IPv4 (IPIP, 6in4) or IPv6 (IP6IP6,
 * 4in6) header addressed to one of this host's addresses and passes the inner
 * packet to the kernel, so real servers need no ipip/ip6_tunnel module. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "consts.h"
#include "structs.h"

/* This host's addresses that accept tunnelled packets (ipvx realserver setup fills it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, __u32);
	__uint(max_entries, 256);
} decap_addrs SEC(".maps");

enum decap_reason { D_PASS = 0, D_DECAP = 1, D_MALFORMED = 2, D_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, D_MAX);
} decap_stats SEC(".maps");

static __always_inline int count(__u32 reason, int action)
{
	__u64 *c = bpf_map_lookup_elem(&decap_stats, &reason);

	if (c)
		*c += 1;
	return action;
}

/* xdp.frags: a real server's interface may hand XDP frames bigger than a page (GRO on
 * a veth or bridge before it); only the headers in the first buffer are touched. */
SEC("xdp.frags")
int decap_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, saved;
	struct vip_key k = {};
	__u32 hdr;
	__u8 inner;

	if ((void *)(eth + 1) > data_end)
		return count(D_PASS, XDP_PASS);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return count(D_PASS, XDP_PASS);
		if (iph->protocol != IPPROTO_IPIP_ && iph->protocol != IPPROTO_IPV6_)
			return count(D_PASS, XDP_PASS);
		/* Fragmented or optioned outer headers are left to the kernel. */
		if (iph->ihl != 5 || (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK)))
			return count(D_PASS, XDP_PASS);
		k.family = 4;
		k.addr.a[0] = iph->daddr;
		hdr = IPV4_HDR_LEN;
		inner = iph->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return count(D_PASS, XDP_PASS);
		if (ip6h->nexthdr != IPPROTO_IPIP_ && ip6h->nexthdr != IPPROTO_IPV6_)
			return count(D_PASS, XDP_PASS);
		k.family = 6;
		__builtin_memcpy(k.addr.a, &ip6h->daddr, 16);
		hdr = IPV6_HDR_LEN;
		inner = ip6h->nexthdr;
	} else {
		return count(D_PASS, XDP_PASS);
	}
	if (!bpf_map_lookup_elem(&decap_addrs, &k))
		return count(D_PASS, XDP_PASS);

	/* Move the Ethernet header forward over the outer IP header, then drop it. */
	__builtin_memcpy(&saved, eth, sizeof(saved));
	saved.h_proto = bpf_htons(inner == IPPROTO_IPIP_ ? ETH_P_IP : ETH_P_IPV6);
	if (bpf_xdp_adjust_head(ctx, (int)hdr))
		return count(D_MALFORMED, XDP_DROP);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return count(D_MALFORMED, XDP_DROP);
	__builtin_memcpy(eth, &saved, sizeof(saved));
	return count(D_DECAP, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
