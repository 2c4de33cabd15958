/* ipvx data plane: where a packet for a real leaves. The control plane resolves each
 * real's next hop (egress ifindex, MACs, MTU) and keeps it fresh; bpf_fib_lookup is
 * only the fallback for a real whose entry is not resolved yet. */
#ifndef IPVX_NEXTHOP_H
#define IPVX_NEXTHOP_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "counters.h"
#include "parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
/* Kernel >= 6.8: also return the source address the kernel would use. */
#define FIB_LOOKUP_SRC (1U << 4)
#define DEFAULT_MTU 1500

struct nexthop {
	__u32 ifindex;
	__u16 mtu;
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	struct ipvx_addr src;   /* our address on the egress side (FIB fallback only) */
};

/* 0 on success; -1 when the neighbour is unknown (the caller drops: a VIP packet
 * handed to the kernel would be answered by the director itself). */
static __always_inline int real_nexthop(struct xdp_md *ctx, struct real_info *r, struct nexthop *nh)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	nh->mtu = r->mtu ? r->mtu : DEFAULT_MTU;
	if (r->flags & REAL_F_NEXTHOP) {
		nh->ifindex = r->ifindex;
		__builtin_memcpy(nh->dmac, r->dmac, ETH_ALEN);
		__builtin_memcpy(nh->smac, r->smac, ETH_ALEN);
		return 0;
	}
	fib.ifindex = ctx->ingress_ifindex;
	if (r->family == 4) {
		fib.family = AF_INET;
		fib.ipv4_dst = r->addr.a[0];
	} else {
		fib.family = AF_INET6;
		__builtin_memcpy(fib.ipv6_dst, r->addr.a, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), FIB_LOOKUP_SRC);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return -1;
	nh->ifindex = fib.ifindex;
	__builtin_memcpy(nh->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(nh->smac, fib.smac, ETH_ALEN);
	if (r->family == 4)
		nh->src.a[0] = fib.ipv4_src;
	else
		__builtin_memcpy(nh->src.a, fib.ipv6_src, 16);
	return 0;
}

static __always_inline int set_macs(void *data, void *data_end, const __u8 *dmac, const __u8 *smac)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	return 0;
}

/* New MACs and the VLAN tag wanted on the way out (0 = untagged): a tag is pushed,
 * popped or rewritten in place. The MACs are written anew either way, so moving the
 * frame start by 4 bytes leaves the ethertype where it must be. Returns 0 or -1;
 * packet pointers are stale afterwards. */
static __always_inline int set_l2(struct xdp_md *ctx, const struct pkt_desc *p, const __u8 *dmac,
				  const __u8 *smac, __be16 vlan_proto, __be16 vlan_tci)
{
	int grow = 0;
	void *data, *data_end;

	if (vlan_proto && !p->vlan_proto)
		grow = sizeof(struct vlan_hdr_);
	else if (!vlan_proto && p->vlan_proto)
		grow = -(int)sizeof(struct vlan_hdr_);
	if (grow && bpf_xdp_adjust_head(ctx, -grow))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (set_macs(data, data_end, dmac, smac))
		return -1;
	if (vlan_proto) {
		__be16 *tag = data + ETH_ALEN * 2; /* TPID, TCI; the ethertype follows */

		if ((void *)(tag + 2) > data_end)
			return -1;
		tag[0] = vlan_proto;
		tag[1] = vlan_tci;
	}
	return 0;
}

/* XDP_TX when the packet leaves where it came in, else XDP_REDIRECT through tx_ports.
 * Returns the verdict. */
static __always_inline int xmit(struct xdp_md *ctx, __u32 ifindex)
{
	if (ifindex == ctx->ingress_ifindex)
		return VERDICT(R_TX, XDP_TX);
	if (bpf_redirect_map(&tx_ports, ifindex, XDP_DROP) == XDP_REDIRECT)
		return VERDICT(R_REDIRECT, XDP_REDIRECT);
	return VERDICT(R_DROP_REDIRECT, XDP_DROP);
}

/* The MAC address of one of the interfaces the program is attached to, or 0. */
static __always_inline const struct if_mac *own_mac(__u32 ifindex)
{
	const struct if_mac *own = bpf_map_lookup_elem(&if_macs_direct, &ifindex);

	if (own && own->valid)
		return own;
	return bpf_map_lookup_elem(&if_macs, &ifindex);
}

#endif
