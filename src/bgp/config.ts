// The BIRD 2 configuration ipvx owns: the VIPs to announce as static host routes,
// exported (and nothing else) to each configured BGP peer. Pure: text in, text out.
// The file is rewritten whole whenever the announced set changes (src/bgp/bird.ts).
import { parseIp, type Family } from '../core/addr.js';
import type { BgpSpec, BgpPeer } from '../core/model.js';
import { BGP_DEFAULTS } from '../core/model.js';

/** BIRD protocol names; status maps sessions back to peers through them. */
export const STATIC4 = 'ipvx_vips4';
export const STATIC6 = 'ipvx_vips6';
export const peerProtocol = (index: number) => `ipvx_peer${index + 1}`;

const familyOf = (addr: string): Family => {
  const a = parseIp(addr);
  if (!a.ok) throw new Error(`not an address: ${addr}`);
  return a.value.family;
};

/** A VIP as the host prefix BIRD announces: 203.0.113.10/32, 2001:db8::10/128. */
export function vipPrefix(vip: string): string {
  return `${vip}/${familyOf(vip) === 4 ? 32 : 128}`;
}

/** keepalive = a third of the hold time (RFC 4271's suggestion), at least 1 s. */
export function keepaliveFor(holdTime: number): number {
  return Math.max(1, Math.floor(holdTime / 3));
}

function peerBlock(spec: BgpSpec, p: BgpPeer, i: number): string {
  const fam = familyOf(p.address);
  const channel = fam === 4 ? 'ipv4' : 'ipv6';
  const source = fam === 4 ? STATIC4 : STATIC6;
  // Only our own static VIP routes leave; nothing learnt from the peer is used.
  const nextHop = spec.nextHop && familyOf(spec.nextHop) === fam ? `next hop address ${spec.nextHop}` : 'next hop self';
  const retry = spec.connectRetry;
  return [
    `protocol bgp ${peerProtocol(i)} {`,
    `  description "${p.address}";`,
    `  local as ${spec.localAs};`,
    `  neighbor ${p.address} port ${p.port || BGP_DEFAULTS.port} as ${p.as};`,
    `  hold time ${spec.holdTime};`,
    `  keepalive time ${keepaliveFor(spec.holdTime)};`,
    `  connect retry time ${retry};`,
    // BIRD's default waits 60-300 s before retrying after a session error: too slow for a load balancer.
    `  error wait time ${retry}, ${Math.max(retry, 4 * retry)};`,
    ...(p.password ? [`  password "${p.password}";`] : []),
    `  ${channel} {`,
    '    import none;',
    `    export where proto = "${source}";`,
    `    ${nextHop};`,
    '  };',
    '}',
  ].join('\n');
}

function staticBlock(name: string, channel: 'ipv4' | 'ipv6', prefixes: string[]): string {
  return [`protocol static ${name} {`, `  ${channel};`, ...prefixes.map((p) => `  route ${p} blackhole;`), '}'].join('\n');
}

/**
 * The whole file. `vips` are the addresses to announce now (canonical text); an empty
 * list keeps the sessions up and announces nothing (everything withdrawn).
 */
export function birdConfig(spec: BgpSpec, vips: readonly string[]): string {
  const uniq = [...new Set(vips)].sort();
  const v4 = uniq.filter((v) => familyOf(v) === 4).map(vipPrefix);
  const v6 = uniq.filter((v) => familyOf(v) === 6).map(vipPrefix);
  return [
    '# Written by ipvx from the bgp section of its configuration. Do not edit: ipvx rewrites',
    '# this file whenever the set of healthy VIPs changes and reloads BIRD (birdc configure).',
    ...(spec.routerId ? [`router id ${spec.routerId};`] : []),
    '',
    'protocol device {',
    '  scan time 10;',
    '}',
    '',
    '# The VIPs with a live real, one host route each. BIRD keeps them in its own tables',
    '# only (there is no kernel protocol here): they exist to be exported over BGP.',
    staticBlock(STATIC4, 'ipv4', v4),
    staticBlock(STATIC6, 'ipv6', v6),
    '',
    ...spec.peers.map((p, i) => peerBlock(spec, p, i)),
    '',
  ].join('\n');
}
