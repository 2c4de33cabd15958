// SPDX-License-Identifier: GPL-2.0
/* For the libbpf binding's tests: counts packets per CPU, drops frames whose first
 * 4 bytes are a key of `deny`, and marks every passed frame by setting byte 0 to 0xaa. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1024);
} deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} recent SEC(".maps");

SEC("xdp")
int count_and_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, *key = data;
	__u64 *c = bpf_map_lookup_elem(&seen, &zero);

	if (c)
		*c += 1;
	if ((void *)(key + 1) > data_end)
		return XDP_PASS;
	if (bpf_map_lookup_elem(&deny, key))
		return XDP_DROP;
	*(__u8 *)data = 0xaa;
	return XDP_PASS;
}



/* Sends every frame back out of the interface it came in on (live-frames tests). */
SEC("xdp")
int tx_all(struct xdp_md *ctx)
{
	return XDP_TX;
}
char _license[] SEC("license") = "GPL";
