// Next hops of reals, resolved in the control plane so the XDP program never has
// to ask the FIB per packet: egress interface, our MAC, the neighbour's MAC, MTU,
// and our source address on that side (outer source of TUN).
import { createSocket } from 'node:dgram';
import { IpAddr, ip } from '../core/addr.js';
import { run, CommandError } from '../common/command.js';

export interface NextHop {
  ifindex: number;
  ifname: string;
  smac: Uint8Array;
  /** Missing while the neighbour is unresolved. */
  dmac?: Uint8Array;
  mtu: number;
  src?: IpAddr;
}

export interface LinkInfo { ifindex: number; ifname: string; address?: string; mtu: number; flags: string[]; link_type?: string }
interface RouteInfo { dst: string; dev: string; gateway?: string; prefsrc?: string }
interface NeighInfo { dst: string; dev: string; lladdr?: string; state?: string[] }

/** How often the neighbour table is read again while probed neighbours resolve. */
const POLL_MS = 20;
const USABLE_NUD = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

export function macFromText(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

async function ipJson<T>(args: string[], input?: string): Promise<T[]> {
  // `ip -force -batch` exits non-zero when one command failed, after printing the others.
  const { stdout } = await run('ip', ['-j', ...args], input !== undefined ? { input } : {})
    .catch((e: unknown) => ({ stdout: e instanceof CommandError ? e.stdout : '' }));
  // `ip -batch` prints one JSON array per command that succeeded.
  const out: T[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t);
      if (Array.isArray(v)) out.push(...v);
    } catch {
      /* a failed command prints nothing parseable; its address stays unresolved */
    }
  }
  return out;
}

/** Ask the kernel to resolve neighbours by sending one empty datagram to each address. */
async function kick(addrs: IpAddr[]): Promise<void> {
  await Promise.all(addrs.map((a) => new Promise<void>((resolve) => {
    const s = createSocket(a.family === 4 ? 'udp4' : 'udp6');
    s.on('error', () => { s.close(); resolve(); });
    s.send(new Uint8Array(0), 9, a.text, () => { s.close(); resolve(); });
  })));
}

/** `ip -j link show` of this namespace, without blocking the event loop. */
export function ipLinks(): Promise<LinkInfo[]> {
  return ipJson<LinkInfo>(['link', 'show']);
}

async function snapshot(addrs: IpAddr[]) {
  const [links, routes, neighs] = await Promise.all([
    ipLinks(),
    ipJson<RouteInfo>(['-force', '-batch', '-'], addrs.map((a) => `route get ${a.text}\n`).join('')),
    ipJson<NeighInfo>(['neigh', 'show']),
  ]);
  return { links, routes, neighs };
}

function assemble(addrs: IpAddr[], snap: Awaited<ReturnType<typeof snapshot>>): Map<string, NextHop | undefined> {
  const links = new Map(snap.links.map((l) => [l.ifname, l]));
  const routes = new Map(snap.routes.map((r) => [ip(r.dst).text, r]));
  const neighs = new Map(snap.neighs.filter((n) => n.lladdr && (n.state ?? ['NOARP']).some((s) => USABLE_NUD.has(s)))
    .map((n) => [`${ip(n.dst).text}%${n.dev}`, n]));
  const out = new Map<string, NextHop | undefined>();
  for (const a of addrs) {
    const r = routes.get(a.text);
    const l = r && links.get(r.dev);
    if (!r || !l || !l.address) { out.set(a.text, undefined); continue; }
    const via = r.gateway ? ip(r.gateway).text : a.text;
    const n = neighs.get(`${via}%${r.dev}`);
    out.set(a.text, {
      ifindex: l.ifindex, ifname: l.ifname, smac: macFromText(l.address), mtu: l.mtu,
      ...(n?.lladdr ? { dmac: macFromText(n.lladdr) } : {}),
      ...(r.prefsrc ? { src: ip(r.prefsrc) } : {}),
    });
  }
  return out;
}

/**
 * Resolve next hops of `addrs` in the current network namespace. With `kick`,
 * unresolved neighbours are probed once and read again after `waitMs`.
 */
export async function resolveNextHops(addrs: IpAddr[], opts: { kick?: boolean; waitMs?: number } = {}): Promise<Map<string, NextHop | undefined>> {
  const uniq = [...new Map(addrs.map((a) => [a.text, a])).values()];
  if (uniq.length === 0) return new Map();
  const snap = await snapshot(uniq);
  let result = assemble(uniq, snap);
  const unresolved = () => uniq.filter((a) => { const h = result.get(a.text); return h && !h.dmac; });
  let missing = unresolved();
  if (opts.kick && missing.length) {
    await kick(missing);
    // Neighbours on a link answer within a millisecond or two: look again every
    // POLL_MS (neighbour table only) rather than always waiting the whole waitMs.
    const deadline = Date.now() + (opts.waitMs ?? 300);
    while (missing.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
      snap.neighs = await ipJson<NeighInfo>(['neigh', 'show']);
      result = assemble(uniq, snap);
      missing = unresolved();
    }
  }
  return result;
}
