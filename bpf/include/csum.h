/* ipvx data plane: Internet checksums. One's-complement sums are independent of
 * byte order, so values are added exactly as they sit in the packet. */
#ifndef IPVX_CSUM_H
#define IPVX_CSUM_H
#include <linux/types.h>

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') for a 32-bit field changing from `from` to `to`. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~(from & 0xffff);
	sum += (__u16)~(from >> 16);
	sum += (to & 0xffff) + (to >> 16);
	return csum_fold32(sum);
}

static __always_inline __u16 csum_replace2(__u16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~from;
	sum += to;
	return csum_fold32(sum);
}

/* A 128-bit address change (IPv6, or IPv4 in a[0] with the rest zero). */
static __always_inline __u16 csum_replace16(__u16 check, const __be32 *from, const __be32 *to)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		check = csum_replace4(check, from[i], to[i]);
	return check;
}

/* Header checksum of a fresh 20-byte IPv4 header (no options). */
static __always_inline __u16 ipv4_hdr_csum(void *iph)
{
	__u16 *w = iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	return csum_fold32(sum);
}

/* Sum of `len` bytes (multiple of 4, at most max_len) at data+off, for ICMP
 * bodies built in place. Bounded so the verifier can follow it. */
static __always_inline __u32 csum_region(void *data, void *data_end, __u32 off, __u32 len, __u32 max_words)
{
	__u32 sum = 0;

	for (__u32 i = 0; i < max_words; i++) {
		__u32 *w;

		if (i * 4 >= len)
			break;
		w = data + off + i * 4;
		if ((void *)(w + 1) > data_end)
			break;
		sum += (*w & 0xffff) + (*w >> 16);
	}
	return sum;
}

#endif
