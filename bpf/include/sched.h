/* ipvx data plane: choosing a real for a new flow. Tables come from the control
 * plane (src/core/sched); lc/wlc/sed/nq scan the service's reals with the
 * per-real connection counters, as IPVS does. */
#ifndef IPVX_SCHED_H
#define IPVX_SCHED_H
#include "maps.h"
#include "parse.h"

#define NO_REAL 0xffffffffu

static __always_inline __u32 slot_at(__u32 idx)
{
	__u32 *v = bpf_map_lookup_elem(&sched_slots, &idx);

	return v ? *v : NO_REAL;
}

/* Fold a client address to 32 bits, as IPVS's sh does for IPv6 (a0^a1^a2^a3). */
static __always_inline __u32 addr_fold(const struct ipvx_addr *a)
{
	return a->a[0] ^ a->a[1] ^ a->a[2] ^ a->a[3];
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

/* IPVS overhead: active * 256 + inactive (ip_vs_dest_conn_overhead). lc compares
 * overheads, wlc overhead/weight, sed (active+1)/weight, nq takes the first idle
 * real and otherwise behaves as sed. Ratios are compared by cross-multiplying. */
static __always_inline __u32 pick_least(const struct svc_info *svc)
{
	__u32 best = NO_REAL;
	__u64 best_load = 0, best_weight = 1;

	for (__u32 i = 0; i < IPVX_MAX_SCAN; i++) {
		struct real_info *r;
		struct real_conns *c;
		__u64 load, weight;
		__u32 id;

		if (i >= svc->reals_len)
			break;
		id = slot_at(svc->reals_off + i);
		r = bpf_map_lookup_elem(&reals, &id);
		if (!real_usable(r))
			continue;
		c = bpf_map_lookup_elem(&real_conns, &id);
		if (!c)
			continue;
		weight = r->weight;
		switch (svc->sched) {
		case SCHED_LC:
			load = (__u64)c->active * 256 + c->inactive;
			weight = 1;
			break;
		case SCHED_WLC:
			load = (__u64)c->active * 256 + c->inactive;
			break;
		case SCHED_NQ:
			if (c->active == 0)
				return id;
			/* fall through */
		default: /* SCHED_SED */
			load = (__u64)c->active + 1;
			break;
		}
		if (best == NO_REAL || load * best_weight < best_load * weight) {
			best = id;
			best_load = load;
			best_weight = weight;
		}
	}
	return best;
}

static __always_inline __u32 pick_real(const struct svc_info *svc, const struct pkt_desc *p)
{
	switch (svc->sched) {
	case SCHED_SEQ:
		return svc->table_len ? pick_seq(svc) : NO_REAL;
	case SCHED_HASH:
		return svc->table_len ? pick_hash(svc, p) : NO_REAL;
	default:
		return pick_least(svc);
	}
}

#endif
