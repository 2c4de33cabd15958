/* ipvx data plane: TUN (LVS ipip). Prepends an outer IPv4 (IPIP / 6in4) or IPv6
 * (IP6IP6 / 4in6) header addressed to the real; a packet that would exceed the
 * egress MTU gets ICMP frag-needed / ICMPv6 packet-too-big back to the client. */
#ifndef IPVX_ENCAP_H
#define IPVX_ENCAP_H
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include "parse.h"
#include "csum.h"
#include "nexthop.h"

/* ICMPv4 destination-unreachable / frag-needed header (RFC 792, RFC 1191). Declared
 * here because <linux/icmp.h> pulls in libc's <sys/socket.h>, which needs 32-bit libc
 * headers under -target bpf on a plain Debian machine. */
struct icmp_frag_needed {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;
};
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED  4

static __always_inline __u32 outer_hdr_len(const struct real_info *r)
{
	return r->family == 4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;
}

/* Copy the L2 header of the frame as it was (before adjust_head moved the start)
 * with new MACs and ethertype; a VLAN tag stays. */
struct l2_saved {
	__u8 dst[ETH_ALEN];
	__u8 src[ETH_ALEN];
	__be32 vlan;       /* TPID + TCI when tagged */
	__u8 tagged;
};

static __always_inline int l2_save(void *data, void *data_end, struct pkt_desc *p, struct l2_saved *s)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(s->dst, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(s->src, eth->h_source, ETH_ALEN);
	s->tagged = p->l3off != sizeof(struct ethhdr);
	if (s->tagged) {
		if (data + 18 > data_end)
			return -1;
		s->vlan = *(__be32 *)(data + 12);
	}
	return 0;
}

/* Writes the L2 header at the frame start; returns the L3 offset or -1. */
static __always_inline int l2_write(void *data, void *data_end, const struct l2_saved *s,
				    const __u8 *dmac, const __u8 *smac, __u16 ethertype)
{
	struct ethhdr *eth = data;

	if (data + 18 > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	if (s->tagged) {
		*(__be32 *)(data + 12) = s->vlan;
		*(__be16 *)(data + 16) = bpf_htons(ethertype);
		return 18;
	}
	eth->h_proto = bpf_htons(ethertype);
	return 14;
}

static __always_inline int encap_tun(struct xdp_md *ctx, struct pkt_desc *p,
				     struct real_info *r, struct nexthop *nh)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 hdr = outer_hdr_len(r);
	__u8 inner_proto = p->key.family == 4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;
	const struct ipvx_addr *src = r->tun_src.a[0] || r->tun_src.a[1] || r->tun_src.a[2] ||
				      r->tun_src.a[3] ? &r->tun_src : &nh->src;
	struct l2_saved l2 = {};
	int l3;

	if (l2_save(data, data_end, p, &l2))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	if (bpf_xdp_adjust_head(ctx, -(int)hdr))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	l3 = l2_write(data, data_end, &l2, nh->dmac, nh->smac, r->family == 4 ? ETH_P_IP : ETH_P_IPV6);
	if (l3 < 0)
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	l3 &= L3_OFF_MASK;

	if (r->family == 4) {
		struct iphdr *o = data + l3;

		if ((void *)(o + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		o->version = 4;
		o->ihl = 5;
		o->tos = p->tos;
		o->tot_len = bpf_htons(p->l3len + IPV4_HDR_LEN);
		o->id = 0;
		/* Keep the client's DF: PMTU discovery keeps working through the tunnel. */
		o->frag_off = p->key.family == 4 && !p->ipv4_df ? 0 : bpf_htons(IP_DF);
		o->ttl = DEFAULT_TTL;
		o->protocol = inner_proto;
		o->check = 0;
		o->saddr = src->a[0];
		o->daddr = r->addr.a[0];
		o->check = ipv4_hdr_csum(o);
	} else {
		struct ipv6hdr *o = data + l3;

		if ((void *)(o + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		*(__be32 *)o = bpf_htonl(0x60000000 | ((__u32)p->tos << 20));
		o->payload_len = bpf_htons(p->l3len);
		o->nexthdr = inner_proto;
		o->hop_limit = DEFAULT_TTL;
		__builtin_memcpy(&o->saddr, src->a, 16);
		__builtin_memcpy(&o->daddr, r->addr.a, 16);
	}
	return CONTINUE;
}

/* The client's packet does not fit the tunnel: answer with ICMP from the VIP,
 * quoting the original as RFC 792 / RFC 4443 ask, and send it back where it came from. */
static __always_inline int send_too_big(struct xdp_md *ctx, struct pkt_desc *p, __u32 mtu)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 frame_len = data_end - data;
	struct l2_saved l2 = {};
	__u32 quote, grow, l3;

	if (p->key.family == 4) {
		if (!p->ipv4_df)
			return VERDICT(R_DROP_TOO_BIG_NODF, XDP_DROP);
		/* The IP header (with options) and the first 8 bytes of its payload. */
		quote = (p->l4off - p->l3off) + 8;
		grow = IPV4_HDR_LEN + sizeof(struct icmp_frag_needed);
	} else {
		if (p->l3len < ICMP6_TOOBIG_QUOTE)
			return VERDICT(R_DROP_TOO_BIG_NODF, XDP_DROP);
		quote = ICMP6_TOOBIG_QUOTE;
		grow = IPV6_HDR_LEN + sizeof(struct icmp6hdr);
	}
	quote &= 0x7ff;
	if (l2_save(data, data_end, p, &l2))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	if (bpf_xdp_adjust_tail(ctx, (int)(p->l3off + quote) - (int)frame_len))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	l3 = l2_write(data, data_end, &l2, l2.src, l2.dst, p->key.family == 4 ? ETH_P_IP : ETH_P_IPV6);
	l3 &= L3_OFF_MASK;

	if (p->key.family == 4) {
		struct iphdr *iph = data + l3;
		struct icmp_frag_needed *icmp = (void *)(iph + 1);
		__u32 icmp_len = sizeof(*icmp) + quote;

		if ((void *)(icmp + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		iph->version = 4;
		iph->ihl = 5;
		iph->tos = 0;
		iph->tot_len = bpf_htons(IPV4_HDR_LEN + icmp_len);
		iph->id = 0;
		iph->frag_off = 0;
		iph->ttl = DEFAULT_TTL;
		iph->protocol = IPPROTO_ICMP_;
		iph->check = 0;
		iph->saddr = p->key.dst.a[0];
		iph->daddr = p->key.src.a[0];
		iph->check = ipv4_hdr_csum(iph);
		icmp->type = ICMP_DEST_UNREACH;
		icmp->code = ICMP_FRAG_NEEDED;
		icmp->checksum = 0;
		icmp->unused = 0;
		icmp->mtu = bpf_htons(mtu);
		icmp->checksum = csum_fold32(csum_region(data, data_end, l3 + IPV4_HDR_LEN, icmp_len, 20));
	} else {
		struct ipv6hdr *ip6h = data + l3;
		struct icmp6hdr *icmp6 = (void *)(ip6h + 1);
		__u32 icmp_len = sizeof(*icmp6) + ICMP6_TOOBIG_QUOTE;
		__u32 sum;

		if ((void *)(icmp6 + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(icmp_len);
		ip6h->nexthdr = IPPROTO_ICMPV6_;
		ip6h->hop_limit = DEFAULT_TTL;
		__builtin_memcpy(&ip6h->saddr, p->key.dst.a, 16);
		__builtin_memcpy(&ip6h->daddr, p->key.src.a, 16);
		icmp6->icmp6_type = ICMPV6_PKT_TOOBIG;
		icmp6->icmp6_code = 0;
		icmp6->icmp6_cksum = 0;
		icmp6->icmp6_mtu = bpf_htonl(mtu);
		/* Pseudo-header: addresses, upper-layer length, next header. */
		sum = csum_region(data, data_end, l3 + 8, 32, 8);
		sum += bpf_htons(icmp_len) + bpf_htons(IPPROTO_ICMPV6_);
		sum += csum_region(data, data_end, l3 + IPV6_HDR_LEN, icmp_len, (ICMP6_TOOBIG_QUOTE + 8) / 4);
		icmp6->icmp6_cksum = csum_fold32(sum);
	}
	return VERDICT(R_TX_ICMP_TOO_BIG, XDP_TX);
}

#endif
