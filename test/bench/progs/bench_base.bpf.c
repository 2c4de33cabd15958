// SPDX-License-Identifier: GPL-2.0
/* Baselines of the per-packet benchmark: the cheapest XDP programs there are.
 * Anything a load balancer does costs more than xdp_drop; xdp_macswap is the
 * least a forwarder can do (touch the frame, send it back out). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench_frame.h"

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* Swap source and destination MAC, send back out of the ingress interface. Its
 * output is again a valid input, so BPF_PROG_TEST_RUN's repeat measures it fairly. */
SEC("xdp")
int xdp_macswap(struct xdp_md *ctx)
{
	return swap_and_tx(ctx);
}

char _license[] SEC("license") = "GPL";
