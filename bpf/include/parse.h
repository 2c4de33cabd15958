/* ipvx data plane: header parsing. Never reads past data_end; offsets are kept
 * relative to ctx->data so they survive bpf_xdp_adjust_head. */
#ifndef IPVX_PARSE_H
#define IPVX_PARSE_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "consts.h"
#include "structs.h"

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

struct pkt_desc {
	struct flow_key key;  /* src, dst, ports, proto, family of the packet as received */
	__u32 l3off;          /* 14, or 18 behind one 802.1Q tag */
	__u32 l4off;
	__u32 l3len;          /* IP total length (header included) */
	__u8 tcp_flags;
	__u8 ipv4_df;
	__u8 tos;
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP,
	PARSE_MALFORMED,
	PARSE_FRAGMENT,
	PARSE_OTHER_L4,
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

/* Ethernet and at most one VLAN tag; returns the L3 ethertype in *proto. */
static __always_inline int parse_l2(void *data, void *data_end, struct pkt_desc *p, __u16 *proto)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return PARSE_MALFORMED;
	*proto = bpf_ntohs(eth->h_proto);
	p->l3off = sizeof(*eth);
	if (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD) {
		struct vlan_hdr_ *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return PARSE_MALFORMED;
		*proto = bpf_ntohs(vh->proto);
		p->l3off += sizeof(*vh);
	}
	if (*proto != ETH_P_IP && *proto != ETH_P_IPV6)
		return PARSE_NOT_IP;
	return PARSE_OK;
}

static __always_inline int parse_ipv4(void *data, void *data_end, struct pkt_desc *p)
{
	struct iphdr *iph = data + p->l3off;
	__u32 ihl;

	if ((void *)(iph + 1) > data_end)
		return PARSE_MALFORMED;
	if (iph->version != 4 || iph->ihl < 5)
		return PARSE_MALFORMED;
	ihl = iph->ihl * 4;
	if ((void *)iph + ihl > data_end)
		return PARSE_MALFORMED;
	p->l3len = bpf_ntohs(iph->tot_len);
	if (p->l3len < ihl || (void *)iph + p->l3len > data_end)
		return PARSE_MALFORMED;
	p->key.family = 4;
	p->key.src.a[0] = iph->saddr;
	p->key.dst.a[0] = iph->daddr;
	p->key.proto = iph->protocol;
	p->ipv4_df = !!(iph->frag_off & bpf_htons(IP_DF));
	p->tos = iph->tos;
	p->l4off = p->l3off + ihl;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return PARSE_FRAGMENT;
	return PARSE_OK;
}

static __always_inline int parse_ipv6(void *data, void *data_end, struct pkt_desc *p)
{
	struct ipv6hdr *ip6h = data + p->l3off;

	if ((void *)(ip6h + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip6h->version != 6)
		return PARSE_MALFORMED;
	p->l3len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
	if ((void *)ip6h + p->l3len > data_end)
		return PARSE_MALFORMED;
	p->key.family = 6;
	__builtin_memcpy(&p->key.src, &ip6h->saddr, 16);
	__builtin_memcpy(&p->key.dst, &ip6h->daddr, 16);
	p->key.proto = ip6h->nexthdr;
	p->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
	p->l4off = p->l3off + sizeof(*ip6h);
	/* Extension headers other than a fragment header are left to the kernel. */
	if (ip6h->nexthdr == IPPROTO_FRAG6_)
		return PARSE_FRAGMENT;
	return PARSE_OK;
}

/* Ports and TCP flags. */
static __always_inline int parse_l4(void *data, void *data_end, struct pkt_desc *p)
{
	if (p->key.proto == IPPROTO_TCP_) {
		struct tcphdr *th = data + p->l4off;

		if ((void *)(th + 1) > data_end)
			return PARSE_MALFORMED;
		if (th->doff < 5)
			return PARSE_MALFORMED;
		p->key.sport = th->source;
		p->key.dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return PARSE_OK;
	}
	if (p->key.proto == IPPROTO_UDP_) {
		struct udphdr *uh = data + p->l4off;

		if ((void *)(uh + 1) > data_end)
			return PARSE_MALFORMED;
		p->key.sport = uh->source;
		p->key.dport = uh->dest;
		return PARSE_OK;
	}
	return PARSE_OTHER_L4;
}

#endif
