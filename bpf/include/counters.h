/* ipvx data plane: counters. Per-CPU, so no atomics on the packet path. */
#ifndef IPVX_COUNTERS_H
#define IPVX_COUNTERS_H
#include "maps.h"

static __always_inline void count_reason(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&reasons, &reason);

	if (c)
		*c += 1;
}

/* Returns `action` so exits read as `return count_exit(R_..., XDP_PASS)`. */
static __always_inline int count_exit(__u32 reason, int action)
{
	count_reason(reason);
	return action;
}

static __always_inline void count_in(void *map, __u32 id, __u32 bytes, int new_conn)
{
	struct ipvx_counters *c = bpf_map_lookup_elem(map, &id);

	if (!c)
		return;
	c->pkts_in += 1;
	c->bytes_in += bytes;
	c->conns += new_conn;
}

static __always_inline void count_out(void *map, __u32 id, __u32 bytes)
{
	struct ipvx_counters *c = bpf_map_lookup_elem(map, &id);

	if (!c)
		return;
	c->pkts_out += 1;
	c->bytes_out += bytes;
}

#endif
