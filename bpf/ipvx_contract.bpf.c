// SPDX-License-Identifier: GPL-2.0
/* Never loaded. Compiled from the same headers as the programs, so its BTF holds
 * the contract between the data plane and the control plane: every map (key and
 * value types, sizes) and every enum the control plane mirrors (reasons, methods,
 * scheduler kinds, flow states, flags, limits). The layout test checks the
 * TypeScript codecs against it without loading anything (no root), and the daemon
 * reads the limits it validates against from it (src/dataplane/limits.ts). Cilium's
 * bpf_alignchecker.c plays the same part. */
#include "maps.h"

/* An enum is in BTF only when a type in BTF uses it. */
struct ipvx_contract {
	enum ipvx_reason reason;
	enum ipvx_event event;
	enum ipvx_method method;
	enum ipvx_tun_type tun_type;
	enum ipvx_tun_flag tun_flag;
	enum ipvx_sched_kind sched;
	enum ipvx_flow_state state;
	enum ipvx_svc_flag svc_flag;
	enum ipvx_real_flag real_flag;
	enum ipvx_global_flag global_flag;
	enum ipvx_limit limit;
};

struct ipvx_contract ipvx_contract;

char LICENSE[] SEC("license") = "GPL";
