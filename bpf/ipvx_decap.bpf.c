// SPDX-License-Identifier: GPL-2.0
/* ipvx real-server side of TUN: strips the tunnel headers of a packet addressed to one
 * of this host's addresses and passes the inner packet to the kernel, so real servers
 * need no ipip, ip6_tunnel, fou or gre module. The encapsulations are those of
 * ipvsadm --tun-type (IPVS ip_vs_xmit.c):
 *   ipip: outer IPv4 or IPv6, next header 4 or 41 (IPIP, 6in4, IP6IP6, 4in6);
 *   gue:  outer IP, UDP to a port `ipvx realserver setup --tun-port` registered, a GUE
 *         header (variant 0, no optional fields);
 *   gre:  outer IP, a GRE header (RFC 2784, checksum, key and sequence allowed).
 * A GUE UDP checksum or a GRE checksum that is present is verified; a packet that
 * fails it is dropped, as the kernel's fou and gre would. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "consts.h"
#include "structs.h"
#include "csum.h"
#include "pktsum.h"
#include "tunhdr.h"

/* This host's addresses that accept tunnelled packets (ipvx realserver setup fills it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, __u32);
	__uint(max_entries, 256);
} decap_addrs SEC(".maps");

/* UDP ports (host order) that carry GUE to those addresses (--tun-port). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, __u32);
	__uint(max_entries, 16);
} decap_gue_ports SEC(".maps");

enum decap_reason { D_PASS = 0, D_DECAP = 1, D_MALFORMED = 2, D_BAD_CSUM = 3, D_UNSUPPORTED = 4, D_MAX };

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

/* What follows the outer IP header: how many bytes to strip after it and the inner
 * ethertype, or a reason to leave the packet alone. */
struct tunnel {
	__u32 hdr;
	__u16 inner;
	int reason;
};

/* IPIP / IP6IP6 / 6in4 / 4in6. */
static __always_inline void tunnel_ip(__u8 next, struct tunnel *t)
{
	t->hdr = 0;
	t->inner = next == IPPROTO_IPIP_ ? ETH_P_IP : ETH_P_IPV6;
}

/* GUE (IPVS ipvs_gue_encap): UDP to a registered port, then the 4-byte GUE header. The
 * UDP length must fit the IP payload (`payload`), as the kernel's udp_rcv asks; the UDP
 * checksum, when not zero, covers the pseudo-header (`pseudo`) and the datagram. */
static __always_inline void tunnel_gue(struct xdp_md *ctx, __u32 off, __u32 pseudo, __u32 payload, struct tunnel *t)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct udphdr *uh = data + (off & 0xff);
	__u8 *gh = (void *)(uh + 1);
	__u16 port, len;

	t->reason = D_PASS;
	if ((void *)(gh + 4) > data_end)
		return;
	port = bpf_ntohs(uh->dest);
	if (!bpf_map_lookup_elem(&decap_gue_ports, &port))
		return;
	len = bpf_ntohs(uh->len);
	if (len < sizeof(struct udphdr) + sizeof(struct gue_base) || len > payload) {
		t->reason = D_MALFORMED;
		return;
	}
	/* Version 0, a data message, no optional fields, IPv4 or IPv6 inside; anything
	 * else (remote checksum offload, control messages) is not ours to handle. */
	if (gh[0] != 0 || gh[2] != 0 || gh[3] != 0 || (gh[1] != IPPROTO_IPIP_ && gh[1] != IPPROTO_IPV6_)) {
		t->reason = D_UNSUPPORTED;
		return;
	}
	if (uh->check) {
		__u32 sum = sum_add_carry(pseudo, bpf_htons(len) + bpf_htons(IPPROTO_UDP_));

		if (csum_fold32(sum_add_carry(sum, csum_packet(ctx, off, len)))) {
			t->reason = D_BAD_CSUM;
			return;
		}
	}
	t->hdr = sizeof(struct udphdr) + sizeof(struct gue_base);
	t->inner = gh[1] == IPPROTO_IPIP_ ? ETH_P_IP : ETH_P_IPV6;
	t->reason = D_DECAP;
}

/* GRE (IPVS ipvs_gre_encap; RFC 2784, with RFC 2890's key and sequence number). */
static __always_inline void tunnel_gre(struct xdp_md *ctx, __u32 off, __u32 len, struct tunnel *t)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__be16 *gh = data + (off & 0xff);
	__u16 flags, proto;

	t->reason = D_MALFORMED;
	if ((void *)(gh + 2) > data_end)
		return;
	flags = bpf_ntohs(gh[0]);
	proto = bpf_ntohs(gh[1]);
	if ((flags & (GRE_F_ROUTING | GRE_F_OTHER)) || (proto != ETH_P_IP && proto != ETH_P_IPV6)) {
		t->reason = D_UNSUPPORTED;
		return;
	}
	t->hdr = sizeof(struct gre_base) + (flags & GRE_F_CSUM ? GRE_LEN_OPT : 0) +
		 (flags & GRE_F_KEY ? GRE_LEN_OPT : 0) + (flags & GRE_F_SEQ ? GRE_LEN_OPT : 0);
	if (t->hdr > len)
		return;
	if ((flags & GRE_F_CSUM) && csum_fold32(csum_packet(ctx, off, len))) {
		t->reason = D_BAD_CSUM;
		return;
	}
	t->inner = proto;
	t->reason = D_DECAP;
}

/* xdp.frags: a real server's interface may hand XDP frames bigger than a page (GRO on
 * a veth or bridge before it); only the headers in the first buffer are touched. */
SEC("xdp.frags")
int decap_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, saved;
	struct tunnel t = { .reason = D_DECAP };
	struct vip_key k = {};
	__u32 ohl, payload, pseudo = 0;
	__u8 next;

	if ((void *)(eth + 1) > data_end)
		return count(D_PASS, XDP_PASS);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return count(D_PASS, XDP_PASS);
		next = iph->protocol;
		if (next != IPPROTO_IPIP_ && next != IPPROTO_IPV6_ && next != IPPROTO_UDP_ && next != IPPROTO_GRE_)
			return count(D_PASS, XDP_PASS);
		/* Fragmented or optioned outer headers are left to the kernel. */
		if (iph->ihl != 5 || (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK)))
			return count(D_PASS, XDP_PASS);
		k.family = 4;
		k.addr.a[0] = iph->daddr;
		ohl = IPV4_HDR_LEN;
		payload = bpf_ntohs(iph->tot_len) - IPV4_HDR_LEN;
		pseudo = sum_add_carry((iph->saddr & 0xffff) + (iph->saddr >> 16), (iph->daddr & 0xffff) + (iph->daddr >> 16));
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return count(D_PASS, XDP_PASS);
		next = ip6h->nexthdr;
		if (next != IPPROTO_IPIP_ && next != IPPROTO_IPV6_ && next != IPPROTO_UDP_ && next != IPPROTO_GRE_)
			return count(D_PASS, XDP_PASS);
		k.family = 6;
		__builtin_memcpy(k.addr.a, &ip6h->daddr, 16);
		ohl = IPV6_HDR_LEN;
		payload = bpf_ntohs(ip6h->payload_len);
		pseudo = csum_region(data, data_end, sizeof(*eth) + 8, 32, 8);
	} else {
		return count(D_PASS, XDP_PASS);
	}
	if (!bpf_map_lookup_elem(&decap_addrs, &k))
		return count(D_PASS, XDP_PASS);
	if (next == IPPROTO_UDP_)
		tunnel_gue(ctx, sizeof(*eth) + ohl, pseudo, payload, &t);
	else if (next == IPPROTO_GRE_)
		tunnel_gre(ctx, sizeof(*eth) + ohl, payload, &t);
	else
		tunnel_ip(next, &t);
	if (t.reason == D_BAD_CSUM || t.reason == D_MALFORMED)
		return count(t.reason, XDP_DROP);
	if (t.reason != D_DECAP)
		return count(t.reason, XDP_PASS);

	/* Move the Ethernet header forward over the outer headers, then drop them. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return count(D_MALFORMED, XDP_DROP);
	__builtin_memcpy(&saved, eth, sizeof(saved));
	saved.h_proto = bpf_htons(t.inner);
	if (bpf_xdp_adjust_head(ctx, (int)(ohl + (t.hdr & 0xff))))
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
