// Random director configurations for the data-plane fuzzer: services of every family,
// protocol, scheduler, method (tunnels across families too), persistence and port 0,
// reals with weights 0 and up, next hops resolved or not, on the ingress interface or
// another, with MTUs from 576 to 9000; the interface's MAC known or not; flood defence
// off, always on, or with the CPU flooded. All addresses are documentation ranges.
import { ip } from '../../../src/core/addr.js';
import { validateState } from '../../../src/core/validate.js';
import { fwmarkVip, type DesiredState, type MarkRule, type Method, type Protocol, type RealSpec, type SchedFlag, type SchedulerName, type ServiceSpec, type Defense, type DefenseMode } from '../../../src/core/model.js';
import type { NextHop } from '../../../src/dataplane/neighbors.js';
import { filterBit, SEED_VIP, SEED_NAT_SRC } from '../../../src/dataplane/filter.js';
import { ipTo16, ipFromBytes } from '../../../src/core/addr.js';
import { macBytes } from '../packet.js';
import { Rng } from './rng.js';

export const DIR_MAC = '02:00:00:00:0d:01';
export const DIR_ADDR = { 4: '198.51.100.254', 6: '2001:db8:1::fe' } as const;
/** Where test runs arrive (lo in the harness's namespace). */
export const INGRESS = 1;
/** An interface index in no devmap: forwarding there is dropped (drop_redirect). */
export const NOT_A_PORT = 4242;

export interface Scenario {
  state: DesiredState;
  /** Next hop per real address (text); undefined = unresolved neighbour. */
  hops: Map<string, NextHop | undefined>;
  /** The ingress interface's MAC as the daemon wrote it, or none (no check). */
  ifMac: string | undefined;
  /** The flood defence sees this CPU flooded for the whole episode. */
  flooded: boolean;
  /** Real MACs by address, to tell which real a frame went to. */
  realMacs: Map<string, string>;
}

const SCHEDULERS: SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed', 'nq'];
const LEAST: SchedulerName[] = ['lc', 'wlc', 'sed', 'nq'];

export function vipAddr(family: 4 | 6, i: number): string { return family === 4 ? `203.0.113.${10 + i}` : `2001:db8::${(0x10 + i).toString(16)}`; }
export function realAddr(family: 4 | 6, i: number): string { return family === 4 ? `198.51.100.${1 + i}` : `2001:db8:1::${(1 + i).toString(16)}`; }
export function clientAddr(family: 4 | 6, i: number): string { return family === 4 ? `192.0.2.${1 + (i % 250)}` : `2001:db8:c::${(1 + i).toString(16)}`; }
export const realMac = (i: number): string => `02:00:00:00:0a:${(i & 0xff).toString(16).padStart(2, '0')}`;

/**
 * `redirectPort`: an interface index that is in tx_ports besides the ingress (a veth in the
 * harness's namespace), so that forwarding out of another interface is covered.
 */
export function randomScenario(rng: Rng, redirectPort?: number): Scenario {
  for (;;) {
    const s = tryScenario(rng, redirectPort);
    const v = validateState(s.state);
    if (v.ok) return { ...s, state: v.value };
  }
}

function tryScenario(rng: Rng, redirectPort?: number): Scenario {
  const nServices = rng.range(1, 6);
  const services: ServiceSpec[] = [];
  const used = new Set<string>();
  let realIndex = 0;
  const hops = new Map<string, NextHop | undefined>();
  const realMacs = new Map<string, string>();
  const marks: MarkRule[] = [];
  const withMarks = rng.chance(0.3);
  let nextMark = 1;
  for (let i = 0; i < nServices; i++) {
    const family: 4 | 6 = rng.chance(0.65) ? 4 : 6;
    const vip = vipAddr(family, rng.int(6));
    // A firewall-mark service (its traffic chosen by mark rules) in some configurations.
    const fwmark = withMarks && rng.chance(0.4) ? nextMark++ : 0;
    const protocol: Protocol = fwmark ? 'tcp' : rng.chance(0.6) ? 'tcp' : 'udp';
    let port = rng.pick([80, 80, 443, 53, 1, 65535, 0]);
    let persistence = rng.chance(0.2) ? rng.pick([60, 300, 3600]) : 0;
    if (port === 0 && !fwmark) persistence = persistence || 300;
    const id = fwmark ? `fwm|${family}|${fwmark}` : `${protocol}|${vip}|${port}`;
    if (used.has(id)) continue;
    used.add(id);
    const scheduler = rng.pick(SCHEDULERS);
    const flags: SchedFlag[] = [];
    if (scheduler === 'sh' || scheduler === 'mh') {
      if (rng.chance(0.3)) flags.push(`${scheduler}-port` as SchedFlag);
      if (rng.chance(0.3)) flags.push(`${scheduler}-fallback` as SchedFlag);
    }
    const method: Method = rng.weighted([['dr', 3], ['tun', 3], ['nat', 3]] as const);
    const reals: RealSpec[] = [];
    // lc/wlc/sed/nq beyond 16 reals sample candidates instead of scanning.
    const many = LEAST.includes(scheduler) && rng.chance(0.12) && realIndex < 120;
    const nReals = many ? rng.range(17, 48) : rng.range(1, 4);
    for (let j = 0; j < nReals; j++) {
      const m: Method = rng.chance(0.15) ? rng.pick(['dr', 'tun', 'nat'] as const) : method;
      // Only TUN crosses families (6in4, 4in6).
      const rf: 4 | 6 = m === 'tun' && rng.chance(0.3) ? (family === 4 ? 6 : 4) : family;
      const k = realIndex++;
      const address = realAddr(rf, k);
      const rport = m === 'nat' ? rng.pick([8080, port, 0, 65535, 1]) : 0;
      reals.push({
        address, port: rport, method: m, weight: rng.weighted([[0, 1], [1, 5], [2, 2], [3, 1]] as const), upperThreshold: 0, lowerThreshold: 0,
        ...(m === 'tun' ? randomTunnel(rng) : {}),
      });
      const mac = realMac(k + 1);
      realMacs.set(address, mac);
      hops.set(address, randomHop(rng, rf, mac, redirectPort));
    }
    services.push({
      ...(fwmark ? { fwmark } : {}),
      vip: fwmark ? fwmarkVip(family) : vip, port: fwmark ? 0 : port, protocol, scheduler, flags, persistence,
      persistenceMask: persistence && rng.chance(0.3) ? (family === 4 ? '255.255.255.0' : '/64') : '', method, reals,
      // One-packet scheduling: UDP services, and fwmark services (for their UDP packets).
      ...((protocol === 'udp' || fwmark) && rng.chance(0.2) ? { ops: true } : {}),
    });
    if (fwmark) marks.push(...randomMarks(rng, fwmark, family, services.map((x) => x.vip)));
  }
  // Rules whose mark no service has: packets they cover go on to the address's services.
  if (marks.length && rng.chance(0.2)) marks.push(...randomMarks(rng, 99, rng.chance(0.5) ? 4 : 6, services.map((x) => x.vip)));
  const mode = (): DefenseMode => rng.weighted([[0, 4], [1, 1], [2, 1], [3, 2]] as const);
  const flooded = rng.chance(0.25);
  const defense: Defense = { newFlowRate: flooded ? 1 : 0, dropEntry: mode(), secureTcp: mode(), synTimeout: 3600 };
  return {
    state: { services, ...(marks.length ? { marks } : {}), timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, defense },
    hops, ifMac: rng.chance(0.85) ? DIR_MAC : undefined, flooded, realMacs,
  };
}

/** GUE (with a port) or GRE, with or without checksums, or IPIP. */
function randomTunnel(rng: Rng): Pick<RealSpec, 'tunType' | 'tunPort' | 'tunChecksum'> {
  switch (rng.weighted([['ipip', 3], ['gue', 2], ['gre', 2]] as const)) {
    case 'ipip': return {};
    case 'gue': return { tunType: 'gue', tunPort: rng.pick([5555, 6080, 1, 65535]), tunChecksum: rng.pick(['nocsum', 'csum', 'remcsum'] as const) };
    case 'gre': return { tunType: 'gre', tunChecksum: rng.pick(['nocsum', 'csum'] as const) };
  }
}

/**
 * Rules giving `mark`: to a VIP of an address service (the mark comes first there), to an
 * address of its own, or to a prefix too wide for the VIP filter; tcp or udp; some or every port.
 */
function randomMarks(rng: Rng, mark: number, family: 4 | 6, vips: string[]): MarkRule[] {
  const own = vips.filter((v) => ip(v).family === family && v !== '0.0.0.0' && v !== '::');
  return Array.from({ length: rng.range(1, 3) }, () => {
    const destination = rng.weighted([
      [own.length ? rng.pick(own) : vipAddr(family, 7), 3],
      [family === 4 ? `203.0.113.${rng.range(30, 40)}` : `2001:db8::${rng.range(0x30, 0x40).toString(16)}`, 2],
      [family === 4 ? '203.0.113.64/26' : '2001:db8::100/120', 2],
      [family === 4 ? '203.0.113.0/24' : '2001:db8::/64', 1],
    ] as const);
    return {
      mark, destination, protocol: rng.chance(0.7) ? 'tcp' : 'udp',
      ports: rng.weighted([['', 3], ['80', 2], ['80,443', 2], ['1000-2000', 1], ['53', 1], ['0,65535', 1]] as const),
    };
  });
}

/** Where a mark rule sends a packet: an address in its destination, a port it covers. */
export function markTarget(rng: Rng, rule: MarkRule): { dst: string; dport: number; proto: Protocol } {
  const [net, len] = rule.destination.split('/');
  const a = ip(net!);
  const bytes = Uint8Array.from(a.bytes);
  const bits = len === undefined ? bytes.length * 8 : Number(len);
  // A host inside the prefix: random bits after it.
  for (let i = bits; i < bytes.length * 8; i++) if (rng.chance(0.5)) bytes[i >> 3]! |= 0x80 >> (i & 7);
  const ranges = rule.ports === '' ? [[0, 65535]] : rule.ports.split(',').map((p) => p.split(/[-:]/).map(Number));
  const [lo, hi = lo] = rng.pick(ranges) as [number, number?];
  return { dst: ipFromBytes(bytes).text, dport: rng.chance(0.85) ? rng.range(lo!, hi!) : rng.range(0, 65535), proto: rule.protocol };
}

function randomHop(rng: Rng, family: 4 | 6, mac: string, redirectPort?: number): NextHop | undefined {
  const kind = rng.weighted([['tx', 16], ['redirect', redirectPort ? 1 : 0], ['noport', 1], ['unresolved', 2]] as const);
  const mtu = rng.weighted([[1500, 6], [1400, 2], [1300, 1], [1280, 1], [9000, 1], [576, 1]] as const);
  const base = { ifname: 'lo', smac: macBytes(DIR_MAC), mtu, src: ip(DIR_ADDR[family]) };
  switch (kind) {
    case 'tx': return { ...base, ifindex: INGRESS, dmac: macBytes(mac) };
    case 'redirect': return { ...base, ifindex: redirectPort!, dmac: macBytes(mac) };
    case 'noport': return { ...base, ifindex: NOT_A_PORT, dmac: macBytes(mac) };
    case 'unresolved': return rng.chance(0.5) ? { ...base, ifindex: INGRESS } : undefined;
  }
}

/**
 * Addresses that share a filter bit with a VIP without being one,
 * and client addresses that share one with a VIP (NAT replies to them pass the VIP filter).
 * The filter is a "maybe": nothing may depend on these collisions.
 */
export function filterNeighbours(vips: string[]): { family: 4 | 6; addr: string }[] {
  const want = new Set(vips.map((v) => filterBit(ipTo16(ip(v)), SEED_VIP)));
  const out: { family: 4 | 6; addr: string }[] = [];
  // IPv4: no address of the documentation ranges shares a bit with a VIP there (a /24
  // varies only the top 8 of the 18 bits), so solve for one; these frames only ever go
  // through test runs.
  for (const v of vips.filter((x) => !x.includes(':'))) {
    const bit = filterBit(ipTo16(ip(v)), SEED_VIP);
    for (let low = 0x1234; low < 0x4000; low += 0x111) {
      const fold = Math.imul(((bit << (32 - 18)) | low) >>> 0, inverse32(0x9e3779b1)) >>> 0;
      const a = new Uint8Array(16);
      new DataView(a.buffer).setUint32(0, (fold ^ SEED_VIP) >>> 0, true);
      const text = ipFromBytes(a.subarray(0, 4)).text;
      if (a[0]! === 0 || a[0]! === 127 || a[0]! >= 224 || vips.includes(text)) continue;
      if (filterBit(a, SEED_VIP) === bit) { out.push({ family: 4, addr: text }); break; }
    }
  }
  // IPv6: the last 32 bits fold straight into the hash, which a multiply by an odd
  // constant makes invertible: solve for them.
  for (const v of vips.filter((x) => x.includes(':'))) {
    const bit = filterBit(ipTo16(ip(v)), SEED_VIP);
    const a = ipTo16(ip('2001:db8:c::'));
    const dv = new DataView(a.buffer);
    const fold = Math.imul(((bit << (32 - 18)) | 0x1234) >>> 0, inverse32(0x9e3779b1)) >>> 0;
    dv.setUint32(12, (fold ^ SEED_VIP ^ dv.getUint32(0, true) ^ dv.getUint32(4, true) ^ dv.getUint32(8, true)) >>> 0, true);
    const text = ipFromBytes(a).text;
    if (filterBit(a, SEED_VIP) === bit && !vips.includes(text)) out.push({ family: 6, addr: text });
  }
  return out;
}

/** Does `addr` pass the NAT-real filter (a source that may be a NAT real)? */
export const natFilterHit = (addr: string, reals: string[]): boolean =>
  reals.map((r) => filterBit(ipTo16(ip(r)), SEED_NAT_SRC)).includes(filterBit(ipTo16(ip(addr)), SEED_NAT_SRC));

/** The inverse of an odd number modulo 2^32 (Newton's iteration). */
function inverse32(a: number): number {
  let x = a >>> 0;
  for (let i = 0; i < 5; i++) x = Math.imul(x, (2 - Math.imul(a, x)) >>> 0) >>> 0;
  return x;
}
