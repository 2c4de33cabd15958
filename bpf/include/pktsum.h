/* ipvx data plane: the one's complement sum of a stretch of the packet of any length
 * (tunnel checksums over the whole client packet: GUE's UDP checksum, GRE's checksum,
 * an ICMPv6 error's quote), for the director and the real server's decap alike. */
#ifndef IPVX_PKTSUM_H
#define IPVX_PKTSUM_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* a + b with the end-around carry of one's complement sums. */
static __always_inline __u32 sum_add_carry(__u32 a, __u32 b)
{
	__u32 r = a + b;

	return r + (r < a);
}

/* The 32-bit one's complement sum of `len` bytes of the packet from `off` (an odd last
 * byte padded with zero, RFC 1071), in the byte order of csum.h's sums; 0 if it cannot
 * be read. Bytes are copied in chunks (bpf_xdp_load_bytes also reads fragments of a
 * multi-buffer frame) and summed by bpf_csum_diff. A global function: verified once. */
#define CSUM_CHUNK 128
#define CSUM_MAX_CHUNKS 80 /* 10 KB: a jumbo frame */

__noinline __u32 csum_packet(struct xdp_md *ctx, __u32 off, __u32 len)
{
	__u8 buf[CSUM_CHUNK];
	__u32 sum = 0;

	if (!ctx)
		return 0;
	for (__u32 i = 0; i < CSUM_MAX_CHUNKS; i++) {
		__u32 n = len > CSUM_CHUNK ? CSUM_CHUNK : len, sz;
		__s64 s;

		if (n == 0)
			break;
		if (n < CSUM_CHUNK)
			__builtin_memset(buf, 0, sizeof(buf));
		if (bpf_xdp_load_bytes(ctx, off, buf, n))
			return 0;
		sz = (n + 3) & ~3u;
		if (sz > CSUM_CHUNK)
			sz = CSUM_CHUNK;
		s = bpf_csum_diff(0, 0, (__be32 *)buf, sz, 0);
		if (s < 0)
			return 0;
		sum = sum_add_carry(sum, (__u32)s);
		off += n;
		len -= n;
	}
	return sum;
}

#endif
