/* ipvx data plane: NAT (LVS masquerading). Rewrites one side's address and port
 * and updates the IPv4 header and TCP/UDP checksums incrementally. */
#ifndef IPVX_NAT_H
#define IPVX_NAT_H
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "parse.h"
#include "csum.h"

enum nat_side { NAT_DST = 0, NAT_SRC = 1 };

/* Rewrite the destination (to a real) or the source (back to the VIP). */
static __always_inline int nat_rewrite(void *data, void *data_end, struct pkt_desc *p,
				       int side, const struct ipvx_addr *to, __be16 to_port)
{
	__u32 l3off = p->l3off & 0x1f, l4off = p->l4off & 0x7f;
	const struct ipvx_addr *from = side == NAT_DST ? &p->key.dst : &p->key.src;
	__be16 from_port = side == NAT_DST ? p->key.dport : p->key.sport;
	__u16 *l4check = 0;
	__be16 *l4port;

	if (p->key.proto == IPPROTO_TCP_) {
		struct tcphdr *th = data + l4off;

		if ((void *)(th + 1) > data_end)
			return -1;
		l4check = &th->check;
		l4port = side == NAT_DST ? &th->dest : &th->source;
	} else {
		struct udphdr *uh = data + l4off;

		if ((void *)(uh + 1) > data_end)
			return -1;
		/* IPv4 UDP without a checksum stays without one. */
		if (uh->check || p->key.family == 6)
			l4check = &uh->check;
		l4port = side == NAT_DST ? &uh->dest : &uh->source;
	}

	if (p->key.family == 4) {
		struct iphdr *iph = data + l3off;

		if ((void *)(iph + 1) > data_end)
			return -1;
		iph->check = csum_replace4(iph->check, from->a[0], to->a[0]);
		if (side == NAT_DST)
			iph->daddr = to->a[0];
		else
			iph->saddr = to->a[0];
		if (l4check)
			*l4check = csum_replace4(*l4check, from->a[0], to->a[0]);
	} else {
		struct ipv6hdr *ip6h = data + l3off;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		if (side == NAT_DST)
			__builtin_memcpy(&ip6h->daddr, to->a, 16);
		else
			__builtin_memcpy(&ip6h->saddr, to->a, 16);
		if (l4check)
			*l4check = csum_replace16(*l4check, from->a, to->a);
	}
	if (to_port && to_port != from_port) {
		if (l4check)
			*l4check = csum_replace2(*l4check, from_port, to_port);
		*l4port = to_port;
	}
	/* A UDP checksum that computes to 0 is sent as 0xffff (0 means "none"). */
	if (l4check && p->key.proto == IPPROTO_UDP_ && *l4check == 0)
		*l4check = 0xffff;
	return 0;
}

#endif
