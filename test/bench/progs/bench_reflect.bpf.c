// SPDX-License-Identifier: GPL-2.0
/* The ceiling of the packet-rate benchmark, attached where ipvx would be: every
 * frame goes back out of the interface it came in on with the MACs swapped,
 * without a look at its headers. Alone in its object so `ip link set ... xdp obj`
 * can attach it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench_frame.h"

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct eth *e = data;

	if ((void *)(e + 1) > data_end)
		return XDP_PASS;
	/* Not IPv4/IPv6 (ARP, ...): the kernel answers, as ipvx would let it. */
	if (e->proto != __builtin_bswap16(0x0800) && e->proto != __builtin_bswap16(0x86DD))
		return XDP_PASS;
	swap_macs(e);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
