/* ipvx data plane: counters. Per-CPU, so no atomics on the packet path. */
#ifndef IPVX_COUNTERS_H
#define IPVX_COUNTERS_H
#include "maps.h"

/* Count a verdict's reason and return its XDP action: the one place a packet's exit
 * is counted (balancer_ingress's return), so every exit is counted exactly once. */
static __always_inline int count_verdict(int verdict)
{
	__u32 reason = VERDICT_REASON(verdict);
	__u64 *c = bpf_map_lookup_elem(&reasons, &reason);

	if (c)
		*c += 1;
	return VERDICT_ACTION(verdict);
}

static __always_inline void count_event(__u32 event)
{
	__u64 *c = bpf_map_lookup_elem(&events, &event);

	if (c)
		*c += 1;
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
