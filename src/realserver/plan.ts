// What `ipvx realserver setup` does to a real server, as a list of steps computed
// from the options alone (pure), so it can be printed (--dry-run), applied, and
// undone exactly by teardown from the record of what was there before.
import { IpAddr } from '../core/addr.js';

export type RealServerMethod = 'dr' | 'tun' | 'nat';

export interface SetupOptions {
  vips: IpAddr[];
  method: RealServerMethod;
  /** Interfaces that receive tunnelled packets (TUN); default: every up non-loopback one. */
  interfaces: string[];
  /** This host's addresses the director tunnels to (TUN). */
  tunnelAddresses: IpAddr[];
  /** TUN: the encapsulation the director uses (ipvsadm --tun-type); default ipip. */
  tunType?: 'ipip' | 'gue' | 'gre';
  /** GUE: the UDP port the director sends to (--tun-port). */
  tunPort?: number;
}

export type Step =
  | { kind: 'addr'; address: IpAddr; dev: 'lo' }
  | { kind: 'sysctl'; key: string; value: string; why: string }
  | { kind: 'decap'; interfaces: string[]; addresses: IpAddr[]; guePorts: number[] };

export function setupSteps(o: SetupOptions): Step[] {
  const steps: Step[] = o.vips.map((address) => ({ kind: 'addr', address, dev: 'lo' }));
  const v4 = o.vips.some((v) => v.family === 4);
  if (o.method === 'dr' && v4) {
    // The VIP lives on lo but must not be announced or answered for on the wire:
    // only the director answers ARP for it (the classic LVS-DR "ARP problem").
    for (const scope of ['all', 'lo']) {
      steps.push({ kind: 'sysctl', key: `net.ipv4.conf.${scope}.arp_ignore`, value: '1', why: 'answer ARP only for addresses on the asked interface' });
      steps.push({ kind: 'sysctl', key: `net.ipv4.conf.${scope}.arp_announce`, value: '2', why: 'never use the VIP as ARP source' });
    }
  }
  if (o.method === 'tun') {
    if (v4) {
      for (const scope of ['all', ...o.interfaces]) {
        steps.push({ kind: 'sysctl', key: `net.ipv4.conf.${scope}.rp_filter`, value: '0', why: 'decapsulated packets come from clients the route does not point back to' });
      }
      for (const scope of ['all', 'lo']) {
        steps.push({ kind: 'sysctl', key: `net.ipv4.conf.${scope}.arp_ignore`, value: '1', why: 'the VIP on lo is not answered for on the wire' });
        steps.push({ kind: 'sysctl', key: `net.ipv4.conf.${scope}.arp_announce`, value: '2', why: 'never use the VIP as ARP source' });
      }
    }
    steps.push({ kind: 'decap', interfaces: o.interfaces, addresses: o.tunnelAddresses, guePorts: o.tunType === 'gue' && o.tunPort ? [o.tunPort] : [] });
  }
  return steps;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'addr': return `add ${s.address.text}/${s.address.family === 4 ? 32 : 128} to lo`;
    case 'sysctl': return `sysctl ${s.key}=${s.value}  (${s.why})`;
    case 'decap': return `attach ipvx_decap (XDP) to ${s.interfaces.join(', ')} for ${s.addresses.map((a) => a.text).join(', ')}: IPIP and GRE${s.guePorts.length ? `, GUE to UDP port ${s.guePorts.join(', ')}` : ''}`;
  }
}
