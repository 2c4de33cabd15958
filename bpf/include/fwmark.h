/* ipvx data plane: firewall-mark services (ipvsadm -f). XDP runs before netfilter,
 * so no iptables mangle rule has marked the packet: ipvx applies the mark rules of
 * its configuration itself. The control plane compiles them (src/core/marks.ts) into
 * an LPM trie of destination prefixes per family and protocol, each with the port
 * ranges of every rule covering it in rule order, so the first range holding the
 * destination port is the first rule that matches. A fwmark service is an entry of
 * `services` with protocol 0 (no packet has it) and the mark in place of the VIP. */
#ifndef IPVX_FWMARK_H
#define IPVX_FWMARK_H
#include "maps.h"
#include "parse.h"

/* The mark the rules give this packet, or 0. */
static __always_inline __u32 packet_mark(const struct pkt_desc *p)
{
	struct mark_key k = {};
	struct mark_val *v;
	__u16 port = bpf_ntohs(p->key.dport);

	k.prefixlen = 32 + (p->key.family == 4 ? 32 : 128);
	k.family = p->key.family;
	k.proto = p->key.proto;
	__builtin_memcpy(k.addr, p->key.dst.a, 16);
	v = bpf_map_lookup_elem(&mark_prefixes, &k);
	if (!v)
		return 0;
	for (__u32 i = 0; i < IPVX_MARK_SCAN; i++) {
		__u32 idx = v->off + i;
		struct mark_range *r;

		if (i >= v->len)
			break;
		r = bpf_map_lookup_elem(&mark_ranges, &idx);
		if (r && port >= r->lo && port <= r->hi)
			return r->mark;
	}
	return 0;
}

/* IPVS looks a fwmark service up first (ip_vs_service_find); without one the packet
 * goes on to the address:port lookup. Only when some mark rule exists. */
static __always_inline struct svc_info *lookup_fwmark_service(const struct pkt_desc *p, const struct lb_globals *g)
{
	struct svc_key k = {};
	__u32 mark;

	if (!(g->flags & GLOBAL_F_MARKS))
		return 0;
	mark = packet_mark(p);
	if (!mark)
		return 0;
	k.vip.a[0] = mark;
	k.family = p->key.family;
	return bpf_map_lookup_elem(&services, &k);
}

#endif
