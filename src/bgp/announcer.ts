// Which VIPs a director should announce. Pure: from the effective state (health
// applied: failed reals at weight 0 or left out, a serving sorry server added as a real)
// and the reasons to withdraw everything.
import type { DesiredState } from '../core/model.js';

/** VIPs with at least one real that can take new flows, sorted, each once. */
export function healthyVips(effective: DesiredState): string[] {
  const vips = new Set<string>();
  for (const svc of effective.services) {
    if (svc.reals.some((r) => r.weight > 0)) vips.add(svc.vip);
  }
  return [...vips].sort();
}

/** Why nothing is announced, or undefined when the healthy VIPs are. */
export function withdrawReason(o: { stopping: boolean; role: string }): string | undefined {
  if (o.stopping) return 'the daemon is stopping';
  // Without HA every director announces; in an HA pair only the active one does, and a
  // director in fault (its link or its start failed) cannot be trusted to forward.
  if (o.role !== 'standalone' && o.role !== 'active') return `HA role is ${o.role}`;
  return undefined;
}

/** The VIPs to announce now. */
export function announcedVips(effective: DesiredState, o: { stopping: boolean; role: string }): string[] {
  return withdrawReason(o) ? [] : healthyVips(effective);
}
