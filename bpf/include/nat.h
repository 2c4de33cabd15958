/* ipvx data plane: NAT (LVS masquerading). Rewrites one side's address and port
 * and updates the IPv4 header and TCP/UDP checksums incrementally (RFC 1624), so a
 * checksum that was wrong stays wrong by the same amount and the receiver drops the
 * segment as it would have (docs/dataplane.md). */
#ifndef IPVX_NAT_H
#define IPVX_NAT_H
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "parse.h"
#include "csum.h"

enum nat_side { NAT_DST = 0, NAT_SRC = 1 };

/* RFC 768: a UDP checksum of zero means "none" (IPv4 only); a computed zero is sent as all ones. */
#define UDP_CSUM_NONE  0
#define UDP_CSUM_ZERO  0xffff

/* The IP addresses only: a later fragment has no ports, and its datagram's L4
 * checksum was updated on the first fragment. Returns 0, or -1 when the headers are not there. */
static __always_inline int nat_rewrite_addr(void *data, void *data_end, const struct pkt_desc *p,
					    int side, const struct ipvx_addr *to)
{
	const struct ipvx_addr *from = side == NAT_DST ? &p->key.dst : &p->key.src;

	if (p->key.family == 4) {
		struct iphdr *iph = data + (p->l3off & L3_OFF_MASK);

		if ((void *)(iph + 1) > data_end)
			return -1;
		iph->check = csum_replace4(iph->check, from->a[0], to->a[0]);
		if (side == NAT_DST)
			iph->daddr = to->a[0];
		else
			iph->saddr = to->a[0];
	} else {
		struct ipv6hdr *ip6h = data + (p->l3off & L3_OFF_MASK);

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		if (side == NAT_DST)
			__builtin_memcpy(&ip6h->daddr, to->a, 16);
		else
			__builtin_memcpy(&ip6h->saddr, to->a, 16);
	}
	return 0;
}

/* Rewrite the destination (to a real) or the source (back to the VIP), with its
 * port and the L4 checksum. Returns 0, or -1 when the headers are not there. */
static __always_inline int nat_rewrite(void *data, void *data_end, const struct pkt_desc *p,
				       int side, const struct ipvx_addr *to, __be16 to_port)
{
	const struct ipvx_addr *from = side == NAT_DST ? &p->key.dst : &p->key.src;
	__be16 from_port = side == NAT_DST ? p->key.dport : p->key.sport;
	__u16 *l4check = 0;
	__be16 *l4port;

	if (p->key.proto == IPPROTO_TCP_) {
		struct tcphdr *th = data + (p->l4off & L4_OFF_MASK);

		if ((void *)(th + 1) > data_end)
			return -1;
		l4check = &th->check;
		l4port = side == NAT_DST ? &th->dest : &th->source;
	} else {
		struct udphdr *uh = data + (p->l4off & L4_OFF_MASK);

		if ((void *)(uh + 1) > data_end)
			return -1;
		if (uh->check != UDP_CSUM_NONE || p->key.family == 6)
			l4check = &uh->check;
		l4port = side == NAT_DST ? &uh->dest : &uh->source;
	}
	/* The pseudo-header's address is in the L4 checksum too. */
	if (l4check)
		*l4check = p->key.family == 4 ? csum_replace4(*l4check, from->a[0], to->a[0])
					      : csum_replace16(*l4check, from->a, to->a);
	if (to_port && to_port != from_port) {
		if (l4check)
			*l4check = csum_replace2(*l4check, from_port, to_port);
		*l4port = to_port;
	}
	if (l4check && p->key.proto == IPPROTO_UDP_ && *l4check == UDP_CSUM_NONE)
		*l4check = UDP_CSUM_ZERO;
	return nat_rewrite_addr(data, data_end, p, side, to);
}

#endif
