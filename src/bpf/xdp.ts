// Attaching XDP programs to interfaces (netlink, through libbpf).
import { F } from './libbpf.js';
import { check } from './errors.js';

export type XdpMode = 'native' | 'generic';
const XDP_FLAGS = { updateIfNoexist: 1, skb: 2, drv: 4 } as const;
const modeFlag = (m: XdpMode) => (m === 'native' ? XDP_FLAGS.drv : XDP_FLAGS.skb);

/** Attach, atomically replacing what is there unless `replace: false`. */
export function attachXdp(ifindex: number, progFd: number, mode: XdpMode, opts: { replace?: boolean } = {}): void {
  const flags = modeFlag(mode) | (opts.replace === false ? XDP_FLAGS.updateIfNoexist : 0);
  check('bpf_xdp_attach', F.xdpAttach(ifindex, progFd, flags, null), `ifindex ${ifindex} (${mode})`);
}

export function detachXdp(ifindex: number, mode: XdpMode): void {
  check('bpf_xdp_detach', F.xdpDetach(ifindex, modeFlag(mode), null), `ifindex ${ifindex} (${mode})`);
}

/** The id of the program attached in `mode` (0 = none). */
export function queryXdp(ifindex: number, mode: XdpMode): number {
  const id = [0];
  check('bpf_xdp_query_id', F.xdpQueryId(ifindex, modeFlag(mode), id), `ifindex ${ifindex}`);
  return id[0]!;
}
