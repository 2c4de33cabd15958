/* ipvx data plane: the tunnel headers IPVS's GUE and GRE encapsulations put between
 * the outer IP header and the client's packet, for the director (encap.h) and the real
 * server's decapsulation (ipvx_decap.bpf.c) alike. */
#ifndef IPVX_TUNHDR_H
#define IPVX_TUNHDR_H
#include <linux/types.h>

/* GUE header, variant 0 (draft-ietf-intarea-gue; the kernel's struct guehdr): version 0,
 * no control bit, no optional fields; proto_ctype = the inner protocol (4 or 41). */
struct gue_base {
	__u8 ver_c_hlen;
	__u8 proto_ctype;
	__be16 flags;
};

/* GRE header (RFC 2784), then the optional checksum + reserved1 (C bit), key and
 * sequence number (RFC 2890), 4 bytes each. */
struct gre_base {
	__be16 flags;
	__be16 protocol;
};
#define GRE_F_CSUM    0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY     0x2000
#define GRE_F_SEQ     0x1000
#define GRE_F_OTHER   0x0fff /* recursion, flags, version: all zero in RFC 2784/2890 GRE */
#define GRE_LEN_OPT   4

#endif
