// SPDX-License-Identifier: GPL-2.0
/* Rejected by the verifier on purpose: reads the packet without a bounds check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int reads_past_end(struct xdp_md *ctx)
{
	return *(__u8 *)(long)ctx->data == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
