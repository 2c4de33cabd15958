// SPDX-License-Identifier: GPL-2.0
/* ipvx director: the XDP entry. parse -> is it for a VIP -> flow (established) ->
 * service -> new flow -> forward by method.
 * Anything that is not for a configured service (or a NAT reply, or an ICMP error
 * about one of our flows) goes to the kernel untouched, so the host keeps working.
 *
 * Conventions: helpers that decide a packet's fate return CONTINUE or a
 * VERDICT(reason, action), counted once where balancer_ingress returns; helpers that
 * only do something return 0, or -1 when they could not (and every caller checks). Global (__noinline, non-static)
 * functions are verified on their own: the rare paths (IPv6 extension headers, ICMP
 * errors, later fragments, NAT replies) live there so they add no states to the
 * main path. */
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
#include "icmp.h"
#include "fwmark.h"

#define NS_PER_SEC 1000000000ull

/* CLOCK_MONOTONIC in ns, from jiffies: bpf_jiffies64() is inlined by the verifier,
 * a ktime helper is a call (see docs/benchmarks.md). Resolution: one tick. */
static __always_inline __u64 clock_now(const struct lb_globals *g)
{
	return bpf_jiffies64() * g->tick_ns + g->clock_base_ns;
}

/* The address filter (addr_filter in maps.h): 0 = certainly not in the set. */
static __always_inline int filter_maybe(const struct ipvx_addr *a, __u32 seed)
{
	__u32 h = (a->a[0] ^ a->a[1] ^ a->a[2] ^ a->a[3] ^ seed) * 0x9E3779B1u;
	__u32 bit = h >> (32 - IPVX_FILTER_BITS), word = bit >> 6;
	__u64 *w = bpf_map_lookup_elem(&addr_filter, &word);

	return w && ((*w >> (bit & 63)) & 1);
}

/* Exactly a VIP (the vips map) or a destination a mark rule covers (fwmark.h: its
 * packets may be a fwmark service's), for the rare decisions that must not guess. */
static __always_inline int is_vip(struct pkt_desc *p)
{
	struct vip_key k = {};

	k.addr = p->key.dst;
	k.family = p->key.family;
	if (bpf_map_lookup_elem(&vips, &k))
		return 1;
	return global_flag(GLOBAL_F_MARKS) && mark_dest_known(p);
}

/* 0 when the frame is unicast to this interface (or one whose MAC we were not told),
 * else the reason it is not ours. IPVS serves only what the stack accepted as
 * PACKET_HOST (ip_vs_core.c ip_vs_in: pkt_type != PACKET_HOST is ignored). */
static __always_inline __u32 link_not_for_us(struct xdp_md *ctx, void *data, void *data_end)
{
	struct ethhdr *eth = data;
	const struct if_mac *own;

	if ((void *)(eth + 1) > data_end)
		return R_PASS_MALFORMED;
	if (eth->h_dest[0] & 1)
		return R_PASS_NOT_UNICAST;
	own = own_mac(ctx->ingress_ifindex);
	if (!own)
		return 0;
	/* clang's BPF target has no memcmp: 4 + 2 bytes. */
	if (*(__u32 *)eth->h_dest != *(__u32 *)own->addr ||
	    *(__u16 *)(eth->h_dest + 4) != *(__u16 *)(own->addr + 4))
		return R_PASS_OTHER_HOST;
	return 0;
}

/* Hook: the service a packet is for: a firewall-mark service first, as IPVS
 * (fwmark.h), then VIP:port. */
static __always_inline struct svc_info *lookup_service(struct pkt_desc *p)
{
	struct svc_key k = {};
	struct svc_info *svc;

	if (fwmark_service_key(p, &k)) {
		svc = bpf_map_lookup_elem(&services, &k);
		if (svc)
			return svc;
	}
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

/* The flood defence is on for this mode: always (3), or while this CPU is flooded. */
static __always_inline int defense_on(__u8 mode, int flooded)
{
	return mode == DEFENSE_ALWAYS || (mode != DEFENSE_OFF && flooded);
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

/* A SYN on a closed flow's 5-tuple: the client reused its port for a new connection,
 * which IPVS schedules anew (conn_reuse_mode 1, is_new_conn_expected() in
 * ip_vs_core.c; ipvx keeps one closing state, FLOW_FIN, where IPVS has FIN_WAIT,
 * TIME_WAIT and CLOSE). Only a flow that is still usable gets here. */
static __always_inline int syn_reuses_flow(const struct pkt_desc *p, const struct flow_val *fv)
{
	return (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN && fv->state == FLOW_FIN;
}

static __always_inline __u64 state_timeout(const struct lb_globals *g, __u32 state)
{
	switch (state) {
	case FLOW_EST:
		return g->tcp_timeout_ns;
	case FLOW_UDP:
		return g->udp_timeout_ns;
	case FLOW_SYN:
		return g->secure_tcp == DEFENSE_ALWAYS ? g->syn_timeout_ns : g->tcpfin_timeout_ns;
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

/* `then` lies within `limit` before `now`, or after it: a time another CPU stamped just
 * after this one read the clock (jiffies move between the two reads) is recent, not
 * 2^64 ns old. */
static __always_inline int within(__u64 now, __u64 then, __u64 limit)
{
	return (__s64)(now - then) <= (__s64)limit;
}

/* The flow's real still exists as the flow knew it (removed or replaced reals get a
 * new generation). */
static __always_inline int flow_real_live(const struct flow_val *fv, const struct real_info *r)
{
	return r && (r->flags & REAL_F_LIVE) && r->gen == fv->real_gen;
}

/* A flow's real if the flow can be followed: real live, not timed out. */
static __always_inline struct real_info *flow_usable(const struct lb_globals *g, const struct flow_val *fv,
						     __u64 now)
{
	__u32 id = fv->real_id;
	struct real_info *r = bpf_map_lookup_elem(&reals, &id);

	if (flow_real_live(fv, r) && within(now, fv->atime, state_timeout(g, fv->state)))
		return r;
	return 0;
}

/* An established packet: move the flow's state (cmpxchg, so two CPUs moving the same
 * flow count the transition once) and refresh its last-seen time at most once a
 * second, so established packets stay read-only. */
static __always_inline void flow_refresh(const struct pkt_desc *p, struct flow_val *fv, __u64 now)
{
	__u32 old = fv->state, state = next_state(p, old);

	if (state != old && __sync_val_compare_and_swap(&fv->state, old, state) == old)
		conns_move(fv->real_id, old, state);
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

/* A new flow's real: the client's persistence entry if it is still good, else the
 * scheduler (sched.h). A global function: the schedulers' bounded loops are verified
 * once, not on every path that reaches them; one call per new flow. */
__noinline __u32 schedule(struct svc_info *svc, struct pkt_desc *p, __u64 now)
{
	struct persist_key pk = {};
	struct persist_val *pv = 0, npv = {};
	struct real_info *r;
	__u32 id;

	if (!svc || !p)
		return NO_REAL;
	if (svc->flags & SVC_F_PERSIST) {
		pk.svc_id = svc->id;
		pk.family = p->key.family;
		mask_addr(&pk.client, &p->key.src, &svc->persist_mask);
		pv = bpf_map_lookup_elem(&persist, &pk);
		if (pv && within(now, pv->atime, (__u64)svc->persist_timeout * NS_PER_SEC)) {
			id = pv->real_id;
			r = bpf_map_lookup_elem(&reals, &id);
			/* A quiesced real keeps its persistent clients, as in IPVS. */
			if (r && (r->flags & REAL_F_LIVE) && r->gen == pv->real_gen) {
				pv->atime = now;
				count_event(E_PERSIST_HIT);
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
		if (bpf_map_update_elem(&persist, &pk, &npv, BPF_ANY))
			count_event(E_FLOW_INSERT_FAILED);
	}
	return id;
}

/* Counts this CPU's new flows per second; 1 while it is flooded: the previous or the
 * current second had more than new_flow_rate (so a sustained flood never lets the
 * first flows of a second into the table). */
static __always_inline int flood_tick(const struct lb_globals *g, __u64 now)
{
	__u32 zero = 0;
	struct flood_state *f = bpf_map_lookup_elem(&flood, &zero);

	if (!f || !g->new_flow_rate)
		return 0;
	if (now - f->window_ns >= NS_PER_SEC) {
		f->flooded = f->count > g->new_flow_rate && now - f->window_ns < 2 * NS_PER_SEC;
		f->window_ns = now;
		f->count = 0;
	}
	if (++f->count > g->new_flow_rate && !f->flooded) {
		f->flooded = 1;
		count_event(E_FLOOD_WINDOWS);
	}
	return f->flooded;
}

/* A flooded CPU's SYN (step 4 of the packet path): the real of a hash-scheduled DR/TUN
 * service, with the service id above it; a NAT real with FLOOD_SCHEDULED (the flow is
 * kept, and the new flow takes this real: scheduling twice would count a persistence
 * hit twice, or one for a client that had none); FLOOD_NOT_OURS without a service;
 * FLOOD_NO_REAL without a real; FLOOD_GO_ON for services that keep flows anyway. */
#define FLOOD_GO_ON     (-1)
#define FLOOD_NOT_OURS  (-2)
#define FLOOD_NO_REAL   (-3)
#define FLOOD_SCHEDULED (1ll << 62)

__noinline __s64 flooded_syn_real(struct pkt_desc *p, __u64 now)
{
	struct svc_info *svc;
	struct real_info *r;
	__u32 id;

	if (!p)
		return FLOOD_NOT_OURS;
	svc = lookup_service(p);
	if (!svc)
		return FLOOD_NOT_OURS;
	if (svc->sched != SCHED_HASH)
		return FLOOD_GO_ON;
	id = schedule(svc, p, now);
	r = bpf_map_lookup_elem(&reals, &id);
	if (id == NO_REAL || !r)
		return FLOOD_NO_REAL;
	if (r->method == METHOD_NAT)
		return FLOOD_SCHEDULED | id;
	return ((__s64)svc->id << 32) | id;
}

/* Where a new flow is kept (the hook for services that keep none, e.g. one-packet). */
enum flow_home { HOME_FLOWS = 0, HOME_EMBRYOS, HOME_NONE };

static __always_inline int flow_home(const struct lb_globals *g, const struct svc_info *svc,
				     const struct real_info *r, const struct pkt_desc *p, int flooded)
{
	/* One-packet scheduling (sched.h): each datagram on its own, as IPVS keeps no
	 * connection for it (and expects no reply to translate, even for NAT). */
	if (one_packet(svc, p))
		return HOME_NONE;
	/* Consistent hashing sends the flow's next packets to the same real (Katran's
	 * flood mode); NAT needs its reverse entry, so it keeps the flow. */
	if (flooded && svc->sched == SCHED_HASH && r->method != METHOD_NAT)
		return HOME_NONE;
	if (defense_on(g->drop_entry, flooded))
		return HOME_EMBRYOS;
	return HOME_FLOWS;
}

/* NAT: remember where the client's packets come from, keyed by the reply's 5-tuple:
 * the interface, the client's MAC, that interface's own MAC and the VLAN tag. Once
 * per new NAT flow; a global function keeps its stack off the main path's. */
__noinline int nat_remember(struct xdp_md *ctx, struct pkt_desc *p, __u32 svc_id, __u32 real_id)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	const struct if_mac *own = own_mac(ctx->ingress_ifindex);
	struct real_info *r = bpf_map_lookup_elem(&reals, &real_id);
	struct flow_key rk = {};
	struct nat_rev_val rv = {};

	if (!p || !r || (void *)(eth + 1) > data_end)
		return -1;
	rk.src = r->addr;
	rk.dst = p->key.src;
	rk.sport = r->port ? r->port : p->key.dport;
	rk.dport = p->key.sport;
	rk.proto = p->key.proto;
	rk.family = p->key.family;
	rv.vip = p->key.dst;
	rv.vport = p->key.dport;
	rv.svc_id = svc_id;
	rv.real_id = real_id;
	rv.ifindex = ctx->ingress_ifindex;
	rv.vlan_proto = p->vlan_proto;
	rv.vlan_tci = p->vlan_tci;
	__builtin_memcpy(rv.client_mac, eth->h_source, ETH_ALEN);
	/* The frame was unicast to us (link_not_for_us), so its destination is our MAC
	 * when the interface's is not known. */
	__builtin_memcpy(rv.our_mac, own ? own->addr : eth->h_dest, ETH_ALEN);
	return bpf_map_update_elem(&nat_rev, &rk, &rv, BPF_ANY);
}

static __always_inline void frag_key_of(const struct pkt_desc *p, struct frag_key *k)
{
	k->src = p->key.src;
	k->dst = p->key.dst;
	k->id = p->frag_id;
	k->proto = p->key.proto;
	k->family = p->key.family;
}

/* A first fragment: its datagram's later fragments will follow it to `real_id`. */
__noinline int frag_remember(struct pkt_desc *p, __u32 real_id, __u32 gen, __u32 svc_id)
{
	struct frag_key k = {};
	struct frag_val v = {};

	if (!p)
		return -1;
	frag_key_of(p, &k);
	v.real_id = real_id;
	v.real_gen = gen;
	v.svc_id = svc_id;
	count_event(E_FRAG_FIRST);
	return bpf_map_update_elem(&frags, &k, &v, BPF_ANY);
}

/* A packet too big for the tunnel: answered with ICMP (encap.h), verified on its own
 * (its checksum loops are long). */
__noinline int tunnel_too_big(struct xdp_md *ctx, struct pkt_desc *p, __u32 mtu)
{
	if (!p)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	return send_too_big(ctx, p, mtu);
}

/* Hook: forward by the real's method. The packet is final for DR and NAT (a NAT
 * caller rewrote it already); TUN wraps it. An ICMP error too big for the tunnel is
 * not answered with another (RFC 1122 3.2.2): `answer_too_big` = 0. */
static __always_inline int send_to_real(struct xdp_md *ctx, struct pkt_desc *p, struct real_info *r,
					int answer_too_big)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct nexthop nh = {};
	int rc;

	/* DR and NAT to a real whose next hop the control plane resolved (nearly always):
	 * its MACs straight into the frame, same IP packet. */
	if (r->method != METHOD_TUN && (r->flags & REAL_F_NEXTHOP)) {
		if (set_macs(data, data_end, r->dmac, r->smac))
			return VERDICT(R_PASS_MALFORMED, XDP_PASS);
		return xmit(ctx, r->ifindex);
	}
	if (real_nexthop(ctx, r, &nh))
		return VERDICT(R_DROP_NO_NEIGH, XDP_DROP);
	if (r->method == METHOD_TUN) {
		if (p->l3len + outer_hdr_len(r) > nh.mtu)
			return answer_too_big ? tunnel_too_big(ctx, p, nh.mtu - outer_hdr_len(r))
					      : VERDICT(R_DROP_TOO_BIG_NODF, XDP_DROP);
		rc = encap_tun(ctx, p, r, &nh);
		if (rc != CONTINUE)
			return rc;
		return xmit(ctx, nh.ifindex);
	}
	/* DR and NAT: new MACs, same IP packet. */
	if (set_macs(data, data_end, nh.dmac, nh.smac))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	return xmit(ctx, nh.ifindex);
}

/* ---- Rare paths, verified on their own ---------------------------------------- */

/* A rare path that decided to send the packet to a real returns FORWARD_TO(real_id) (a
 * verdict is >= 0, CONTINUE is -1); balancer_ingress forwards it, so the rare path's
 * stack frame never sits under the forwarding code's (the verifier allows 512 bytes
 * for the deepest chain of calls). */
#define FORWARD_TO(real_id) (-2 - (int)(real_id))
#define FORWARD_REAL(v)     ((__u32)(-2 - (v)))

/* IPv6 extension headers between the fixed header and TCP/UDP (or a fragment
 * header deep in the chain), walked as the kernel's ipv6_find_hdr does. */
__noinline int ipv6_skip_ext(struct xdp_md *ctx, struct pkt_desc *p)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	int rc;

	if (!p)
		return PARSE_MALFORMED;
	for (int i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
		rc = ipv6_skip_one(data, data_end, p);
		if (rc != CONTINUE)
			return rc;
	}
	return PARSE_MALFORMED;
}

/* An ICMP error to a VIP about one of its flows (the VIP's replies hit a smaller MTU,
 * a TTL ran out): on to the flow's real (FORWARD_TO), translated for NAT (IPVS
 * ip_vs_in_icmp). */
__noinline int icmp_error_to_vip(struct xdp_md *ctx, struct pkt_desc *p)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct icmp_quote q = {};
	struct flow_val *fv;
	struct real_info *r;
	__u32 id;
	int rc;

	if (!p)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	rc = icmp_parse_quote(data, data_end, p, &q);
	if (rc == PARSE_OTHER_L4)
		return VERDICT(R_PASS_OTHER_L4, XDP_PASS);
	if (rc != CONTINUE)
		return VERDICT(R_PASS_ICMP_NO_FLOW, XDP_PASS);
	icmp_flow_key(&q.key);
	fv = bpf_map_lookup_elem(&flows, &q.key);
	if (!fv)
		fv = bpf_map_lookup_elem(&embryos, &q.key);
	if (!fv)
		return VERDICT(R_PASS_ICMP_NO_FLOW, XDP_PASS);
	id = fv->real_id;
	r = bpf_map_lookup_elem(&reals, &id);
	if (!flow_real_live(fv, r))
		return VERDICT(R_PASS_ICMP_NO_FLOW, XDP_PASS);
	count_in(&svc_stats, fv->svc_id, p->l3len, 0);
	count_in(&real_stats, id, p->l3len, 0);
	if (r->method == METHOD_NAT &&
	    icmp_nat(data, data_end, p, &q, 1, &p->key.dst, &q.key.dst, &r->addr, q.key.dport, r->port))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	count_event(E_ICMP_TO_REAL);
	return FORWARD_TO(id);
}

/* A later fragment to a VIP: where its first fragment went (FORWARD_TO), or dropped
 * (without an L4 header there is nothing to balance on, and the kernel would take it
 * for itself). */
__noinline int later_fragment_to_vip(struct xdp_md *ctx, struct pkt_desc *p)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct frag_key k = {};
	struct frag_val *fv;
	struct real_info *r;
	__u32 id;

	if (!p)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	frag_key_of(p, &k);
	fv = bpf_map_lookup_elem(&frags, &k);
	if (!fv)
		return VERDICT(R_DROP_FRAG_NO_FLOW, XDP_DROP);
	id = fv->real_id;
	r = bpf_map_lookup_elem(&reals, &id);
	if (!r || !(r->flags & REAL_F_LIVE) || r->gen != fv->real_gen)
		return VERDICT(R_DROP_FRAG_NO_FLOW, XDP_DROP);
	count_in(&svc_stats, fv->svc_id, p->l3len, 0);
	count_in(&real_stats, id, p->l3len, 0);
	if (r->method == METHOD_NAT && nat_rewrite_addr(data, data_end, p, NAT_DST, &r->addr))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	count_event(E_FRAG_FOLLOWED);
	return FORWARD_TO(id);
}

/* A NAT reverse entry's way back to the client: MACs and VLAN tag, counters. The
 * source MAC is the egress interface's own, as it is now. */
static __always_inline int nat_send_back(struct xdp_md *ctx, struct pkt_desc *p, const struct nat_rev_val *rv)
{
	const struct if_mac *own = own_mac(rv->ifindex);

	if (set_l2(ctx, p, rv->client_mac, own ? own->addr : rv->our_mac, rv->vlan_proto, rv->vlan_tci))
		return VERDICT(R_DROP_ADJUST, XDP_DROP);
	count_out(&svc_stats, rv->svc_id, p->l3len);
	count_out(&real_stats, rv->real_id, p->l3len);
	return xmit(ctx, rv->ifindex);
}

/* An ICMP error from a NAT real (or a router behind it) about a packet the director
 * sent it: translated back to the VIP and sent to the client (IPVS ip_vs_out_icmp). */
static __always_inline int icmp_error_from_nat(struct xdp_md *ctx, struct pkt_desc *p)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct icmp_quote q = {};
	struct nat_rev_val *rv;
	int rc;

	rc = icmp_parse_quote(data, data_end, p, &q);
	if (rc != CONTINUE)
		return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
	icmp_flow_key(&q.key);
	rv = bpf_map_lookup_elem(&nat_rev, &q.key);
	if (!rv)
		return VERDICT(R_PASS_ICMP_NO_FLOW, XDP_PASS);
	if (p->key.family == 4 && !ipv4_csum_ok(data, data_end, p))
		return VERDICT(R_PASS_BAD_CSUM, XDP_PASS);
	if (icmp_nat(data, data_end, p, &q, 0, &p->key.src, &q.key.src, &rv->vip, q.key.sport, rv->vport))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	count_event(E_ICMP_TO_CLIENT);
	return nat_send_back(ctx, p, rv);
}

/* Not addressed to a VIP: a NAT real's reply (whole, first or later fragment), an ICMP
 * error about a NAT flow, or not ours. */
__noinline int not_for_a_vip(struct xdp_md *ctx, struct pkt_desc *p)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct lb_globals *g = bpf_map_lookup_elem(&globals, &zero);
	struct nat_rev_val *rv;
	int rc;

	if (!p || !g)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	if (!(g->flags & GLOBAL_F_NAT))
		return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
	if (p->frag_off) {
		struct frag_key k = {};
		struct frag_val *fv;

		frag_key_of(p, &k);
		fv = bpf_map_lookup_elem(&frags, &k);
		if (!fv || fv->real_id != NO_REAL)
			return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
		if (p->key.family == 4 && !ipv4_csum_ok(data, data_end, p))
			return VERDICT(R_PASS_BAD_CSUM, XDP_PASS);
		if (nat_rewrite_addr(data, data_end, p, NAT_SRC, &fv->rev.vip))
			return VERDICT(R_PASS_MALFORMED, XDP_PASS);
		count_event(E_FRAG_FOLLOWED);
		count_event(E_NAT_REPLY);
		return nat_send_back(ctx, p, &fv->rev);
	}
	rc = parse_l4(data, data_end, p);
	if (rc == PARSE_OTHER_L4 && is_icmp(p))
		return icmp_error_from_nat(ctx, p);
	if (rc)
		return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
	rv = bpf_map_lookup_elem(&nat_rev, &p->key);
	if (!rv)
		return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
	if (p->key.family == 4 && !ipv4_csum_ok(data, data_end, p))
		return VERDICT(R_PASS_BAD_CSUM, XDP_PASS);
	if (nat_rewrite(data, data_end, p, NAT_SRC, &rv->vip, rv->vport))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	if (p->frag) {
		struct frag_key k = {};
		struct frag_val v = {};

		frag_key_of(p, &k);
		v.real_id = NO_REAL;
		v.svc_id = rv->svc_id;
		v.rev = *rv;
		if (bpf_map_update_elem(&frags, &k, &v, BPF_ANY))
			count_event(E_FLOW_INSERT_FAILED);
		count_event(E_FRAG_FIRST);
	}
	count_event(E_NAT_REPLY);
	return nat_send_back(ctx, p, rv);
}

/* The VIP filter only says maybe: a packet a check refuses, or one bound for a rare
 * path, is first confirmed to be a VIP's (one exact lookup, off the established path);
 * only then is `verdict` its, else it is what any other address's packet is. */
static __always_inline int vip_verdict(struct xdp_md *ctx, struct pkt_desc *p, int verdict)
{
	return is_vip(p) ? verdict : not_for_a_vip(ctx, p);
}

/* Run by the control plane through BPF_PROG_TEST_RUN: writes bpf_jiffies64() into the
 * frame, so the clock the data plane keeps time with can be read from user space. */
SEC("xdp")
int read_clock(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u64 *out = data;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	*out = bpf_jiffies64();
	return XDP_PASS;
}

/* ---- The packet path ------------------------------------------------------------ */

static __always_inline int process_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_desc p = {};
	struct svc_info *svc;
	struct flow_val *fv, nfv = {};
	struct real_info *r = 0;
	struct lb_globals *g;
	__u32 zero = 0, real_id, svc_id, new_conn = 0, reason, scheduled = NO_REAL;
	__u16 l3proto;
	__u64 now;
	int rc, flooded = -1, home;

	/* 1. Parse: Ethernet (+ one VLAN tag), unicast to us; IPv4 or IPv6. */
	rc = parse_l2(data, data_end, &p, &l3proto);
	if (rc == PARSE_NOT_IP)
		return VERDICT(R_PASS_NOT_IP, XDP_PASS);
	if (rc)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	reason = link_not_for_us(ctx, data, data_end);
	if (reason)
		return VERDICT(reason, XDP_PASS);
	if (l3proto == ETH_P_IP) {
		rc = parse_ipv4(data, data_end, &p);
	} else {
		rc = parse_ipv6(data, data_end, &p);
		if (rc == PARSE_OK && ipv6_is_ext_hdr(p.key.proto)) {
			rc = ipv6_skip_ext(ctx, &p);
			data = (void *)(long)ctx->data;
			data_end = (void *)(long)ctx->data_end;
		}
	}
	if (rc == PARSE_ROUTED)
		return VERDICT(R_PASS_IPV6_ROUTED, XDP_PASS);
	if (rc)
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);

	/* 2. Not to a VIP (nor to a mark rule's prefix, fwmark.h): the host's own traffic
	 * passes after one filter read; NAT replies and ICMP errors about NAT flows come
	 * from reals. */
	if (!filter_maybe(&p.key.dst, FILTER_SEED_VIP) && !mark_dest_maybe(&p)) {
		if (!filter_maybe(&p.key.src, FILTER_SEED_NAT_SRC) && !is_icmp(&p))
			return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
		return not_for_a_vip(ctx, &p);
	}

	/* 3. To a VIP (maybe): refuse what the kernel would refuse (vip_verdict confirms
	 * the VIP first); fragments and ICMP errors go their own way. */
	if (p.key.family == 4 && !ipv4_csum_ok(data, data_end, &p))
		return vip_verdict(ctx, &p, VERDICT(R_PASS_BAD_CSUM, XDP_PASS));
	if (martian_source(&p))
		return vip_verdict(ctx, &p, VERDICT(R_DROP_MARTIAN, XDP_DROP));
	if (p.frag_off) {
		if (!is_vip(&p))
			return not_for_a_vip(ctx, &p);
		rc = later_fragment_to_vip(ctx, &p);
		goto rare_path;
	}
	rc = parse_l4(data, data_end, &p);
	if (rc == PARSE_OTHER_L4) {
		if (!is_vip(&p))
			return not_for_a_vip(ctx, &p);
		if (!is_icmp(&p))
			return VERDICT(R_PASS_OTHER_L4, XDP_PASS);
		rc = icmp_error_to_vip(ctx, &p);
		goto rare_path;
	}
	if (rc)
		return vip_verdict(ctx, &p, VERDICT(R_PASS_MALFORMED, XDP_PASS));

	g = bpf_map_lookup_elem(&globals, &zero);
	if (!g)
		return VERDICT(R_PASS_NOT_SERVICE, XDP_PASS);
	now = clock_now(g);

	/* 4. A CPU flooded with SYNs: a SYN for a hash-scheduled service skips the flow
	 * table, as Katran's flood mode does; the hash sends it where its flow would be. */
	if ((p.tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN && g->new_flow_rate) {
		flooded = flood_tick(g, now);
		if (flooded) {
			__s64 pick = flooded_syn_real(&p, now);

			if (pick == FLOOD_NOT_OURS)
				return not_for_a_vip(ctx, &p);
			if (pick == FLOOD_NO_REAL)
				return VERDICT(R_DROP_NO_REAL, XDP_DROP);
			if (pick >= 0 && (pick & FLOOD_SCHEDULED)) {
				scheduled = (__u32)pick;
			} else if (pick >= 0) {
				real_id = (__u32)pick;
				svc_id = (__u32)(pick >> 32);
				r = bpf_map_lookup_elem(&reals, &real_id);
				if (!r)
					return VERDICT(R_DROP_NO_REAL, XDP_DROP);
				new_conn = 1;
				count_event(E_FLOW_NO_ENTRY);
				goto forward;
			}
		}
	}

	/* 5. Flow first: an established packet needs only its flow and its real (the flow
	 * carries the service id), so it skips the service lookup. Established flows stay
	 * on their real while it exists and the flow has not timed out. */
	fv = bpf_map_lookup_elem(&flows, &p.key);
	if (fv) {
		r = flow_usable(g, fv, now);
		if (r && !syn_reuses_flow(&p, fv)) {
			flow_refresh(&p, fv, now);
			real_id = fv->real_id;
			svc_id = fv->svc_id;
			goto forward;
		}
	}

	/* 6. No usable flow: the service decides; without one the packet is not ours
	 * (or a NAT reply to a client whose address passed the VIP filter). */
	svc = lookup_service(&p);
	if (!svc)
		return not_for_a_vip(ctx, &p);
	if (fv) {
		real_id = fv->real_id;
		r = bpf_map_lookup_elem(&reals, &real_id);
		if (!flow_real_live(fv, r)) {
			count_event(E_FLOW_REAL_GONE);
			if (svc->flags & SVC_F_NO_RESCHED)
				return VERDICT(R_DROP_NO_RESCHED, XDP_DROP);
		} else if (!within(now, fv->atime, state_timeout(g, fv->state))) {
			count_event(E_FLOW_EXPIRED);
			conns_move(real_id, fv->state, FLOW_NONE);
		} else if (svc->flags & SVC_F_PERSIST) {
			/* A reused port (syn_reuses_flow): persistence decides, as for
			 * IPVS's controlled connections; the flow keeps its real (the
			 * connection's next packets refresh it). */
			svc_id = fv->svc_id;
			goto forward;
		} else {
			count_event(E_FLOW_REUSED);
			conns_move(real_id, fv->state, FLOW_NONE);
		}
	}

	/* 7. An embryonic flow's second packet (drop_entry defence) makes it a flow. */
	if (within(now, g->embryo_ns, g->udp_timeout_ns + g->tcpfin_timeout_ns)) {
		struct flow_val *ev = bpf_map_lookup_elem(&embryos, &p.key);

		if (ev) {
			r = flow_usable(g, ev, now);
			if (r) {
				real_id = ev->real_id;
				svc_id = ev->svc_id;
				if (!(p.tcp_flags & TCP_FLAG_SYN)) {
					nfv = *ev;
					nfv.atime = now;
					nfv.state = next_state(&p, ev->state);
					conns_move(real_id, ev->state, nfv.state);
					if (bpf_map_update_elem(&flows, &p.key, &nfv, BPF_ANY))
						count_event(E_FLOW_INSERT_FAILED);
					/* -ENOENT: another CPU promoted it, or the LRU evicted
					 * it, in between; either way it is gone. */
					(void)bpf_map_delete_elem(&embryos, &p.key);
					count_event(E_FLOW_PROMOTED);
				}
				goto forward;
			}
		}
	}

	/* 8. New flow: the flood defence, persistence, the scheduler. */
	if (flooded < 0)
		flooded = flood_tick(g, now);
	if (p.key.proto == IPPROTO_TCP_ && !(p.tcp_flags & TCP_FLAG_SYN) && defense_on(g->secure_tcp, flooded))
		return VERDICT(R_PASS_NOT_SYN, XDP_PASS);
	real_id = scheduled != NO_REAL ? scheduled : schedule(svc, &p, now);
	r = bpf_map_lookup_elem(&reals, &real_id);
	if (real_id == NO_REAL || !r)
		return VERDICT(R_DROP_NO_REAL, XDP_DROP);
	svc_id = svc->id;
	new_conn = 1;
	home = flow_home(g, svc, r, &p, flooded);
	if (home == HOME_NONE) {
		count_event(E_FLOW_NO_ENTRY);
		goto forward;
	}
	nfv.real_id = real_id;
	nfv.real_gen = r->gen;
	nfv.atime = now;
	nfv.svc_id = svc_id;
	nfv.state = next_state(&p, FLOW_NONE);
	if (home == HOME_EMBRYOS) {
		if (bpf_map_update_elem(&embryos, &p.key, &nfv, BPF_ANY))
			count_event(E_FLOW_INSERT_FAILED);
		if (now - g->embryo_ns > NS_PER_SEC)
			g->embryo_ns = now;
		count_event(E_FLOW_EMBRYO);
	} else if (bpf_map_update_elem(&flows, &p.key, &nfv, BPF_ANY)) {
		count_event(E_FLOW_INSERT_FAILED);
	}
	conns_move(real_id, FLOW_NONE, nfv.state);
	if (r->method == METHOD_NAT && nat_remember(ctx, &p, svc_id, real_id))
		count_event(E_FLOW_INSERT_FAILED);
	count_event(E_FLOW_NEW);
	if (p.key.proto == IPPROTO_TCP_ && !(p.tcp_flags & TCP_FLAG_SYN))
		count_event(E_FLOW_LOST);

forward:
	/* 9. Forward by the real's method. */
	if (p.frag && frag_remember(&p, real_id, r->gen, svc_id))
		count_event(E_FLOW_INSERT_FAILED);
	count_in(&svc_stats, svc_id, p.l3len, new_conn);
	count_in(&real_stats, real_id, p.l3len, new_conn);
	if (r->method == METHOD_NAT &&
	    nat_rewrite(data, data_end, &p, NAT_DST, &r->addr, r->port))
		return VERDICT(R_PASS_MALFORMED, XDP_PASS);
	return send_to_real(ctx, &p, r, 1);

rare_path:
	/* A later fragment or an ICMP error: its verdict, or the real to send it to. An
	 * error too big for a tunnel is not answered with another (RFC 1122 3.2.2). */
	if (rc >= 0)
		return rc;
	real_id = FORWARD_REAL(rc);
	r = bpf_map_lookup_elem(&reals, &real_id);
	if (!r)
		return VERDICT(R_DROP_NO_REAL, XDP_DROP);
	return send_to_real(ctx, &p, r, !is_icmp(&p));
}

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx)
{
	return count_verdict(process_packet(ctx));
}

char _license[] SEC("license") = "GPL";
