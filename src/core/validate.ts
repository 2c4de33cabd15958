// One place that checks a desired state as a whole before anything is written.
// Returns the normalised state (canonical addresses, defaults filled) or every
// error, each naming its field (dotted path, as the config file spells it).
import { parseIp, maskToPrefix, prefixMask, Family } from './addr.js';
import { FieldError, Result, ok } from './result.js';
import type { StateDelta, ServiceEdit } from './delta.js';
import {
  DesiredState, ServiceSpec, RealSpec, HealthSpec, HaSpec, BgpSpec, Timeouts, SCHEDULERS, SCHED_FLAGS, MAX_WEIGHT,
  DEFAULT_TIMEOUTS, DEFAULT_SCHEDULER, Method, SchedFlag, TUN_TYPES, TUN_CHECKSUMS, serviceId, realId, fwmarkVip, Defense, DEFAULT_DEFENSE, MAX_HA_VIPS, MAX_BGP_PEERS,
} from './model.js';
import { checkMarks, MAX_MARK } from './marks.js';

/**
 * Sizes of the data plane's maps. They come from the compiled object
 * (src/dataplane/limits.ts reads them); without them the size rules are not checked.
 */
export interface Limits {
  services: number;
  realsPerService: number;
  reals: number;
}

const UNLIMITED: Limits = { services: Infinity, realsPerService: Infinity, reals: Infinity };

const METHODS: readonly Method[] = ['dr', 'tun', 'nat'];
const CHECKS = ['tcp', 'http', 'https', 'send-expect', 'udp', 'exec'];
const U32 = 0xffffffff;
/** IPVS keeps the persistence timeout in jiffies (u32, HZ up to 1000). */
const MAX_PERSISTENCE = Math.floor(U32 / 1000);
const HEALTH_DEFAULTS = { interval: 6, timeout: 3, rise: 1, fall: 1 };

type Errs = FieldError[];
const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const isPort = (p: unknown): p is number => isInt(p, 0, 65535);

function checkHealth(h: HealthSpec, at: string, errs: Errs): HealthSpec {
  const type = h.check?.type;
  if (!CHECKS.includes(type)) errs.push({ field: `${at}.check.type`, message: `'${type ?? ''}' is not a checker (${CHECKS.join(', ')})` });
  else {
    const c = h.check as unknown as Record<string, unknown>;
    const need = type === 'http' || type === 'https' ? ['path'] : type === 'send-expect' ? ['expect'] : type === 'exec' ? ['command'] : [];
    // nanny sends a send string without an expect one and is content once it is written.
    const sendOnly = type === 'send-expect' && (c.send || c.sendProgram);
    for (const k of need) if (!c[k] && !sendOnly) errs.push({ field: `${at}.check.${k}`, message: `a ${type} check needs ${k}` });
    if (c.port !== undefined && !isInt(c.port, 0, 65535)) errs.push({ field: `${at}.check.port`, message: `${String(c.port)} is not a port (0-65535)` });
  }
  const out: HealthSpec = {
    ...h,
    interval: h.interval ?? HEALTH_DEFAULTS.interval, timeout: h.timeout ?? HEALTH_DEFAULTS.timeout,
    rise: h.rise ?? HEALTH_DEFAULTS.rise, fall: h.fall ?? HEALTH_DEFAULTS.fall, onFailure: h.onFailure ?? 'quiesce',
  };
  for (const k of ['interval', 'timeout'] as const) {
    if (!(typeof out[k] === 'number' && out[k] > 0)) errs.push({ field: `${at}.${k}`, message: `${String(out[k])} is not a time in seconds above 0` });
  }
  for (const k of ['rise', 'fall'] as const) {
    if (!isInt(out[k], 1, 1000)) errs.push({ field: `${at}.${k}`, message: `${String(out[k])} is not a count of checks (1-1000)` });
  }
  if (out.onFailure !== 'quiesce' && out.onFailure !== 'remove') errs.push({ field: `${at}.onFailure`, message: `'${String(out.onFailure)}' is not 'quiesce' or 'remove'` });
  return out;
}

/** Family rule of LVS: DR and NAT forward the packet as is, so the real must be of the VIP's family. */
function checkFamily(method: Method, addrFamily: Family, vipFamily: Family, field: string, errs: Errs): void {
  if (method !== 'tun' && addrFamily !== vipFamily) {
    errs.push({ field, message: `${method.toUpperCase()} needs an IPv${vipFamily} address like the VIP; only TUN can cross families` });
  }
}

function checkMethod(m: unknown, field: string, errs: Errs): m is Method {
  if (METHODS.includes(m as Method)) return true;
  errs.push({ field, message: `'${String(m)}' is not a forwarding method (dr, tun, nat)` });
  return false;
}

function checkReal(r: RealSpec, svc: ServiceSpec, vipFamily: Family, at: string, errs: Errs): RealSpec {
  const a = parseIp(String(r.address ?? ''));
  if (!a.ok) errs.push({ field: `${at}.address`, message: a.errors[0]!.message });
  const method = (r.method || svc.method) as Method;
  if (checkMethod(method, `${at}.method`, errs) && a.ok) checkFamily(method, a.value.family, vipFamily, `${at}.address`, errs);
  const port0 = r.port ?? 0;
  if (!isPort(port0)) errs.push({ field: `${at}.port`, message: `${String(port0)} is not a port (0-65535)` });
  // As ipvsadm: only NAT rewrites the port; DR and TUN reals get the service's port,
  // except in a fwmark service, where the real keeps the port it was given (ipvsadm
  // "Don't worry about this if fwmark is used"; only NAT uses it, 0 = the packet's).
  const port = svc.fwmark ? port0 : method === 'nat' && port0 ? port0 : svc.port;
  const weight = r.weight ?? 1;
  if (!isInt(weight, 0, MAX_WEIGHT)) errs.push({ field: `${at}.weight`, message: `${String(weight)} is not a weight (0-${MAX_WEIGHT})` });
  const upper = r.upperThreshold ?? 0, lower = r.lowerThreshold ?? 0;
  if (!isInt(upper, 0, U32)) errs.push({ field: `${at}.upperThreshold`, message: `${String(upper)} is not a connection count (0 = no limit)` });
  if (!isInt(lower, 0, U32)) errs.push({ field: `${at}.lowerThreshold`, message: `${String(lower)} is not a connection count (0 = no limit)` });
  else if (upper && lower && lower > upper) errs.push({ field: `${at}.lowerThreshold`, message: `${lower} is above the upper threshold ${upper}` });
  const out: RealSpec = { address: a.ok ? a.value.text : r.address, port, method, weight, upperThreshold: upper, lowerThreshold: lower };
  if (r.health) out.health = checkHealth(r.health, `${at}.health`, errs);
  Object.assign(out, checkTunnel(r, method, at, errs));
  return out;
}

/**
 * --tun-type, --tun-port and the checksum options: only for TUN reals, and as ipvsadm's
 * tunnel_types_v_options allows them (ipip: none; gue: a port is required, any checksum;
 * gre: no port, no remote checksum). The defaults (ipip, nocsum) are left out.
 */
function checkTunnel(r: RealSpec, method: Method, at: string, errs: Errs): Pick<RealSpec, 'tunType' | 'tunPort' | 'tunChecksum'> {
  const type = r.tunType || 'ipip';
  const csum = r.tunChecksum || 'nocsum';
  const given = (r.tunType && r.tunType !== 'ipip') || r.tunPort || (r.tunChecksum && r.tunChecksum !== 'nocsum');
  if (!given) return {};
  if (method !== 'tun') {
    errs.push({ field: `${at}.${r.tunType ? 'tunType' : r.tunPort ? 'tunPort' : 'tunChecksum'}`, message: `tunnel options are for the tun method only, not ${method}` });
    return {};
  }
  if (!TUN_TYPES.includes(type)) { errs.push({ field: `${at}.tunType`, message: `'${String(type)}' is not a tunnel type (${TUN_TYPES.join(', ')})` }); return {}; }
  if (!TUN_CHECKSUMS.includes(csum)) { errs.push({ field: `${at}.tunChecksum`, message: `'${String(csum)}' is not a tunnel checksum option (${TUN_CHECKSUMS.join(', ')})` }); return {}; }
  if (type === 'gue') {
    if (!isInt(r.tunPort, 1, 65535)) {
      errs.push({ field: `${at}.tunPort`, message: r.tunPort ? `${String(r.tunPort)} is not a port (1-65535)` : 'a gue tunnel needs the UDP port the real decapsulates on (--tun-port)' });
    }
    return { tunType: 'gue', tunPort: r.tunPort, ...(csum !== 'nocsum' ? { tunChecksum: csum } : {}) };
  }
  if (r.tunPort) errs.push({ field: `${at}.tunPort`, message: `a ${type} tunnel has no port (only gue does)` });
  if (type === 'ipip' && csum !== 'nocsum') errs.push({ field: `${at}.tunChecksum`, message: 'an ipip tunnel has no checksum option (gue and gre do)' });
  if (type === 'gre' && csum === 'remcsum') errs.push({ field: `${at}.tunChecksum`, message: 'remote checksum offload is a gue option (gre: nocsum or csum)' });
  return type === 'gre' ? { tunType: 'gre', ...(csum !== 'nocsum' ? { tunChecksum: csum } : {}) } : {};
}

/** IPv4: dotted contiguous netmask (or a prefix length); IPv6: prefix length 1-128. Host mask = ''. */
function checkMask(mask: string, family: Family, field: string, errs: Errs): string {
  if (!mask) return '';
  if (family === 4 && mask.includes('.')) {
    const m = parseIp(mask);
    const bits = m.ok && m.value.family === 4 ? maskToPrefix(m.value.bytes) : undefined;
    if (bits === undefined) { errs.push({ field, message: `'${mask}' is not a contiguous IPv4 netmask (like 255.255.255.0)` }); return mask; }
    return bits === 32 ? '' : m.ok ? m.value.text : mask;
  }
  const max = family === 4 ? 32 : 128;
  const bits = /^\/?\d+$/.test(mask) ? Number(mask.replace('/', '')) : NaN;
  if (!isInt(bits, 1, max)) {
    errs.push({ field, message: family === 4 ? `'${mask}' is not an IPv4 netmask or prefix length (1-32)` : `'${mask}' is not an IPv6 prefix length (1-128)` });
    return mask;
  }
  if (bits === max) return '';
  return family === 4 ? Array.from(prefixMask(4, bits)).join('.') : `/${bits}`;
}

function checkFlags(flags: SchedFlag[], scheduler: string, at: string, errs: Errs): SchedFlag[] {
  const out: SchedFlag[] = [];
  for (const [i, f] of flags.entries()) {
    if (!SCHED_FLAGS.includes(f)) errs.push({ field: `${at}.flags[${i}]`, message: `'${f}' is not a scheduler flag (${SCHED_FLAGS.join(', ')})` });
    else if (!f.startsWith(`${scheduler}-`)) errs.push({ field: `${at}.flags[${i}]`, message: `'${f}' is a flag of the ${f.split('-')[0]} scheduler, not of ${scheduler}` });
    else if (!out.includes(f)) out.push(f);
  }
  return out.sort();
}

function checkService(s: ServiceSpec, at: string, errs: Errs, limits: Limits): ServiceSpec {
  const fwmark = s.fwmark;
  if (fwmark !== undefined && !isInt(fwmark, 1, MAX_MARK)) errs.push({ field: `${at}.fwmark`, message: `${String(fwmark)} is not a firewall mark (1-${MAX_MARK})` });
  const vip = parseIp(String(s.vip || (fwmark !== undefined ? fwmarkVip(4) : '')));
  if (!vip.ok) errs.push({ field: `${at}.vip`, message: vip.errors[0]!.message });
  const family: Family = vip.ok ? vip.value.family : 4;
  if (fwmark !== undefined) {
    // IPVS keys a fwmark service by (family, mark): no address, no port (the mark rules pick the traffic).
    if (vip.ok && vip.value.text !== fwmarkVip(family)) errs.push({ field: `${at}.vip`, message: `a fwmark service has no address: '0.0.0.0' (IPv4) or '::' (IPv6) only says its family; the mark rules (marks) choose its traffic` });
    if (s.port) errs.push({ field: `${at}.port`, message: 'a fwmark service has no port; the mark rules (marks) choose its traffic' });
  } else {
    if (s.protocol !== 'tcp' && s.protocol !== 'udp') errs.push({ field: `${at}.protocol`, message: `'${String(s.protocol)}' is not tcp or udp` });
    if (!isPort(s.port)) errs.push({ field: `${at}.port`, message: `${String(s.port)} is not a port (0-65535)` });
  }
  const persistence = s.persistence ?? 0;
  if (!isInt(persistence, 0, MAX_PERSISTENCE)) errs.push({ field: `${at}.persistence`, message: `${String(persistence)} is not a timeout in seconds (0-${MAX_PERSISTENCE}, 0 = not persistent)` });
  // IPVS: port 0 ("every port") only makes sense with persistence.
  if (fwmark === undefined && s.port === 0 && !persistence) errs.push({ field: `${at}.port`, message: 'Zero port specified for non-persistent service' });
  // ipvsadm: OPS only for UDP services (a fwmark service may carry both; IPVS applies it to its UDP packets).
  if (s.ops && fwmark === undefined && s.protocol !== 'udp') errs.push({ field: `${at}.ops`, message: 'One-Packet Scheduling is only for UDP virtual services' });
  const scheduler = s.scheduler || DEFAULT_SCHEDULER;
  if (!SCHEDULERS.includes(scheduler)) errs.push({ field: `${at}.scheduler`, message: `'${scheduler}' is not a scheduler (${SCHEDULERS.join(', ')})` });
  const flags = checkFlags(s.flags ?? [], scheduler, at, errs);
  const maskIn = String(s.persistenceMask ?? '').trim();
  if (maskIn && !persistence) errs.push({ field: `${at}.persistenceMask`, message: 'a persistence mask needs a persistence timeout (-p)' });
  const persistenceMask = checkMask(maskIn, family, `${at}.persistenceMask`, errs);
  const method = s.method || 'dr';
  checkMethod(method, `${at}.method`, errs);
  const norm: ServiceSpec = {
    ...(fwmark !== undefined ? { fwmark } : {}),
    vip: vip.ok ? vip.value.text : s.vip, port: fwmark !== undefined ? 0 : s.port, protocol: fwmark !== undefined ? 'tcp' : s.protocol, scheduler, flags,
    persistence, persistenceMask, method, reals: [],
  };
  const reals = s.reals ?? [];
  if (reals.length > limits.realsPerService) {
    errs.push({ field: `${at}.reals`, message: `${reals.length} reals; a service holds at most ${limits.realsPerService}` });
  }
  const seen = new Map<string, number>();
  norm.reals = reals.map((r, i) => {
    const out = checkReal(r, norm, family, `${at}.reals[${i}]`, errs);
    const id = realId(out);
    const first = seen.get(id);
    if (first !== undefined) errs.push({ field: `${at}.reals[${i}]`, message: `Destination already exists (${out.address} port ${out.port} is also reals[${first}])` });
    else seen.set(id, i);
    return out;
  });
  if (s.health) norm.health = checkHealth(s.health, `${at}.health`, errs);
  if (fwmark !== undefined) {
    // A check connects to the real's port, else the service's: a fwmark service has none.
    norm.reals.forEach((r, i) => {
      const h = r.health ?? norm.health;
      if (h && h.check.type !== 'exec' && !r.port && !(h.check as { port?: number }).port) {
        errs.push({ field: `${at}.reals[${i}].port`, message: 'the health check needs a port: a fwmark service has none, so give the real a port or the check one (check.port)' });
      }
    });
  }
  if (s.sorryServer) {
    const f = `${at}.sorryServer`;
    const a = parseIp(String(s.sorryServer.address ?? ''));
    if (!a.ok) errs.push({ field: `${f}.address`, message: a.errors[0]!.message });
    const m = s.sorryServer.method || method;
    if (checkMethod(m, `${f}.method`, errs) && a.ok) checkFamily(m, a.value.family, family, `${f}.address`, errs);
    const port = s.sorryServer.port || s.port;
    if (!isPort(port)) errs.push({ field: `${f}.port`, message: `${String(port)} is not a port (0-65535)` });
    norm.sorryServer = { address: a.ok ? a.value.text : s.sorryServer.address, port, method: m };
  }
  for (const k of ['quorum', 'hysteresis'] as const) {
    const v = s[k];
    if (v === undefined) continue;
    if (!isInt(v, 0, U32)) errs.push({ field: `${at}.${k}`, message: `${String(v)} is not a sum of weights (a whole number >= 0)` });
    norm[k] = v;
  }
  if (s.load) {
    const l = s.load as { type?: unknown; port?: unknown; command?: unknown };
    if (l.type !== 'agent' && l.type !== 'command') errs.push({ field: `${at}.load.type`, message: `'${String(l.type)}' is not a load source (agent, command)` });
    else if (l.type === 'agent' && !isInt(l.port, 1, 65535)) errs.push({ field: `${at}.load.port`, message: `${String(l.port)} is not a port (1-65535)` });
    else if (l.type === 'command' && !l.command) errs.push({ field: `${at}.load.command`, message: 'a command load source needs a command' });
    norm.load = s.load;
  }
  if (s.ops) norm.ops = true;
  return norm;
}

function checkTimeouts(t: Partial<Timeouts> | undefined, errs: Errs): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS, ...(t ?? {}) };
  for (const k of ['tcp', 'tcpFin', 'udp'] as const) {
    if (!isInt(out[k], 1, MAX_PERSISTENCE)) errs.push({ field: `timeouts.${k}`, message: `${String(out[k])} is not a timeout in seconds (1-${MAX_PERSISTENCE})` });
  }
  return out;
}

function checkDefense(d: Partial<Defense>, errs: Errs): Defense {
  const out = { ...DEFAULT_DEFENSE, ...d };
  if (!isInt(out.newFlowRate, 0, U32)) errs.push({ field: 'defense.newFlowRate', message: `${String(out.newFlowRate)} is not a rate of new flows per second per CPU (0 = never flooded, up to ${U32})` });
  for (const k of ['dropEntry', 'secureTcp'] as const) {
    if (!isInt(out[k], 0, 3)) errs.push({ field: `defense.${k}`, message: `${String(out[k])} is not a defence mode (0 off, 1 and 2 while flooded, 3 always; as IPVS's ${k === 'dropEntry' ? 'drop_entry' : 'secure_tcp'})` });
  }
  if (!isInt(out.synTimeout, 1, MAX_PERSISTENCE)) errs.push({ field: 'defense.synTimeout', message: `${String(out.synTimeout)} is not a timeout in seconds (1-${MAX_PERSISTENCE})` });
  return out;
}

/**
 * HA settings. A disabled section is checked too (it is stored, and enabled later by a
 * one-field change): every value given must be valid; only what enabling needs (the
 * addresses, the key) may be missing while it is off.
 */
function checkHa(h: HaSpec, errs: Errs): HaSpec {
  const e = (field: string, message: string) => errs.push({ field: `ha.${field}`, message });
  const need = h.enabled;
  const address = (v: unknown) => (need || v ? parseIp(String(v ?? '')) : undefined);
  const local = address(h.localAddress), peer = address(h.peerAddress);
  if (local && !local.ok) e('localAddress', local.errors[0]!.message);
  if (peer && !peer.ok) e('peerAddress', peer.errors[0]!.message);
  if (local?.ok && peer?.ok && local.value.family !== peer.value.family) e('peerAddress', 'must be of the family of localAddress');
  if (!isInt(h.port, 1, 65535)) e('port', `${String(h.port)} is not a port (1-65535)`);
  if (!(h.keepalive > 0)) e('keepalive', 'must be above 0 seconds');
  if (!(h.deadtime > h.keepalive)) e('deadtime', 'must be longer than keepalive');
  if (!isInt(h.priority, 0, 255)) e('priority', `${String(h.priority)} is not a priority (0-255)`);
  if (!(typeof h.preemptDelay === 'number' && h.preemptDelay >= 0)) e('preemptDelay', `${String(h.preemptDelay)} is not a time in seconds (0 or more)`);
  if (need && !h.key) e('key', 'a shared key is required (heartbeats are authenticated with HMAC-SHA256)');
  if ((h.vips ?? []).length > MAX_HA_VIPS) {
    e('vips', `${h.vips.length} addresses; at most ${MAX_HA_VIPS}`);
    return h; // each of 200,000 would be checked for nothing
  }
  const vips = (h.vips ?? []).map((v, i) => {
    const a = parseIp(String(v.address ?? ''));
    if (!a.ok) { e(`vips[${i}].address`, a.errors[0]!.message); return v; }
    if (!isInt(v.prefixLength, 1, a.value.family === 4 ? 32 : 128)) e(`vips[${i}].prefixLength`, `${String(v.prefixLength)} is not a prefix length for IPv${a.value.family}`);
    if (!v.interface) e(`vips[${i}].interface`, 'the interface that carries the address is required');
    return { ...v, address: a.value.text };
  });
  return {
    ...h, localAddress: local?.ok ? local.value.text : h.localAddress, peerAddress: peer?.ok ? peer.value.text : h.peerAddress, vips,
  };
}

const U32_MAX = 4294967295;
/** Strings written into BIRD's config between double quotes or as paths. */
const BIRD_SAFE = /^[^"\\\n\r]*$/;

/** BGP settings; a disabled section is checked too (see checkHa): only the AS and a peer may be missing while it is off. */
function checkBgp(b: BgpSpec, errs: Errs): BgpSpec {
  const e = (field: string, message: string) => errs.push({ field: `bgp.${field}`, message });
  const need = b.enabled;
  if ((need || b.localAs) && !isInt(b.localAs, 1, U32_MAX)) e('localAs', `${String(b.localAs)} is not an AS number (1-${U32_MAX})`);
  let routerId = b.routerId ?? '';
  if (routerId) {
    const r = parseIp(routerId);
    if (!r.ok || r.value.family !== 4) e('routerId', `'${routerId}' is not an IPv4 address (BGP router ids are written as one)`);
    else routerId = r.value.text;
  }
  let nextHop = b.nextHop ?? '';
  if (nextHop) {
    const n = parseIp(nextHop);
    if (!n.ok) e('nextHop', n.errors[0]!.message);
    else nextHop = n.value.text;
  }
  if (need && !b.peers?.length) e('peers', 'at least one peer is needed to announce anything');
  if ((b.peers ?? []).length > MAX_BGP_PEERS) {
    e('peers', `${b.peers.length} peers; at most ${MAX_BGP_PEERS}`);
    return b;
  }
  const seen = new Map<string, number>();
  const peers = (b.peers ?? []).map((p, i) => {
    const a = parseIp(String(p.address ?? ''));
    if (!a.ok) e(`peers[${i}].address`, a.errors[0]!.message);
    if (!isInt(p.as, 1, U32_MAX)) e(`peers[${i}].as`, `${String(p.as)} is not an AS number (1-${U32_MAX})`);
    if (!isPort(p.port ?? 0)) e(`peers[${i}].port`, `${String(p.port)} is not a port (0 = 179)`);
    if (!BIRD_SAFE.test(p.password ?? '')) e(`peers[${i}].password`, 'must not hold a double quote, a backslash or a line break');
    const address = a.ok ? a.value.text : p.address;
    const first = seen.get(address);
    if (first !== undefined) e(`peers[${i}].address`, `${address} is also peers[${first}]`);
    else seen.set(address, i);
    return { address, as: p.as, port: p.port ?? 0, password: p.password ?? '' };
  });
  const familyOf = (a: string) => { const r = parseIp(a); return r.ok ? r.value.family : 0; };
  if (nextHop && familyOf(nextHop) && !peers.some((p) => familyOf(p.address) === familyOf(nextHop))) {
    e('nextHop', 'no peer of its address family: the next hop would never be announced');
  }
  for (const k of ['birdConfig', 'birdSocket'] as const) {
    const v = b[k] ?? '';
    if (!v.startsWith('/') || !BIRD_SAFE.test(v)) e(k, `'${v}' is not an absolute path (without quotes or line breaks)`);
  }
  if (b.birdConfig && b.birdConfig === b.birdSocket) e('birdSocket', 'is the same path as birdConfig');
  if (!(b.holdTime === 0 || isInt(b.holdTime, 3, 65535))) e('holdTime', `${String(b.holdTime)} is not a hold time (3-65535 seconds, or 0 for none)`);
  if (!isInt(b.connectRetry, 1, 65535)) e('connectRetry', `${String(b.connectRetry)} is not a time in whole seconds (1-65535)`);
  return { ...b, routerId, nextHop, peers };
}

/**
 * Services this module returned as valid (normalised), frozen so they stay so. An
 * edit copies only the service it changes, so revalidating a state of 10,000
 * services re-checks one and reuses the others as they are: checking a normalised
 * service again gives the same service.
 */
const validServices = new WeakSet<ServiceSpec>();

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function checkServiceOnce(svc: ServiceSpec, at: string, errs: Errs, limits: Limits): ServiceSpec {
  if (validServices.has(svc)) {
    // The only check that depends on the limits.
    if (svc.reals.length > limits.realsPerService) errs.push({ field: `${at}.reals`, message: `${svc.reals.length} reals; a service holds at most ${limits.realsPerService}` });
    return svc;
  }
  const before = errs.length;
  const out = checkService(svc, at, errs, limits);
  if (errs.length === before) validServices.add(deepFreeze(out));
  return out;
}

export function validateState(s: DesiredState, limits: Limits = UNLIMITED): Result<DesiredState> {
  const errs: Errs = [];
  const services = (s.services ?? []).map((svc, i) => checkServiceOnce(svc, `services[${i}]`, errs, limits));
  if (services.length > limits.services) errs.push({ field: 'services', message: `${services.length} services; the data plane holds at most ${limits.services}` });
  const total = services.reduce((n, x) => n + x.reals.length, 0);
  if (total > limits.reals) errs.push({ field: 'services', message: `${total} reals in all; the data plane holds at most ${limits.reals}` });
  const seen = new Map<string, number>();
  services.forEach((svc, i) => {
    const id = serviceId(svc);
    const first = seen.get(id);
    if (first !== undefined) errs.push({ field: `services[${i}]`, message: `Service already exists (${svc.protocol} ${svc.vip} port ${svc.port} is also services[${first}])` });
    else seen.set(id, i);
  });
  const marks = s.marks?.length ? checkMarks(s.marks, errs) : undefined;
  const timeouts = checkTimeouts(s.timeouts, errs);
  const defense = s.defense ? checkDefense(s.defense, errs) : undefined;
  const ha = s.ha ? checkHa(s.ha, errs) : undefined;
  const bgp = s.bgp ? checkBgp(s.bgp, errs) : undefined;
  if (errs.length) return { ok: false, errors: errs };
  return ok({ services, ...(marks ? { marks } : {}), timeouts, ...(defense ? { defense } : {}), ...(ha ? { ha } : {}), ...(bgp ? { bgp } : {}) });
}

/**
 * validateState for a state that differs from the validated `prev` only in the services
 * of `delta` (core/delta.ts): the touched services are checked, the rules across
 * services by counting and by looking for the touched ids, and the rest is reused as
 * it is. Same result as validateState(next): on any error (or a touched service that
 * changed its identity) it runs validateState itself, so errors read exactly alike.
 * The returned delta carries the validated specs and their ids.
 */
export function validateEdit(prev: DesiredState, next: DesiredState, delta: StateDelta, limits: Limits = UNLIMITED): { result: Result<DesiredState>; delta?: StateDelta } {
  const full = () => ({ result: validateState(next, limits) });
  const errs: Errs = [];
  const services = next.services.slice();
  const edits: ServiceEdit[] = [];
  for (const e of delta.services) {
    if (!e.after) { edits.push(e); continue; }
    const svc = checkServiceOnce(e.after, `services[${e.afterIndex}]`, errs, limits);
    if (errs.length) return full();
    const id = serviceId(svc);
    if (e.before && serviceId(e.before) !== id) return full();
    services[e.afterIndex] = svc;
    edits.push({ ...e, id, after: svc });
  }
  if (services.length > limits.services) return full();
  let total = 0;
  for (const s of services) total += s.reals.length;
  if (total > limits.reals) return full();
  // A new service must not share its identity with another (a replaced one kept its own).
  for (const e of edits) {
    if (!e.after || e.before) continue;
    for (let i = 0; i < services.length; i++) {
      const s = services[i]!;
      if (i !== e.afterIndex && s.port === e.after.port && s.protocol === e.after.protocol && s.vip === e.after.vip && s.fwmark === e.after.fwmark) return full();
    }
  }
  const marks = !next.marks?.length ? undefined : next.marks === prev.marks ? prev.marks : checkMarks(next.marks, errs);
  const timeouts = next.timeouts === prev.timeouts ? prev.timeouts : checkTimeouts(next.timeouts, errs);
  const defense = !next.defense ? undefined : next.defense === prev.defense ? prev.defense : checkDefense(next.defense, errs);
  const ha = !next.ha ? undefined : next.ha === prev.ha ? prev.ha : checkHa(next.ha, errs);
  const bgp = !next.bgp ? undefined : next.bgp === prev.bgp ? prev.bgp : checkBgp(next.bgp, errs);
  if (errs.length) return full();
  return { result: ok({ services, ...(marks ? { marks } : {}), timeouts, ...(defense ? { defense } : {}), ...(ha ? { ha } : {}), ...(bgp ? { bgp } : {}) }), delta: { services: edits } };
}
