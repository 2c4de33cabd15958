// SPDX-License-Identifier: GPL-2.0
/* ipvx director: the XDP entry. parse -> flow (established) -> service (or NAT
 * reply) -> new flow -> forward.
 * Anything that is not for a configured service (or a NAT reply) goes to the
 * kernel untouched, so the host keeps working. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "consts.h"
#include "structs.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "counters.h"
#include "nexthop.h"
#include "nat.h"
#include "encap.h"
#include "sched.h"
#include "fwmark.h"

#define NS_PER_SEC 1000000000ull

static __always_inline struct svc_info *lookup_service(struct pkt_desc *p)
{
	struct svc_key k = {};
	struct svc_info *svc;

	k.vip = p->key.dst;
	k.port = p->key.dport;
	k.proto = p->key.proto;
	k.family = p->key.family;
	svc = bpf_map_lookup_elem(&services, &k);
	if (svc)
		return svc;
	/* Port 0: a persistent service for every port of the VIP. */
	k.port = 0;
	return bpf_map_lookup_elem(&services, &k);
}

static __always_inline int is_vip(struct pkt_desc *p)
{
	struct vip_key k = {};

	k.addr = p->key.dst;
	k.family = p->key.family;
	return bpf_map_lookup_elem(&vips, &k) != 0;
}

/* The IPVS-like state a TCP packet moves its flow to. */
static __always_inline __u32 next_state(const struct pkt_desc *p, __u32 cur)
{
	if (p->key.proto != IPPROTO_TCP_)
		return FLOW_UDP;
	if (p->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		return FLOW_FIN;
	if (p->tcp_flags & TCP_FLAG_SYN)
		return cur == FLOW_NONE ? FLOW_SYN : cur;
	if (cur == FLOW_SYN || cur == FLOW_NONE)
		return FLOW_EST;
	return cur;
}

static __always_inline __u64 state_timeout(const struct lb_globals *g, __u32 state)
{
	switch (state) {
	case FLOW_EST:
		return g->tcp_timeout_ns;
	case FLOW_UDP:
		return g->udp_timeout_ns;
	default:
		return g->tcpfin_timeout_ns;
	}
}

/* Keep the per-real active/inactive counters of lc/wlc/sed/nq in step with a
 * state change. The control plane recounts from the flow table periodically,
 * which also corrects what LRU eviction and expiry leave behind. */
static __always_inline void conns_move(__u32 real_id, __u32 from, __u32 to)
{
	struct real_conns *c = bpf_map_lookup_elem(&real_conns, &real_id);

	if (!c || from == to)
		return;
	if (from == FLOW_EST)
		__sync_fetch_and_add(&c->active, -1);
	else if (from != FLOW_NONE)
		__sync_fetch_and_add(&c->inactive, -1);
	if (to == FLOW_EST)
		__sync_fetch_and_add(&c->active, 1);
	else if (to != FLOW_NONE)
		__sync_fetch_and_add(&c->inactive, 1);
}

/* The flow's real still exists as the flow knew it (removed or replaced reals get a
 * new generation). */
static __always_inline int flow_real_live(const struct flow_val *fv, const struct real_info *r)
{
	return r && (r->flags & REAL_F_LIVE) && r->gen == fv->real_gen;
}

/* An established packet: move the flow's state (cmpxchg, so two CPUs moving the same
 * flow count the transition once) and refresh its last-seen time at most once a
 * second, so established packets stay read-only. */
static __always_inline void flow_refresh(const struct pkt_desc *p, struct flow_val *fv, __u32 real_id,
					 __u64 now)
{
	__u32 old = fv->state, state = next_state(p, old);

	if (state != old && __sync_val_compare_and_swap(&fv->state, old, state) == old)
		conns_move(real_id, old, state);
	if (now - fv->atime > NS_PER_SEC)
		fv->atime = now;
}

static __always_inline void mask_addr(struct ipvx_addr *dst, const struct ipvx_addr *a,
				      const struct ipvx_addr *m)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		dst->a[i] = a->a[i] & m->a[i];
}

/* A new flow's real: the client's persistence entry if it is still good, else the scheduler. */
static __always_inline __u32 schedule(struct svc_info *svc, struct pkt_desc *p, __u64 now,
				      struct real_info **rp)
{
	struct persist_key pk = {};
	struct persist_val *pv = 0, npv = {};
	struct real_info *r;
	__u32 id;

	if (svc->flags & SVC_F_PERSIST) {
		pk.svc_id = svc->id;
		pk.family = p->key.family;
		mask_addr(&pk.client, &p->key.src, &svc->persist_mask);
		pv = bpf_map_lookup_elem(&persist, &pk);
		if (pv && now - pv->atime <= (__u64)svc->persist_timeout * NS_PER_SEC) {
			id = pv->real_id;
			r = bpf_map_lookup_elem(&reals, &id);
			/* A quiesced real keeps its persistent clients, as in IPVS. */
			if (r && (r->flags & REAL_F_LIVE) && r->gen == pv->real_gen) {
				pv->atime = now;
				count_reason(R_PERSIST_HIT);
				*rp = r;
				return id;
			}
		}
	}
	id = pick_real(svc, p);
	if (id == NO_REAL)
		return NO_REAL;
	r = bpf_map_lookup_elem(&reals, &id);
	if (!r || !(r->flags & REAL_F_LIVE))
		return NO_REAL;
	if (svc->flags & SVC_F_PERSIST) {
		npv.real_id = id;
		npv.real_gen = r->gen;
		npv.atime = now;
		bpf_map_update_elem(&persist, &pk, &npv, BPF_ANY);
	}
	*rp = r;
	return id;
}

/* NAT: remember where the client's packets come from, keyed by the reply's 5-tuple. */
static __always_inline void nat_remember(struct xdp_md *ctx, struct pkt_desc *p, struct svc_info *svc,
					 struct real_info *r, __u32 real_id)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key rk = {};
	struct nat_rev_val rv = {};

	if ((void *)(eth + 1) > data_end)
		return;
	rk.src = r->addr;
	rk.dst = p->key.src;
	rk.sport = r->port ? r->port : p->key.dport;
	rk.dport = p->key.sport;
	rk.proto = p->key.proto;
	rk.family = p->key.family;
	rv.vip = p->key.dst;
	rv.vport = p->key.dport;
	rv.svc_id = svc->id;
	rv.real_id = real_id;
	rv.ifindex = ctx->ingress_ifindex;
	__builtin_memcpy(rv.client_mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(rv.our_mac, eth->h_dest, ETH_ALEN);
	bpf_map_update_elem(&nat_rev, &rk, &rv, BPF_ANY);
}

/* A packet that is not for a service may be a real's reply to a NAT flow: rewritten
 * back to VIP:port and sent where the client's packets came from. */
static __always_inline int nat_reply_or_pass(struct xdp_md *ctx, struct pkt_desc *p,
					     const struct lb_globals *g)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct nat_rev_val *rv;

	if (!(g->flags & GLOBAL_F_NAT))
		return count_exit(R_PASS_NOT_SERVICE, XDP_PASS);
	rv = bpf_map_lookup_elem(&nat_rev, &p->key);
	if (!rv)
		return count_exit(R_PASS_NOT_SERVICE, XDP_PASS);
	if (nat_rewrite(data, data_end, p, NAT_SRC, &rv->vip, rv->vport))
		return count_exit(R_PASS_MALFORMED, XDP_PASS);
	if (set_macs(data, data_end, rv->client_mac, rv->our_mac))
		return count_exit(R_PASS_MALFORMED, XDP_PASS);
	count_out(&svc_stats, rv->svc_id, p->l3len);
	count_out(&real_stats, rv->real_id, p->l3len);
	count_reason(R_FWD_NAT_REPLY);
	return xmit(ctx, rv->ifindex);
}

/* Unicast to this interface's MAC, or multicast/broadcast, or an interface we were
 * not told the MAC of. A global function: verified once on its own, it adds no
 * states to the main program (which is close to the verifier's complexity limit). */
__noinline int for_this_host(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 ifindex = ctx->ingress_ifindex;
	struct ethhdr *eth = data;
	struct if_mac *own;

	if ((void *)(eth + 1) > data_end || (eth->h_dest[0] & 1))
		return 1;
	own = bpf_map_lookup_elem(&if_macs_direct, &ifindex);
	if (!own || !own->valid)
		own = bpf_map_lookup_elem(&if_macs, &ifindex);
	if (!own)
		return 1;
	/* clang's BPF target has no memcmp: six bytes compared by hand. */
	return eth->h_dest[0] == own->addr[0] && eth->h_dest[1] == own->addr[1] &&
	       eth->h_dest[2] == own->addr[2] && eth->h_dest[3] == own->addr[3] &&
	       eth->h_dest[4] == own->addr[4] && eth->h_dest[5] == own->addr[5];
}

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_desc p = {};
	struct svc_info *svc;
	struct flow_val *fv, nfv = {};
	__u32 svc_id;
	struct real_info *r = 0;
	struct lb_globals *g;
	struct nexthop nh = {};
	__u32 zero = 0, real_id = NO_REAL, new_conn = 0;
	__u16 l3proto;
	__u64 now;
	int rc;

	/* 1. Parse: Ethernet (+ one VLAN tag), IPv4/IPv6, TCP/UDP. */
	rc = parse_l2(data, data_end, &p, &l3proto);
	if (rc == PARSE_NOT_IP)
		return count_exit(R_PASS_NOT_IP, XDP_PASS);
	if (rc)
		return count_exit(R_PASS_MALFORMED, XDP_PASS);
	if (!for_this_host(ctx))
		return count_exit(R_PASS_OTHER_HOST, XDP_PASS);
	rc = l3proto == ETH_P_IP ? parse_ipv4(data, data_end, &p) : parse_ipv6(data, data_end, &p);
	if (rc == PARSE_FRAGMENT)
		return is_vip(&p) ? count_exit(R_DROP_FRAGMENT, XDP_DROP)
				  : count_exit(R_PASS_NOT_SERVICE, XDP_PASS);
	if (rc)
		return count_exit(R_PASS_MALFORMED, XDP_PASS);
	rc = parse_l4(data, data_end, &p);
	if (rc == PARSE_OTHER_L4)
		return count_exit(R_PASS_OTHER_L4, XDP_PASS);
	if (rc)
		return count_exit(R_PASS_MALFORMED, XDP_PASS);

	g = bpf_map_lookup_elem(&globals, &zero);
	if (!g)
		return count_exit(R_PASS_MALFORMED, XDP_PASS);
	now = bpf_ktime_get_coarse_ns();

	/* 2. Flow first: an established packet needs only its flow and its real (the flow
	 * carries the service id), so it skips the service lookup. Established flows stay
	 * on their real while it exists and the flow has not timed out. */
	fv = bpf_map_lookup_elem(&flows, &p.key);
	if (fv) {
		real_id = fv->real_id;
		r = bpf_map_lookup_elem(&reals, &real_id);
		if (flow_real_live(fv, r) && now - fv->atime <= state_timeout(g, fv->state)) {
			flow_refresh(&p, fv, real_id, now);
			svc_id = fv->svc_id;
			goto forward;
		}
	}

	/* 3. No usable flow: the service decides; without one it is a NAT reply or not ours. */
	svc = lookup_fwmark_service(&p, g) ?: lookup_service(&p);
	if (!svc)
		return nat_reply_or_pass(ctx, &p, g);
	if (fv) {
		if (!flow_real_live(fv, r)) {
			count_reason(R_FLOW_REAL_GONE);
			if (svc->flags & SVC_F_NO_RESCHED)
				return count_exit(R_DROP_NO_RESCHED, XDP_DROP);
		} else {
			count_reason(R_FLOW_EXPIRED);
			conns_move(real_id, fv->state, FLOW_NONE);
		}
	}

	/* 4. New flow: persistence, then the scheduler. */
	real_id = schedule(svc, &p, now, &r);
	if (real_id == NO_REAL || !r)
		return count_exit(R_DROP_NO_REAL, XDP_DROP);
	nfv.real_id = real_id;
	nfv.real_gen = r->gen;
	nfv.atime = now;
	nfv.svc_id = svc->id;
	nfv.state = next_state(&p, FLOW_NONE);
	svc_id = svc->id;
	new_conn = 1;
	if (one_packet(svc, &p))
		goto forward;
	if (r->method == METHOD_NAT)
		nat_remember(ctx, &p, svc, r, real_id);
	if (bpf_map_update_elem(&flows, &p.key, &nfv, BPF_ANY))
		count_reason(R_FLOW_INSERT_FAILED);
	conns_move(real_id, FLOW_NONE, nfv.state);
	count_reason(R_FLOW_NEW);
	if (p.key.proto == IPPROTO_TCP_ && !(p.tcp_flags & TCP_FLAG_SYN))
		count_reason(R_FLOW_LOST);

forward:
	count_in(&svc_stats, svc_id, p.l3len, new_conn);
	count_in(&real_stats, real_id, p.l3len, new_conn);

	/* 5. Forward by the real's method. */
	if (real_nexthop(ctx, r, &nh))
		return count_exit(R_DROP_NO_NEIGH, XDP_DROP);
	if (r->method == METHOD_TUN) {
		if (p.l3len + outer_hdr_len(r) > nh.mtu)
			return send_too_big(ctx, &p, nh.mtu - outer_hdr_len(r));
		rc = encap_tun(ctx, &p, r, &nh);
		if (rc)
			return rc;
		return xmit(ctx, nh.ifindex);
	}
	if (r->method == METHOD_NAT) {
		if (nat_rewrite(data, data_end, &p, NAT_DST, &r->addr, r->port))
			return count_exit(R_PASS_MALFORMED, XDP_DROP);
	}
	/* DR and NAT: new MACs, same IP packet (NAT rewrote its destination). */
	if (set_macs(data, data_end, nh.dmac, nh.smac))
		return count_exit(R_PASS_MALFORMED, XDP_DROP);
	return xmit(ctx, nh.ifindex);
}

char _license[] SEC("license") = "GPL";
