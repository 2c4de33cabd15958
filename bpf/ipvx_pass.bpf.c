// SPDX-License-Identifier: GPL-2.0
/* Passes every frame. For veth ends in labs: a veth only accepts frames that another
 * XDP program sent into it (XDP_TX / XDP_REDIRECT) when it runs XDP itself, and this is
 * the way to allow that without GRO, which would merge frames a later XDP program
 * then sees as one oversized buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
