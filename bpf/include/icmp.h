/* ipvx data plane: ICMP errors about flows (IPVS's ip_vs_in_icmp / ip_vs_out_icmp and
 * their IPv6 twins). An error quotes the packet it is about; its 5-tuple, turned
 * around, names the flow. */
#ifndef IPVX_ICMP_H
#define IPVX_ICMP_H
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "parse.h"
#include "csum.h"

/* The fixed part of ICMPv4 and ICMPv6 messages (RFC 792, RFC 4443 2.1). */
struct icmp_hdr_ {
	__u8 type;
	__u8 code;
	__sum16 csum;
	__be32 rest;
};
#define ICMP_DEST_UNREACH_   3
#define ICMP_SOURCE_QUENCH_  4
#define ICMP_TIME_EXCEEDED_  11
/* ICMPv6 error messages have types below 128 (RFC 4443 2.1; ICMPV6_INFOMSG_MASK). */
#define ICMPV6_INFOMSG_MASK_ 0x80

/* What an ICMP error quotes: the 5-tuple as it was sent, and where its parts sit. */
struct icmp_quote {
	struct flow_key key;  /* src, dst, ports of the quoted packet */
	__u32 ip_off;         /* quoted IP header */
	__u32 l4_off;         /* quoted ports */
	__u32 icmp_off;
};

static __always_inline int is_icmp(const struct pkt_desc *p)
{
	return p->key.proto == (p->key.family == 4 ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_);
}

/* CONTINUE when p is an ICMP error (the types IPVS relays) quoting a TCP/UDP packet
 * with its ports; else PARSE_OTHER_L4 (not an error) or PARSE_MALFORMED. */
static __always_inline int icmp_parse_quote(void *data, void *data_end, const struct pkt_desc *p,
					    struct icmp_quote *q)
{
	__u32 off = p->l4off & L4_OFF_MASK, end = l3_end(p);
	struct icmp_hdr_ *ic = data + off;

	if ((void *)(ic + 1) > data_end || off + sizeof(*ic) > end)
		return PARSE_MALFORMED;
	if (p->key.family == 4 ? ic->type != ICMP_DEST_UNREACH_ && ic->type != ICMP_SOURCE_QUENCH_ &&
				       ic->type != ICMP_TIME_EXCEEDED_
			       : ic->type & ICMPV6_INFOMSG_MASK_)
		return PARSE_OTHER_L4;
	q->icmp_off = off;
	q->ip_off = off + sizeof(*ic);
	/* Quoted headers must sit where the masked offsets below can reach. */
	if (q->ip_off + IPV6_HDR_LEN + 4 > L4_OFF_MASK || q->ip_off + 60 + 4 > L4_OFF_MASK)
		return PARSE_MALFORMED;
	q->key.family = p->key.family;
	if (p->key.family == 4) {
		struct iphdr *iph = data + (q->ip_off & L4_OFF_MASK);

		if ((void *)(iph + 1) > data_end || q->ip_off + sizeof(*iph) > end)
			return PARSE_MALFORMED;
		if (iph->version != 4 || iph->ihl < 5 || (iph->frag_off & bpf_htons(IP_OFFMASK)))
			return PARSE_MALFORMED;
		q->key.src.a[0] = iph->saddr;
		q->key.dst.a[0] = iph->daddr;
		q->key.proto = iph->protocol;
		q->l4_off = q->ip_off + iph->ihl * 4;
	} else {
		struct ipv6hdr *ip6h = data + (q->ip_off & L4_OFF_MASK);

		if ((void *)(ip6h + 1) > data_end || q->ip_off + sizeof(*ip6h) > end)
			return PARSE_MALFORMED;
		__builtin_memcpy(&q->key.src, &ip6h->saddr, 16);
		__builtin_memcpy(&q->key.dst, &ip6h->daddr, 16);
		q->key.proto = ip6h->nexthdr;
		q->l4_off = q->ip_off + sizeof(*ip6h);
	}
	if (q->key.proto != IPPROTO_TCP_ && q->key.proto != IPPROTO_UDP_)
		return PARSE_MALFORMED;
	{
		__be16 *ports = data + (q->l4_off & L4_OFF_MASK);

		if ((void *)(ports + 2) > data_end || q->l4_off + 4 > end)
			return PARSE_MALFORMED;
		q->key.sport = ports[0];
		q->key.dport = ports[1];
	}
	return CONTINUE;
}

/* The flow of the packet an error quotes, as the flow table keys it: the quoted packet
 * went from the VIP (or the real) to the client, the flow runs the other way. Turned
 * in place (the quote's own source is then k->dst, its source port k->dport). */
static __always_inline void icmp_flow_key(struct flow_key *k)
{
	struct ipvx_addr a = k->src;
	__be16 port = k->sport;

	k->src = k->dst;
	k->dst = a;
	k->sport = k->dport;
	k->dport = port;
}

/* NAT for an error: the outer address on `outer_side`, and the quoted packet's address
 * and port on the other side, from `from` to `to` (IPVS's ip_vs_nat_icmp). The
 * quoted L4 checksum is left alone, as IPVS does. Checksums are updated
 * incrementally: in IPv4 the quoted header's address and its checksum change by
 * opposite amounts, so the ICMP checksum only sees the port; in IPv6 the ICMPv6
 * checksum covers the pseudo-header and the quoted addresses. Returns 0 or -1. */
static __always_inline int icmp_nat(void *data, void *data_end, const struct pkt_desc *p,
				    const struct icmp_quote *q, int outer_dst,
				    const struct ipvx_addr *outer_from, const struct ipvx_addr *from,
				    const struct ipvx_addr *to, __be16 from_port, __be16 to_port)
{
	struct icmp_hdr_ *ic = data + (q->icmp_off & L4_OFF_MASK);
	__be16 *ports = data + (q->l4_off & L4_OFF_MASK);
	/* The quoted packet went the other way: the outer destination's counterpart is
	 * the quoted source, and the other way round. */
	int quoted_src = outer_dst;
	__u16 csum;

	if ((void *)(ic + 1) > data_end || (void *)(ports + 2) > data_end)
		return -1;
	csum = ic->csum;
	if (to_port && to_port != from_port) {
		csum = csum_replace2(csum, from_port, to_port);
		ports[quoted_src ? 0 : 1] = to_port;
	}
	if (p->key.family == 4) {
		struct iphdr *o = data + (p->l3off & L3_OFF_MASK);
		struct iphdr *in = data + (q->ip_off & L4_OFF_MASK);

		if ((void *)(o + 1) > data_end || (void *)(in + 1) > data_end)
			return -1;
		o->check = csum_replace4(o->check, outer_from->a[0], to->a[0]);
		if (outer_dst)
			o->daddr = to->a[0];
		else
			o->saddr = to->a[0];
		in->check = csum_replace4(in->check, from->a[0], to->a[0]);
		if (quoted_src)
			in->saddr = to->a[0];
		else
			in->daddr = to->a[0];
	} else {
		struct ipv6hdr *o = data + (p->l3off & L3_OFF_MASK);
		struct ipv6hdr *in = data + (q->ip_off & L4_OFF_MASK);

		if ((void *)(o + 1) > data_end || (void *)(in + 1) > data_end)
			return -1;
		csum = csum_replace16(csum, outer_from->a, to->a);
		csum = csum_replace16(csum, from->a, to->a);
		if (outer_dst)
			__builtin_memcpy(&o->daddr, to->a, 16);
		else
			__builtin_memcpy(&o->saddr, to->a, 16);
		if (quoted_src)
			__builtin_memcpy(&in->saddr, to->a, 16);
		else
			__builtin_memcpy(&in->daddr, to->a, 16);
	}
	ic->csum = csum;
	return 0;
}

#endif
