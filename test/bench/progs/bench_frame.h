/* What the benchmark programs do to a frame: the Ethernet header, the MAC swap of a
 * forwarder that sends a frame back where it came from, and the 5-tuple of an IPv4
 * frame without options (the benchmarks build only those) in ipvx's flow key. */
#ifndef BENCH_FRAME_H
#define BENCH_FRAME_H
#include <linux/bpf.h>
#include "consts.h"
#include "structs.h"

struct eth { unsigned char dst[6], src[6]; __be16 proto; };

static __always_inline void swap_macs(struct eth *e)
{
	unsigned char tmp[6];

	__builtin_memcpy(tmp, e->dst, 6);
	__builtin_memcpy(e->dst, e->src, 6);
	__builtin_memcpy(e->src, tmp, 6);
}

/* What a forwarder does at the least: swap the MACs, send the frame back out. */
static __always_inline int swap_and_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct eth *e = data;

	if ((void *)(e + 1) > data_end)
		return XDP_DROP;
	swap_macs(e);
	return XDP_TX;
}

/* 14 (Ethernet) + 20 (IPv4) + 4 (ports) bytes: the 5-tuple at fixed offsets. */
static __always_inline int read_ipv4_tuple(void *data, void *data_end, struct flow_key *k)
{
	__u8 *b = data;

	if (data + 38 > data_end)
		return -1;
	k->src.a[0] = *(__be32 *)(b + 26);
	k->dst.a[0] = *(__be32 *)(b + 30);
	k->sport = *(__be16 *)(b + 34);
	k->dport = *(__be16 *)(b + 36);
	k->proto = b[23];
	k->family = 4;
	return 0;
}

#endif
