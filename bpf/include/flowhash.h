/* ipvx data plane: a hash of a flow's addresses and ports, for choices that must be
 * spread but repeatable per flow (lc/wlc candidate draws, GUE source ports).
 * src/core/sched/hash.ts flowDrawHash() computes the same value. */
#ifndef IPVX_FLOWHASH_H
#define IPVX_FLOWHASH_H
#include <bpf/bpf_endian.h>
#include "parse.h"

/* MurmurHash3's 32-bit finalizer. */
static __always_inline __u32 fmix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Fold an address to 32 bits, as IPVS's sh does for IPv6 (a0^a1^a2^a3). */
static __always_inline __u32 addr_fold(const struct ipvx_addr *a)
{
	return a->a[0] ^ a->a[1] ^ a->a[2] ^ a->a[3];
}

static __always_inline __u32 flow_draw_hash(const struct pkt_desc *p)
{
	__u32 ports = ((__u32)bpf_ntohs(p->key.sport) << 16) | bpf_ntohs(p->key.dport);

	return fmix32(bpf_ntohl(addr_fold(&p->key.src)) ^
		      fmix32(bpf_ntohl(addr_fold(&p->key.dst)) ^ ports));
}

#endif
