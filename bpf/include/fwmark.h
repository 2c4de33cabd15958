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

/* The rules' entry for the packet's destination under `proto`, or 0. */
static __always_inline struct mark_val *mark_prefix(const struct pkt_desc *p, __u8 proto)
{
	struct mark_key k = {};

	k.prefixlen = 32 + (p->key.family == 4 ? 32 : 128);
	k.family = p->key.family;
	k.proto = proto;
	__builtin_memcpy(k.addr, p->key.dst.a, 16);
	return bpf_map_lookup_elem(&mark_prefixes, &k);
}

static __always_inline int global_flag(__u32 flag)
{
	__u32 zero = 0;
	struct lb_globals *g = bpf_map_lookup_elem(&globals, &zero);

	return g && (g->flags & flag);
}

/* A destination the VIP filter does not know may still be a mark rule's (its prefix
 * is no VIP; the control plane puts the addresses of narrow prefixes into the filter,
 * src/dataplane/marks.ts): 1 when some rule covers it, before the ports are parsed. An
 * ICMP error may be about a TCP or UDP flow there. A global function: its key stays
 * off the main path's stack. */
__noinline int mark_dest_known(struct pkt_desc *p)
{
	if (!p)
		return 0;
	if (p->key.proto == (p->key.family == 4 ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_))
		return mark_prefix(p, IPPROTO_TCP_) || mark_prefix(p, IPPROTO_UDP_);
	return mark_prefix(p, p->key.proto) != 0;
}

static __always_inline int mark_dest_maybe(struct pkt_desc *p)
{
	return global_flag(GLOBAL_F_MARK_PROBE) && mark_dest_known(p);
}

/* The mark the rules give this packet, or 0 (global, as mark_dest_known). */
__noinline __u32 packet_mark(struct pkt_desc *p)
{
	struct mark_val *v;
	__u16 port;

	if (!p)
		return 0;
	v = mark_prefix(p, p->key.proto);
	if (!v)
		return 0;
	port = bpf_ntohs(p->key.dport);
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

/* The services key of the packet's firewall-mark service into k (protocol 0, the
 * mark in place of the VIP): 1 when some mark rule gives the packet a mark. IPVS
 * looks a fwmark service up first (ip_vs_service_find). The caller's key, so the
 * main path's stack holds one. */
static __always_inline int fwmark_service_key(struct pkt_desc *p, struct svc_key *k)
{
	__u32 mark;

	if (!global_flag(GLOBAL_F_MARKS))
		return 0;
	mark = packet_mark(p);
	if (!mark)
		return 0;
	k->vip.a[0] = mark;
	k->family = p->key.family;
	return 1;
}

#endif
