// SPDX-License-Identifier: GPL-2.0
/* Rejected by the verifier on purpose: reads the packet without a bounds check, after
 * enough helper calls that the verifier's log is far longer than one 4 KiB message. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int reads_past_end(struct xdp_md *ctx)
{
	__u64 acc = bpf_ktime_get_ns();

#pragma unroll
	for (int i = 0; i < 100; i++)
		acc = acc * 31 + bpf_get_prandom_u32();
	return *(__u8 *)(long)ctx->data == (__u8)acc ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
