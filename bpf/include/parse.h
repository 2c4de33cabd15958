/* ipvx data plane: header parsing. Never reads past data_end nor trusts a length
 * field beyond the IP packet it belongs to; offsets are kept relative to ctx->data
 * so they survive bpf_xdp_adjust_head. */
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
#include "csum.h"

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

struct pkt_desc {
	struct flow_key key;  /* src, dst, ports, proto, family of the packet as received */
	__u32 l3off;          /* 14, or 18 behind one 802.1Q/802.1ad tag */
	__u32 l4off;          /* after the IPv4 options / IPv6 extension headers */
	__u32 l3len;          /* IP total length (header included) */
	__u32 frag_id;        /* IPv4 identification / IPv6 fragment id, for fragments */
	__u16 frag_off;       /* fragment offset in 8-byte units: > 0 = a later fragment */
	__u8 frag;            /* part of a fragmented datagram (first or later) */
	__u8 tcp_flags;
	__u8 ipv4_df;
	__u8 tos;
	__be16 vlan_proto;    /* 0 = untagged */
	__be16 vlan_tci;
	__u16 pad;
};

/* Offsets are masked where they index the packet so the verifier sees them bounded;
 * parsing refuses packets whose headers would end past these, so a mask never changes
 * an offset. */
#define L3_OFF_MASK 0x1f   /* 14, or 18 behind a VLAN tag */
#define L4_OFF_MASK 0x3ff  /* past IPv4 options or IPv6 extension headers */

/* The IP packet ends here (an Ethernet trailer may follow). */
static __always_inline __u32 l3_end(const struct pkt_desc *p)
{
	return p->l3off + p->l3len;
}

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP,
	PARSE_MALFORMED,
	PARSE_OTHER_L4,
	PARSE_ROUTED,         /* IPv6 routing header with segments left */
};

/* TCP flags: the 14th byte of the header (RFC 9293 3.1). */
#define TCP_FLAGS_OFF 13
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

/* IPv6 fragment header (RFC 8200 4.5): offset in the high 13 bits, M in the lowest. */
struct frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};
#define IP6_OFFSET_SHIFT 3
#define IP6_MF 0x0001

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
		p->vlan_proto = eth->h_proto;
		p->vlan_tci = vh->tci;
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
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK)) {
		p->frag = 1;
		p->frag_off = bpf_ntohs(iph->frag_off) & IP_OFFMASK;
		p->frag_id = iph->id;
	}
	return PARSE_OK;
}

/* The IPv4 header checksum (options included) sums to all ones (RFC 1071). Only
 * packets the program would forward are checked: the kernel checks what it gets. */
static __always_inline int ipv4_csum_ok(void *data, void *data_end, const struct pkt_desc *p)
{
	__u32 *w = data + (p->l3off & L3_OFF_MASK), sum = 0;
	__u32 words = (p->l4off - p->l3off) / 4;

	if ((void *)(w + IPV4_HDR_LEN / 4) > data_end)
		return 0;
#pragma unroll
	for (int i = 0; i < IPV4_HDR_LEN / 4; i++) {
		__u32 v = w[i];

		sum += (v & 0xffff) + (v >> 16);
	}
	/* Options: at most 40 more bytes. */
	for (__u32 i = IPV4_HDR_LEN / 4; i < 15; i++) {
		if (i >= words || (void *)(w + i + 1) > data_end)
			break;
		sum += (w[i] & 0xffff) + (w[i] >> 16);
	}
	return csum_fold32(sum) == 0;
}

/* The fixed header; extension headers are walked by ipv6_skip_ext (a global
 * function) only when there are any. */
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
	return PARSE_OK;
}

static __always_inline int ipv6_is_ext_hdr(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_DSTOPTS_ ||
	       nh == IPPROTO_FRAG6_ || nh == IPPROTO_AH_;
}

/* One IPv6 extension header at p->l4off: moves past it, as the kernel's
 * ipv6_find_hdr does. CONTINUE while more may follow. */
static __always_inline int ipv6_skip_one(void *data, void *data_end, struct pkt_desc *p)
{
	__u8 *h = data + (p->l4off & L4_OFF_MASK);
	__u32 len;

	if ((void *)(h + 8) > data_end || p->l4off + 8 > l3_end(p))
		return PARSE_MALFORMED;
	switch (p->key.proto) {
	case IPPROTO_FRAG6_: {
		struct frag6_hdr *fh = (void *)h;

		p->frag_off = bpf_ntohs(fh->frag_off) >> IP6_OFFSET_SHIFT;
		p->frag = p->frag_off || (fh->frag_off & bpf_htons(IP6_MF));
		p->frag_id = fh->id;
		len = sizeof(*fh);
		break;
	}
	case IPPROTO_AH_:
		len = ((__u32)h[1] + 2) * 4;
		break;
	case IPPROTO_ROUTING_:
		/* Segments left: the packet is on its way to another address first. */
		if (h[3])
			return PARSE_ROUTED;
		/* fall through */
	default:
		len = ((__u32)h[1] + 1) * 8;
		break;
	}
	p->key.proto = h[0];
	p->l4off += len;
	/* Every extension header lies inside the IP packet (ip6_rcv_core trims the skb to
	 * the payload length before ipv6_find_hdr reads it), within the masked offsets. */
	if (p->l4off > l3_end(p) || p->l4off > L4_OFF_MASK)
		return PARSE_MALFORMED;
	/* A later fragment has no upper-layer header to find. */
	if (p->frag_off)
		return PARSE_OK;
	return ipv6_is_ext_hdr(p->key.proto) ? CONTINUE : PARSE_OK;
}

/* Ports and TCP flags, with the header inside the IP packet. A first fragment holds
 * the header but not the whole datagram, so its UDP length is not checked. */
static __always_inline int parse_l4(void *data, void *data_end, struct pkt_desc *p)
{
	__u32 end = l3_end(p);

	if (p->key.proto == IPPROTO_TCP_) {
		struct tcphdr *th = data + (p->l4off & L4_OFF_MASK);

		if ((void *)(th + 1) > data_end || p->l4off + sizeof(*th) > end)
			return PARSE_MALFORMED;
		if (th->doff < 5 || p->l4off + th->doff * 4 > end)
			return PARSE_MALFORMED;
		p->key.sport = th->source;
		p->key.dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[TCP_FLAGS_OFF];
		return PARSE_OK;
	}
	if (p->key.proto == IPPROTO_UDP_) {
		struct udphdr *uh = data + (p->l4off & L4_OFF_MASK);
		__u32 ulen;

		if ((void *)(uh + 1) > data_end || p->l4off + sizeof(*uh) > end)
			return PARSE_MALFORMED;
		/* The kernel's udp_rcv: a length below the header or past the packet is dropped
		 * (a shorter one is trimmed by the receiver, and forwarded as IPVS does). IPv6:
		 * 0 is the whole payload (RFC 2675; __udp6_lib_rcv takes it so). */
		ulen = bpf_ntohs(uh->len);
		if (!ulen && p->key.family == 6)
			ulen = end - p->l4off;
		if (ulen < sizeof(*uh) || (!p->frag && p->l4off + ulen > end))
			return PARSE_MALFORMED;
		p->key.sport = uh->source;
		p->key.dport = uh->dest;
		return PARSE_OK;
	}
	return PARSE_OTHER_L4;
}

/* Sources no host may use (the kernel's ip_route_input_slow / ip6_rcv_core drop them). */
static __always_inline int martian_source(const struct pkt_desc *p)
{
	if (p->key.family == 4) {
		__u32 a = bpf_ntohl(p->key.src.a[0]);
		__u32 top = a >> 24;

		return top == 0 || top == 127 || (top >= 224 && top < 240) || a == 0xffffffffu;
	}
	if ((p->key.src.a[0] & bpf_htonl(0xff000000)) == bpf_htonl(0xff000000))
		return 1; /* ff00::/8 */
	return !p->key.src.a[0] && !p->key.src.a[1] && !p->key.src.a[2] &&
	       (!p->key.src.a[3] || p->key.src.a[3] == bpf_htonl(1)); /* :: and ::1 */
}

#endif
