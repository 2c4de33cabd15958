// SPDX-License-Identifier: GPL-2.0
/* Harness for timing programs that rewrite or encapsulate with BPF_PROG_TEST_RUN's
 * repeat: the kernel does not restore the frame between repetitions, so this
 * program puts the original frame back (length and bytes), optionally makes it a
 * new flow (a counter written into the source port and the last byte of the
 * source address; for IPv4 the low byte of the identification moves the other way, so
 * the header checksum stays right), and tail-calls the program under test. Its own cost is measured by
 * tail-calling a baseline through it and is subtracted (docs/benchmarks.md). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FRAME_MAX 256

struct frame {
	__u32 len;          /* bytes of the original frame */
	__u32 vary;         /* 1 = every repetition gets a new 5-tuple */
	__u32 sport_off;    /* offset of the L4 source port */
	__u32 saddr_off;    /* offset of the last byte of the source address (0 there in the frame) */
	__u32 id_off;       /* IPv4: offset of the identification's low byte (0xff there); 0 = none */
	__u8 data[FRAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct frame);
	__uint(max_entries, 1);
} frame SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);
} target SEC(".maps");

SEC("xdp")
int restore_and_call(struct xdp_md *ctx)
{
	__u32 zero = 0, len, *n;
	struct frame *f = bpf_map_lookup_elem(&frame, &zero);
	long cur;

	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < 14 || len > FRAME_MAX)
		return XDP_ABORTED;
	cur = (long)ctx->data_end - (long)ctx->data;
	if (cur != len && bpf_xdp_adjust_head(ctx, (int)(cur - len)))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	if (f->vary) {
		n = bpf_map_lookup_elem(&seq, &zero);
		if (!n)
			return XDP_ABORTED;
		__u32 v = ++*n;
		__u16 port = __builtin_bswap16((__u16)(v & 0xffff));
		__u8 host = (__u8)(v >> 16), id = 0xff - host;

		/* 2^24 distinct flows, clients stay inside the frame's /24. */
		if (bpf_xdp_store_bytes(ctx, f->sport_off & 0xff, &port, 2) ||
		    bpf_xdp_store_bytes(ctx, f->saddr_off & 0xff, &host, 1))
			return XDP_ABORTED;
		/* +host in one header word, -host in another: the checksum still verifies. */
		if (f->id_off && bpf_xdp_store_bytes(ctx, f->id_off & 0xff, &id, 1))
			return XDP_ABORTED;
	}
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
