/* ipvx data plane: choosing a real for a new flow. Tables come from the control
 * plane (src/core/sched); lc/wlc/sed/nq scan the service's reals with the
 * per-real connection counters, as IPVS does. */
#ifndef IPVX_SCHED_H
#define IPVX_SCHED_H
#include "maps.h"
#include "parse.h"
#include "flowhash.h"

#define NO_REAL 0xffffffffu

static __always_inline __u32 slot_at(__u32 idx)
{
	__u32 *v = bpf_map_lookup_elem(&sched_slots, &idx);

	return v ? *v : NO_REAL;
}

/* The kernel's hash_32 (GOLDEN_RATIO_32) of IPVS's sh key, mapped onto the table
 * by its high bits; src/core/sched/hash.ts clientBucket() is the same function.
 * With 256 buckets this is IPVS's ip_vs_sh_hashkey bit for bit. */
static __always_inline __u32 client_bucket(const struct pkt_desc *p, __u32 flags, __u32 size)
{
	__u32 key = bpf_ntohl(addr_fold(&p->key.src));

	if (flags & SVC_F_HASH_PORT)
		key += bpf_ntohs(p->key.sport);
	return ((__u64)(key * 0x61C88647u) * size) >> 32;
}

static __always_inline int real_usable(const struct real_info *r)
{
	return r && (r->flags & REAL_F_LIVE) && r->weight && !(r->flags & REAL_F_OVERLOAD);
}

/* sh/mh: the table's real, or with the fallback flag the next usable one after it. */
static __always_inline __u32 pick_hash(const struct svc_info *svc, const struct pkt_desc *p)
{
	__u32 len = svc->table_len, idx, id;

	idx = client_bucket(p, svc->flags, len);
	id = slot_at(svc->table_off + idx);
	if (!(svc->flags & SVC_F_FALLBACK))
		return id;
	for (__u32 i = 0; i < IPVX_MAX_SCAN; i++) {
		struct real_info *r;

		if (i >= len)
			break;
		r = bpf_map_lookup_elem(&reals, &id);
		if (real_usable(r))
			return id;
		idx = idx + 1 == len ? 0 : idx + 1;
		id = slot_at(svc->table_off + idx);
	}
	return NO_REAL;
}

/* rr/wrr: one cursor per service shared by every CPU. An overloaded real (-x) is
 * skipped, as IPVS rr/wrr do; the table never holds quiesced (weight 0) reals. */
static __always_inline __u32 pick_seq(const struct svc_info *svc)
{
	__u32 key = svc->id, len = svc->table_len;
	__u32 *cur = bpf_map_lookup_elem(&svc_cursor, &key);
	__u32 pos;

	if (!cur)
		return NO_REAL;
	pos = __sync_fetch_and_add(cur, 1) % len;
	for (__u32 i = 0; i < IPVX_MAX_SCAN; i++) {
		__u32 id = slot_at(svc->table_off + pos);
		struct real_info *r = bpf_map_lookup_elem(&reals, &id);

		if (i >= len)
			break;
		if (real_usable(r))
			return id;
		pos = pos + 1 == len ? 0 : pos + 1;
	}
	return NO_REAL;
}

/* lc/wlc/sed/nq. IPVS scans every destination per new connection (ip_vs_lc.c,
 * ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c); ipvx does so for services of up to
 * IPVX_LEAST_EXACT reals. Larger services (up to 4,096 reals) compare
 * IPVX_LEAST_CHOICES sampled candidates with the same rule, so the cost of a new
 * flow does not grow with the reals: even candidates are drawn in proportion to
 * weight through the alias table the control plane writes at table_off (pairs of
 * threshold, alias index), odd ones uniformly. The draws come from a hash of the
 * flow's addresses and ports, so src/core/sched/leastconn.ts sampledLeastConnPick()
 * reproduces every choice. When no candidate is usable (overloaded, quiesced) the
 * exact scan runs over all reals through bpf_loop, so a usable real is never missed. */

/* The best real so far and the IPVS rule for comparing another one with it. */
struct least_best {
	__u32 id;
	__u32 sched;
	__u64 load;
	__u64 weight;
};

/* Overhead (ip_vs_dest_conn_overhead: active * 256 + inactive for lc and wlc,
 * active + 1 for sed and nq) and the weight it is divided by (lc: 1). Returns 1
 * when nq found an idle real, which wins at once. */
static __always_inline int least_consider(struct least_best *b, __u32 id)
{
	struct real_info *r = bpf_map_lookup_elem(&reals, &id);
	struct real_conns *c;
	__u64 load, weight;

	if (!real_usable(r))
		return 0;
	c = bpf_map_lookup_elem(&real_conns, &id);
	if (!c)
		return 0;
	weight = r->weight;
	switch (b->sched) {
	case SCHED_LC:
		load = (__u64)c->active * 256 + c->inactive;
		weight = 1;
		break;
	case SCHED_WLC:
		load = (__u64)c->active * 256 + c->inactive;
		break;
	case SCHED_NQ:
		if (c->active == 0) {
			b->id = id;
			return 1;
		}
		/* fall through */
	default: /* SCHED_SED */
		load = (__u64)c->active + 1;
		break;
	}
	/* Cross-multiplied as IPVS does; a later real wins only when strictly less loaded. */
	if (b->id == NO_REAL || load * b->weight < b->load * weight) {
		b->id = id;
		b->load = load;
		b->weight = weight;
	}
	return 0;
}

struct least_scan {
	struct least_best best;
	__u32 reals_off;
};

static long least_scan_one(__u32 i, void *arg)
{
	struct least_scan *s = arg;

	return least_consider(&s->best, slot_at(s->reals_off + i));
}

/* Candidate c of a service of n reals: its index in the service's real list. */
static __always_inline __u32 least_candidate(const struct svc_info *svc, __u32 h, __u32 c, __u32 n)
{
	__u32 x = fmix32(h + (c + 1) * 0x9E3779B9u);
	__u32 i = ((__u64)x * n) >> 32;

	if (c & 1)
		return i; /* uniform */
	if (fmix32(x ^ 0x5BD1E995u) < slot_at(svc->table_off + 2 * i))
		return i;
	return slot_at(svc->table_off + 2 * i + 1);
}

/* A global function: verified once on its own, so its loops add no states to the
 * main program. */
__noinline __u32 pick_least(const struct svc_info *svc, __u32 h)
{
	struct least_scan s = {};
	__u32 n;

	if (!svc)
		return NO_REAL;
	n = svc->reals_len;
	s.best.id = NO_REAL;
	s.best.sched = svc->sched;
	s.reals_off = svc->reals_off;
	if (n <= IPVX_LEAST_EXACT) {
		for (__u32 i = 0; i < IPVX_LEAST_EXACT; i++) {
			if (i >= n)
				break;
			if (least_consider(&s.best, slot_at(s.reals_off + i)))
				break;
		}
		return s.best.id;
	}
	if (svc->table_len) {
		for (__u32 c = 0; c < IPVX_LEAST_CHOICES; c++) {
			__u32 idx = least_candidate(svc, h, c, n);

			if (idx >= n)
				continue;
			if (least_consider(&s.best, slot_at(s.reals_off + idx)))
				return s.best.id;
		}
		if (s.best.id != NO_REAL)
			return s.best.id;
	}
	/* Every candidate unusable: the exact scan, as IPVS. */
	bpf_loop(n, least_scan_one, &s, 0);
	return s.best.id;
}

/* One-packet scheduling (-o): a UDP datagram is scheduled on its own and leaves no
 * flow behind (IPVS: IP_VS_CONN_F_ONE_PACKET, only for UDP packets, ip_vs_schedule). */
static __always_inline int one_packet(const struct svc_info *svc, const struct pkt_desc *p)
{
	return (svc->flags & SVC_F_ONE_PACKET) && p->key.proto == IPPROTO_UDP_;
}

static __always_inline __u32 pick_real(const struct svc_info *svc, const struct pkt_desc *p)
{
	switch (svc->sched) {
	case SCHED_SEQ:
		return svc->table_len ? pick_seq(svc) : NO_REAL;
	case SCHED_HASH:
		return svc->table_len ? pick_hash(svc, p) : NO_REAL;
	default:
		return pick_least(svc, flow_draw_hash(p));
	}
}

#endif
