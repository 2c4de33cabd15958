/* ipvx data plane: TUN (LVS tunnelling, ipvsadm -i). Prepends an outer IPv4 or IPv6
 * header addressed to the real, with the real's encapsulation as IPVS's
 * ip_vs_tunnel_xmit builds it (net/netfilter/ipvs/ip_vs_xmit.c):
 *   ipip: IPIP / 6in4 / IP6IP6 / 4in6 (next header 4 or 41);
 *   gue:  UDP to the real's --tun-port + a 4-byte GUE header (ipvs_gue_encap);
 *   gre:  a GRE header of 4 bytes, 8 with its checksum (ipvs_gre_encap).
 * A packet that would exceed the egress MTU gets ICMP frag-needed / ICMPv6
 * packet-too-big back to the client instead. */
#ifndef IPVX_ENCAP_H
#define IPVX_ENCAP_H
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include "parse.h"
#include "csum.h"
#include "nexthop.h"
#include "flowhash.h"
#include "pktsum.h"
#include "tunhdr.h"

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


/* GUE's UDP source port, as udp_flow_src_port() picks it: a hash of the flow spread
 * over the default local port range 32768-60999, so receivers spread flows over queues. */
#define GUE_SPORT_MIN   32768
#define GUE_SPORT_RANGE 28232

/* Bytes the tunnel puts in front of the client's packet (IPVS: max_headroom). */
static __always_inline __u32 outer_hdr_len(const struct real_info *r)
{
	__u32 len = r->family == 4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;

	if (r->tun_type == TUN_GUE)
		len += sizeof(struct udphdr) + sizeof(struct gue_base);
	else if (r->tun_type == TUN_GRE)
		len += sizeof(struct gre_base) + (r->tun_flags & TUN_F_CSUM ? GRE_LEN_OPT : 0);
	return len;
}

/* A fresh identification for an IPv4 header we build: a per-CPU counter starting at a
 * random value (IPVS: ip_select_ident; the kernel's counters are per destination bucket). */
static __always_inline __be16 next_ip_ident(void)
{
	__u32 zero = 0, *c = bpf_map_lookup_elem(&ip_ident, &zero);

	if (!c)
		return 0;
	if (*c == 0)
		*c = bpf_get_prandom_u32() | 1;
	return bpf_htons((__u16)(*c)++);
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

/* GUE or GRE between the outer IP header (at l3) and the client's packet; the
 * checksum (--tun-csum / --tun-remcsum) over the tunnel header and the whole
 * client packet. Returns 0, or -1 when the header is out of reach. A function of its
 * own (not inlined): its locals stay off the main path's stack. */
static __noinline int tun_hdr_write(struct xdp_md *ctx, __u32 l3, const struct pkt_desc *p,
					 const struct real_info *r, __u32 ohl)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u8 inner = p->key.family == 4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;
	__u32 hdr = outer_hdr_len(r) - ohl, off = (l3 + ohl) & 0x7f, sum;

	if (r->tun_type == TUN_GUE) {
		struct udphdr *uh = data + off;
		struct gue_base *gh = (void *)(uh + 1);
		__u32 udp_len = hdr + p->l3len;

		if ((void *)(gh + 1) > data_end)
			return -1;
		uh->source = bpf_htons(GUE_SPORT_MIN + (((__u64)flow_draw_hash(p) * GUE_SPORT_RANGE) >> 32));
		uh->dest = r->tun_port;
		uh->len = bpf_htons(udp_len);
		uh->check = 0;
		gh->ver_c_hlen = 0;
		gh->proto_ctype = inner;
		gh->flags = 0;
		/* IPVS sets a UDP checksum for --tun-csum and --tun-remcsum (udp_set_csum);
		 * the remote checksum option is only for locally made packets whose checksum
		 * is still partial, never the case for a packet received from the wire. */
		if (!(r->tun_flags & (TUN_F_CSUM | TUN_F_REMCSUM)))
			return 0;
		sum = csum_packet(ctx, off, udp_len);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		uh = data + off;
		if ((void *)(uh + 1) > data_end)
			return -1;
		if (r->family == 4) {
			struct iphdr *o = data + (l3 & L3_OFF_MASK);

			if ((void *)(o + 1) > data_end)
				return -1;
			sum = sum_add_carry(sum, (o->saddr & 0xffff) + (o->saddr >> 16));
			sum = sum_add_carry(sum, (o->daddr & 0xffff) + (o->daddr >> 16));
		} else {
			sum = sum_add_carry(sum, csum_region(data, data_end, (l3 & L3_OFF_MASK) + 8, 32, 8));
		}
		sum = sum_add_carry(sum, bpf_htons(udp_len) + bpf_htons(IPPROTO_UDP_));
		uh->check = csum_fold32(sum) ?: 0xffff; /* RFC 768: a sum of 0 is sent as all ones */
		return 0;
	}
	{
		struct gre_base *gh = data + off;
		__u16 *check = (void *)(gh + 1);

		if ((void *)(gh + 1) > data_end)
			return -1;
		gh->protocol = bpf_htons(p->key.family == 4 ? ETH_P_IP : ETH_P_IPV6);
		if (!(r->tun_flags & TUN_F_CSUM)) {
			gh->flags = 0;
			return 0;
		}
		if ((void *)(check + 2) > data_end)
			return -1;
		gh->flags = bpf_htons(GRE_F_CSUM);
		check[0] = 0;
		check[1] = 0;
		sum = csum_packet(ctx, off, hdr + p->l3len);
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		check = data + off + sizeof(struct gre_base);
		if ((void *)(check + 1) > data_end)
			return -1;
		*check = csum_fold32(sum);
	}
	return 0;
}

static __always_inline int encap_tun(struct xdp_md *ctx, struct pkt_desc *p,
				     struct real_info *r, struct nexthop *nh)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 hdr = outer_hdr_len(r), ohl = r->family == 4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;
	__u8 next = r->tun_type == TUN_GUE ? IPPROTO_UDP_ : r->tun_type == TUN_GRE ? IPPROTO_GRE_ :
		    p->key.family == 4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;
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
		o->tot_len = bpf_htons(p->l3len + hdr);
		o->id = next_ip_ident();
		/* DF as the client set it (IPVS: ip_vs_prepare_tunneled_skb copies it from an
		 * IPv4 packet, and leaves it clear for an IPv6 one, which IPv4 may fragment). */
		o->frag_off = p->key.family == 4 && p->ipv4_df ? bpf_htons(IP_DF) : 0;
		o->ttl = DEFAULT_TTL;
		o->protocol = next;
		o->check = 0;
		o->saddr = src->a[0];
		o->daddr = r->addr.a[0];
		o->check = ipv4_hdr_csum(o);
	} else {
		struct ipv6hdr *o = data + l3;

		if ((void *)(o + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		*(__be32 *)o = bpf_htonl(0x60000000 | ((__u32)p->tos << 20));
		o->payload_len = bpf_htons(p->l3len + hdr - IPV6_HDR_LEN);
		o->nexthdr = next;
		o->hop_limit = DEFAULT_TTL;
		__builtin_memcpy(&o->saddr, src->a, 16);
		__builtin_memcpy(&o->daddr, r->addr.a, 16);
	}
	if (r->tun_type != TUN_IPIP && tun_hdr_write(ctx, l3, p, r, ohl))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	return CONTINUE;
}

/* A source an ICMP error may be sent to: one host (RFC 1122 3.2.2: not 0/8, 127/8,
 * multicast, class E or broadcast; RFC 4443 2.4: not ::, ::1 or multicast). */
static __always_inline int is_single_host(const struct pkt_desc *p)
{
	return !martian_source(p) && !(p->key.family == 4 && (bpf_ntohl(p->key.src.a[0]) >> 28) == 0xf);
}

/* The client's packet does not fit the tunnel: answer with ICMP from the VIP, quoting
 * the original as RFC 792 / RFC 4443 ask, and send it back where it came from, from
 * this interface's own MAC. Never in answer to a link-layer broadcast or multicast, to
 * a source that is not one host, or to a non-first IPv4 fragment (RFC 1122 3.2.2,
 * RFC 4443 2.4; the kernel's forwarding path drops such frames before its MTU check). */
static __always_inline int send_too_big(struct xdp_md *ctx, struct pkt_desc *p, __u32 mtu)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 frame_len = data_end - data;
	struct ethhdr *eth = data;
	struct l2_saved l2 = {};
	const struct if_mac *own;
	__u32 quote, grow, l3;

	if ((void *)(eth + 1) > data_end)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	if (p->key.family == 4) {
		if (!p->ipv4_df)
			return VERDICT(R_DROP_TOO_BIG_NODF, XDP_DROP);
		if (p->frag_off)
			return VERDICT(R_DROP_TOO_BIG_UNANSWERED, XDP_DROP);
		/* The IP header (with options) and the first 8 bytes of its payload. */
		quote = (p->l4off - p->l3off) + 8;
		grow = IPV4_HDR_LEN + sizeof(struct icmp_frag_needed);
	} else {
		/* As much of the packet as fits the IPv6 minimum MTU (RFC 4443 3.2), also under
		 * a tunnel MTU below 1280 (the client then cannot shrink its packets enough,
		 * RFC 8201 5; docs/dataplane.md). */
		quote = p->l3len < ICMP6_TOOBIG_QUOTE ? p->l3len : ICMP6_TOOBIG_QUOTE;
		grow = IPV6_HDR_LEN + sizeof(struct icmp6hdr);
	}
	if ((eth->h_dest[0] & 1) || !is_single_host(p))
		return VERDICT(R_DROP_TOO_BIG_UNANSWERED, XDP_DROP);
	own = own_mac(ctx->ingress_ifindex);
	if (!own)
		return VERDICT(R_DROP_TOO_BIG_UNANSWERED, XDP_DROP);
	quote &= 0x7ff;
	if (l2_save(data, data_end, p, &l2))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	if (bpf_xdp_adjust_tail(ctx, (int)(p->l3off + quote) - (int)frame_len))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	l3 = l2_write(data, data_end, &l2, l2.src, own->addr, p->key.family == 4 ? ETH_P_IP : ETH_P_IPV6);
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
		iph->id = next_ip_ident();
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
		__u32 icmp_len = sizeof(*icmp6) + quote;
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
		sum = sum_add_carry(sum, bpf_htons(icmp_len) + bpf_htons(IPPROTO_ICMPV6_));
		sum = sum_add_carry(sum, csum_packet(ctx, l3 + IPV6_HDR_LEN, icmp_len));
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		icmp6 = data + l3 + IPV6_HDR_LEN;
		if ((void *)(icmp6 + 1) > data_end)
			return VERDICT(R_DROP_ADJUST, XDP_DROP);
		icmp6->icmp6_cksum = csum_fold32(sum);
	}
	return VERDICT(R_TX_ICMP_TOO_BIG, XDP_TX);
}

#endif
