// `ipvx daemon status`: what the running daemon says about itself (GetStatus), as text.
import { IpvxClient, DaemonUnavailable } from '../api/client.js';
import type { HaStatus__Output } from '../api/gen/ipvx/v1/HaStatus.js';
import type { DaemonPaths } from './process.js';

/** Print the status of the daemon at `p.socket`: 0, or 3 when none runs (as LSB status). */
export async function status(p: DaemonPaths): Promise<number> {
  let c: IpvxClient;
  try {
    c = IpvxClient.local(p.socket);
  } catch (e) {
    if (e instanceof DaemonUnavailable) { console.error(e.message); return 3; } // 3: "not running", as LSB status
    throw e;
  }
  try {
    const s = await c.getStatus();
    console.log([
      `ipvx ${s.version}, netns ${s.netns}, running since ${s.startedAt}${s.adopted ? ' (adopted a running data plane)' : ''}`,
      `interfaces: ${s.interfaces.join(' ') || '-'}`,
      `services: ${s.services}, reals: ${s.reals}`,
      `role: ${s.role}`,
      ...haLines(s.ha),
      ...(s.bgp ? formatBgpStatus(s.bgp) : []),
    ].join('\n'));
    return 0;
  } catch (e) {
    if (e instanceof DaemonUnavailable) { console.error(e.message); return 3; }
    throw e;
  } finally {
    c.close();
  }
}

/** `ipvx daemon status` lines for HA: peer, last heartbeat, sync lag, rejections. */
export function haLines(h: HaStatus__Output | null | undefined): string[] {
  if (!h) return [];
  const age = Number(h.lastHeartbeatAgeMs);
  const lag = Number(h.syncLagMs);
  const rejected = Object.entries(h.rejected).filter(([, n]) => n !== '0').map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `peer: ${h.peer}${h.peerRole ? ` (${h.peerRole}, priority ${h.peerPriority}, ${h.peerAlive ? 'alive' : 'silent'})` : ' (never heard)'}, our priority ${h.priority}`,
    `last heartbeat: ${age >= 0 ? `${h.lastHeartbeat} (${(age / 1000).toFixed(1)} s ago)` : 'never'}`,
    `sync lag: ${lag >= 0 ? `${lag} ms` : '-'}, entries sent ${h.syncEntriesSent}, received ${h.syncEntriesReceived}${h.syncDropped !== '0' ? `, dropped ${h.syncDropped}` : ''}`,
    `heartbeats: sent ${h.heartbeatsSent}, accepted ${h.heartbeatsAccepted}, rejected ${rejected || '0'}`,
  ];
}

/** `ipvx daemon status` lines for BGP: sessions and announced prefixes. */
export function formatBgpStatus(b: { announced: string[]; wanted: string[]; sessions: { name: string; peer: string; state: string; info: string; since: string }[]; error: string; withdrawnReason: string }): string[] {
  const up = b.sessions.filter((x) => x.state === 'Established').length;
  const lines = [
    `bgp: ${up}/${b.sessions.length} sessions established; announced: ${b.announced.join(' ') || '-'}`,
    ...b.sessions.map((x) => `  peer ${x.peer} (${x.name}): ${x.state}${x.since ? ` since ${x.since}` : ''}${x.info && x.info !== x.state ? ` [${x.info}]` : ''}`),
  ];
  if (b.withdrawnReason) lines.push(`  everything withdrawn: ${b.withdrawnReason}`);
  else if (b.wanted.join(' ') !== b.announced.join(' ')) lines.push(`  wanted: ${b.wanted.join(' ') || '-'} (BIRD does not hold that yet)`);
  if (b.error) lines.push(`  error: ${b.error}`);
  return lines;
}
