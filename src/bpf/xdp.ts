// Attaching XDP programs to interfaces (netlink, through libbpf), in the caller's network namespace.
import { F, XDP_QUERY_OPTS_SIZE } from './libbpf.js';
import { check, logMark } from './errors.js';

export type XdpMode = 'native' | 'generic';
/** XDP_FLAGS_* of linux/if_link.h. */
export const XDP_FLAGS = { updateIfNoexist: 1, skbMode: 2, drvMode: 4, hwMode: 8 } as const;
const modeFlag = (m: XdpMode) => (m === 'native' ? XDP_FLAGS.drvMode : XDP_FLAGS.skbMode);

/** XDP_ATTACHED_* as names: 'multi' = programs in more than one mode. */
const ATTACHED = ['none', 'native', 'generic', 'offload', 'multi'] as const;
export type XdpAttachMode = (typeof ATTACHED)[number];

export interface XdpQuery {
  /** The attached program's id (absent when none or when several modes are in use: see the per-mode ids). */
  progId?: number;
  mode?: Exclude<XdpAttachMode, 'none'>;
  nativeProgId?: number;
  genericProgId?: number;
  offloadProgId?: number;
}

/** Attach, atomically replacing what is there unless `replace: false` (then EBUSY if something is). */
export function attachXdp(ifindex: number, progFd: number, mode: XdpMode, opts: { replace?: boolean } = {}): void {
  const flags = modeFlag(mode) | (opts.replace === false ? XDP_FLAGS.updateIfNoexist : 0);
  check('bpf_xdp_attach', F.xdpAttach(ifindex, progFd, flags, null), `ifindex ${ifindex} (${mode})`, logMark());
}

/** Detach whatever program is attached in `mode` (no error when none is). */
export function detachXdp(ifindex: number, mode: XdpMode): void {
  check('bpf_xdp_detach', F.xdpDetach(ifindex, modeFlag(mode), null), `ifindex ${ifindex} (${mode})`, logMark());
}

/** What is attached to `ifindex`: `{}` when nothing. */
export function queryXdp(ifindex: number): XdpQuery {
  const o = { sz: XDP_QUERY_OPTS_SIZE, prog_id: 0, drv_prog_id: 0, hw_prog_id: 0, skb_prog_id: 0, attach_mode: 0 };
  check('bpf_xdp_query', F.xdpQuery(ifindex, 0, o), `ifindex ${ifindex}`, logMark());
  const q: XdpQuery = {};
  const mode = ATTACHED[o.attach_mode] ?? 'multi';
  if (mode !== 'none') q.mode = mode;
  if (o.prog_id) q.progId = o.prog_id;
  if (o.drv_prog_id) q.nativeProgId = o.drv_prog_id;
  if (o.skb_prog_id) q.genericProgId = o.skb_prog_id;
  if (o.hw_prog_id) q.offloadProgId = o.hw_prog_id;
  return q;
}
