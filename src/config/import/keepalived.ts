// Import keepalived.conf: virtual_server / real_server blocks and their checkers, and
// vrrp_instance onto HaSpec.
//
// Mappings that are not one to one:
// - retry N (nb_get_retry N) -> fall = N + 1: keepalived fails a real after the first
//   failed check plus N failed retries (check_tcp.c: "failed after %d retry").
//   Defaults as keepalived: delay_loop 60, connect_timeout 5, retry 1 (MISC_CHECK 0),
//   delay_before_retry 1, misc_timeout = delay_loop. rise = 1 (one success brings it up).
// - delay_loop -> interval; connect_timeout / misc_timeout -> timeout;
//   inhibit_on_failure -> onFailure 'quiesce' (else 'remove'); alpha -> alpha.
// - One checker per real: further checkers (and further url blocks) are reported unmapped.
// - vrrp_instance (the first one): priority, advert_int -> keepalive, deadtime = VRRP's
//   master down interval 3 * advert_int + (256 - priority) / 256 * advert_int (rounded up),
//   nopreempt -> preempt false, preempt_delay, auth_pass -> key (used as the HMAC key;
//   VRRP PASS sent it in clear), unicast_src_ip / unicast_peer -> local/peer address,
//   virtual_ipaddress "A/P dev D" -> vips (interface defaults to the instance's).
import { parseIp } from '../../core/addr.js';
import { SCHEDULERS, emptyState, fwmarkVip, type HaSpec, type HealthCheckSpec, type HealthSpec, type Method, type RealSpec, type SchedFlag, type SchedulerName, type ServiceSpec } from '../../core/model.js';
import type { FieldError } from '../../core/result.js';
import { lineError, type ImportOutcome, type ImportOptions, type UnmappedLine } from './types.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

export interface Stmt { words: string[]; line: number; text: string; block?: Stmt[] }

/** keepalived's lexer: '#' and '!' comments, "quoted strings", '{' '}' as their own words. */
export function readKeepalived(text: string): { ok: true; value: Stmt[] } | { ok: false; errors: FieldError[] } {
  type Tok = { w: string; line: number; quoted: boolean };
  const toks: Tok[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const re = /"((?:[^"\\]|\\.)*)"|([{}])|([#!].*$)|([^\s{}"]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw))) {
      if (m[3] !== undefined) break;
      if (m[1] !== undefined) toks.push({ w: m[1].replace(/\\(.)/g, '$1'), line: i + 1, quoted: true });
      else toks.push({ w: (m[2] ?? m[4])!, line: i + 1, quoted: false });
    }
  });
  const errors: FieldError[] = [];
  let pos = 0;
  const parseBlock = (depth: number, openLine: number): Stmt[] => {
    const out: Stmt[] = [];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.w === '}' && !t.quoted) {
        pos++;
        if (depth === 0) errors.push(lineError(t.line, "'}' without an open block"));
        else return out;
        continue;
      }
      if (t.w === '{' && !t.quoted) { errors.push(lineError(t.line, "'{' without a keyword")); pos++; continue; }
      const line = t.line;
      const words: string[] = [];
      while (pos < toks.length && toks[pos]!.line === line && !(['{', '}'].includes(toks[pos]!.w) && !toks[pos]!.quoted)) words.push(toks[pos++]!.w);
      const s: Stmt = { words, line, text: lines[line - 1]!.trim() };
      // A block opens with '{' on the same line or the next.
      if (pos < toks.length && toks[pos]!.w === '{' && !toks[pos]!.quoted) { pos++; s.block = parseBlock(depth + 1, line); }
      out.push(s);
    }
    if (depth > 0) errors.push(lineError(openLine, `block opened here is not closed with '}'`));
    return out;
  };
  const stmts = parseBlock(0, 0);
  return errors.length ? { ok: false, errors } : { ok: true, value: stmts };
}

const METHODS: Record<string, Method> = { NAT: 'nat', DR: 'dr', TUN: 'tun' };
const CHECKERS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK'];

export function importKeepalived(text: string, opts: ImportOptions = {}): ImportOutcome {
  const read = readKeepalived(text);
  if (!read.ok) return read;
  const errors: FieldError[] = [];
  const unmapped: UnmappedLine[] = [];
  const skip = (s: Stmt, reason: string) => unmapped.push({ line: s.line, text: s.text, reason });
  const num = (s: Stmt, min = 0, max = 2 ** 31 - 1, i = 1): number | undefined => {
    const v = s.words[i];
    if (v === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(v) || Number(v) < min || Number(v) > max) {
      errors.push(lineError(s.line, `${s.words[0]}: '${v ?? ''}' is not a number in ${min}..${max}`));
      return undefined;
    }
    return Number(v);
  };
  const addr = (s: Stmt, v: string | undefined): string | undefined => {
    const r = parseIp(v ?? '');
    if (!r.ok) { errors.push(lineError(s.line, `${s.words[0]}: '${v ?? ''}' is not an IP address`)); return undefined; }
    return r.value.text;
  };

  const services: ServiceSpec[] = [];
  const fwmarks: FwmarkSource[] = [];
  let ha: HaSpec | undefined;

  for (const top of read.value) {
    const kw = top.words[0]!;
    if (kw === 'global_defs') { for (const s of top.block ?? []) skip(s, `global setting '${s.words[0]}' has no ipvx equivalent`); continue; }
    if (kw === 'vrrp_instance') { ha = vrrpInstance(top, ha); continue; }
    if (kw === 'virtual_server') { virtualServer(top); continue; }
    skip(top, `'${kw}' has no ipvx equivalent`);
  }

  function vrrpInstance(vi: Stmt, prev: HaSpec | undefined): HaSpec {
    const first = !prev;
    const h: HaSpec = prev ?? {
      enabled: true, localAddress: '', peerAddress: '', port: 539, keepalive: 1, deadtime: 3, priority: 100,
      preempt: true, preemptDelay: 0, key: '', vips: [],
    };
    let iface = '';
    let advert = 1;
    let hasPeer = false;
    for (const s of vi.block ?? []) if (s.words[0] === 'interface') iface = s.words[1] ?? '';
    for (const s of vi.block ?? []) {
      const k = s.words[0]!;
      if (!first && k !== 'virtual_ipaddress') { skip(s, `only one HA instance: the settings of the first vrrp_instance are used`); continue; }
      switch (k) {
        case 'state': break; // ipvx starts every director standby; priority decides
        case 'interface': break;
        case 'priority': h.priority = num(s, 1, 255) ?? h.priority; break;
        case 'advert_int': advert = num(s, 0.01, 255) ?? advert; break;
        case 'nopreempt': h.preempt = false; break;
        case 'preempt_delay': h.preemptDelay = num(s, 0, 1000) ?? 0; break;
        case 'unicast_src_ip': h.localAddress = addr(s, s.words[1]) ?? ''; break;
        case 'unicast_peer': {
          const peers = (s.block ?? []).map((p) => p.words[0]);
          if (peers.length > 1) skip(s, 'ipvx pairs two directors: only the first unicast_peer is used');
          h.peerAddress = addr(s, peers[0]) ?? '';
          hasPeer = true;
          break;
        }
        case 'authentication':
          for (const a of s.block ?? []) {
            if (a.words[0] === 'auth_pass') h.key = a.words[1] ?? '';
            else if (a.words[0] !== 'auth_type') skip(a, `no ipvx equivalent for '${a.words[0]}'`);
          }
          break;
        case 'virtual_ipaddress':
          for (const v of s.block ?? []) {
            const [cidr, ...rest] = v.words;
            const [a, p] = (cidr ?? '').split('/');
            const ip = addr(v, a);
            if (!ip) continue;
            const family = ip.includes(':') ? 6 : 4;
            const prefixLength = p === undefined ? (family === 4 ? 32 : 128) : Number(p);
            if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > (family === 4 ? 32 : 128)) { errors.push(lineError(v.line, `'${cidr}': bad prefix length`)); continue; }
            const dev = rest[0] === 'dev' ? rest[1] : undefined;
            const extra = rest.filter((_, i) => !(rest[0] === 'dev' && i < 2));
            if (extra.length) skip(v, `address options '${extra.join(' ')}' have no ipvx equivalent (address, prefix and device are used)`);
            h.vips.push({ address: ip, prefixLength, interface: dev ?? iface });
          }
          break;
        case 'virtual_router_id': skip(s, 'ipvx does not speak VRRP: no router id (its heartbeat is authenticated unicast UDP)'); break;
        default: skip(s, `no ipvx equivalent for '${k}' in vrrp_instance`);
      }
    }
    if (first) {
      h.keepalive = advert;
      h.deadtime = Math.ceil(3 * advert + ((256 - h.priority) / 256) * advert);
      if (!hasPeer) skip(vi, 'no unicast_peer: ipvx heartbeats are unicast, set ha.peerAddress (and ha.localAddress) by hand');
    }
    return h;
  }

  function virtualServer(vs: Stmt): void {
    const [, ipText, portText] = vs.words;
    if (ipText === 'group') { skip(vs, `virtual_server group: groups are not supported by ipvx (block not imported)`); return; }
    // virtual_server fwmark N: a firewall-mark service (ipvsadm -f N); its family from
    // ip_family, else from its first real (keepalived: check/check_parser.c vs_handler).
    const fwmark = ipText === 'fwmark' ? Number(portText) : undefined;
    if (fwmark !== undefined && !(Number.isInteger(fwmark) && fwmark >= 1 && fwmark <= 0xffffffff)) {
      errors.push(lineError(vs.line, `virtual_server fwmark: '${portText ?? ''}' is not a mark (1..4294967295)`));
      return;
    }
    const vip = fwmark !== undefined ? undefined : addr(vs, ipText);
    const port = fwmark !== undefined ? 0 : portText !== undefined && /^[0-9]+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : undefined;
    if (port === undefined) errors.push(lineError(vs.line, `virtual_server: '${portText ?? ''}' is not a port (0..65535)`));
    let family: 4 | 6 | undefined;
    let scheduler: SchedulerName = 'wlc';
    let method: Method = 'nat'; // keepalived's default lb_kind
    let protocol: 'tcp' | 'udp' = 'tcp';
    let persistence = 0;
    let persistenceMask = '';
    let delayLoop = 60;
    let alpha = false;
    let quorum: number | undefined;
    let hysteresis: number | undefined;
    let virtualhost: string | undefined;
    const flags: SchedFlag[] = [];
    let sorry: { address: string; port: number } | undefined;
    let sorryMethod: Method | undefined;
    const realStmts: Stmt[] = [];
    for (const s of vs.block ?? []) {
      const k = s.words[0]!;
      switch (k) {
        case 'delay_loop': delayLoop = num(s, 1) ?? delayLoop; break;
        case 'lb_algo': case 'lvs_sched': {
          const v = s.words[1] ?? '';
          if (!(SCHEDULERS as readonly string[]).includes(v)) errors.push(lineError(s.line, `${k}: unknown scheduler '${v}' (ipvx has ${SCHEDULERS.join(', ')})`));
          else scheduler = v as SchedulerName;
          break;
        }
        case 'lb_kind': case 'lvs_method': {
          const v = (s.words[1] ?? '').toUpperCase();
          if (!METHODS[v]) errors.push(lineError(s.line, `${k}: '${s.words[1] ?? ''}' is not NAT, DR or TUN`));
          else method = METHODS[v]!;
          if (s.words.length > 2) skip(s, `tunnel options '${s.words.slice(2).join(' ')}' are not imported: give the reals tunType, tunPort and tunChecksum`);
          break;
        }
        case 'persistence_timeout': persistence = num(s, 1, 86400 * 31) ?? 0; break;
        case 'persistence_granularity': {
          const m = s.words[1] ?? '';
          if (/^[0-9]+$/.test(m)) persistenceMask = m;
          else if (parseIp(m).ok) persistenceMask = m === '255.255.255.255' ? '' : m;
          else errors.push(lineError(s.line, `persistence_granularity: '${m}' is not a netmask or prefix length`));
          break;
        }
        case 'protocol': {
          const v = (s.words[1] ?? '').toUpperCase();
          if (v !== 'TCP' && v !== 'UDP') errors.push(lineError(s.line, `protocol: '${s.words[1] ?? ''}' is not supported (TCP or UDP)`));
          else protocol = v === 'TCP' ? 'tcp' : 'udp';
          break;
        }
        case 'sorry_server': {
          const a = addr(s, s.words[1]);
          const p = s.words[2] !== undefined ? num(s, 0, 65535, 2) : undefined;
          if (a) sorry = { address: a, port: p ?? 0 };
          break;
        }
        case 'sorry_server_lvs_method': {
          const v = (s.words[1] ?? '').toUpperCase();
          if (METHODS[v]) sorryMethod = METHODS[v]; else errors.push(lineError(s.line, `${k}: '${s.words[1] ?? ''}' is not NAT, DR or TUN`));
          break;
        }
        case 'virtualhost': virtualhost = s.words[1]; break;
        case 'alpha': alpha = true; break;
        case 'quorum': quorum = num(s, 1); break;
        case 'hysteresis': hysteresis = num(s, 0); break;
        case 'sh-port': case 'sh-fallback': case 'mh-port': case 'mh-fallback': flags.push(k); break;
        case 'real_server': realStmts.push(s); break;
        case 'ip_family':
          if (fwmark === undefined) skip(s, 'ip_family: the family of an address:port service is its address\'s');
          else if (s.words[1] === 'inet' || s.words[1] === 'inet6') family = s.words[1] === 'inet' ? 4 : 6;
          else errors.push(lineError(s.line, `ip_family: '${s.words[1] ?? ''}' is not inet or inet6`));
          break;
        default: skip(s, `no ipvx equivalent for '${k}' in virtual_server`);
      }
    }
    const reals: RealSpec[] = [];
    for (const rs of realStmts) {
      const real = realServer(rs, { delayLoop, alpha, virtualhost, vport: port ?? 0, method });
      if (real) reals.push(real);
    }
    const fam = family ?? (reals[0]?.address.includes(':') ? 6 : 4);
    const address = fwmark !== undefined ? fwmarkVip(fam) : vip;
    if (address && port !== undefined) {
      const service: ServiceSpec = {
        ...(fwmark !== undefined ? { fwmark } : {}),
        vip: address, port, protocol, scheduler, flags, persistence, persistenceMask, method, reals,
        ...(sorry ? { sorryServer: { ...sorry, port: sorry.port || port, method: sorryMethod ?? method } } : {}),
        ...(quorum !== undefined ? { quorum } : {}), ...(hysteresis !== undefined ? { hysteresis } : {}),
      };
      services.push(service);
      if (fwmark !== undefined) fwmarks.push({ service, line: vs.line, text: vs.text });
    }
  }

  function realServer(rs: Stmt, vs: { delayLoop: number; alpha: boolean; virtualhost?: string; vport: number; method: Method }): RealSpec | undefined {
    const address = addr(rs, rs.words[1]);
    const port = rs.words[2] !== undefined ? num(rs, 0, 65535, 2) : vs.vport;
    let weight = 1;
    let upper = 0, lower = 0;
    let inhibit = false;
    let health: HealthSpec | undefined;
    for (const s of rs.block ?? []) {
      const k = s.words[0]!;
      if (CHECKERS.includes(k)) {
        if (health) { skip(s, 'ipvx runs one check per real: only the first checker is used'); continue; }
        health = checker(s, vs);
        continue;
      }
      switch (k) {
        case 'weight': weight = num(s, 0, 65535) ?? 1; break;
        case 'inhibit_on_failure': inhibit = true; break;
        case 'uthreshold': upper = num(s, 0) ?? 0; break;
        case 'lthreshold': lower = num(s, 0) ?? 0; break;
        default: skip(s, `no ipvx equivalent for '${k}' in real_server`);
      }
    }
    if (!address || port === undefined) return undefined;
    if (health) health.onFailure = inhibit ? 'quiesce' : 'remove';
    return { address, port, method: vs.method, weight, upperThreshold: upper, lowerThreshold: lower, ...(health ? { health } : {}) };
  }

  function checker(c: Stmt, vs: { delayLoop: number; alpha: boolean; virtualhost?: string }): HealthSpec | undefined {
    const kind = c.words[0]!;
    if (!['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK'].includes(kind)) {
      skip(c, `${kind} has no ipvx equivalent (ipvx checks: TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK)`);
      return undefined;
    }
    let timeout = 5;
    let retry = kind === 'MISC_CHECK' ? 0 : 1;
    let delayBeforeRetry = 1;
    let interval = vs.delayLoop;
    let port: number | undefined;
    let connectIp: string | undefined;
    let url: Stmt | undefined;
    let host = vs.virtualhost;
    let miscPath = '';
    let miscTimeout: number | undefined;
    let miscDynamic = false;
    for (const s of c.block ?? []) {
      const k = s.words[0]!;
      switch (k) {
        case 'connect_timeout': timeout = num(s, 1) ?? timeout; break;
        case 'retry': case 'nb_get_retry': retry = num(s, 0) ?? retry; break;
        case 'delay_before_retry': delayBeforeRetry = num(s, 0) ?? delayBeforeRetry; break;
        case 'delay_loop': interval = num(s, 1) ?? interval; break;
        case 'connect_port': port = num(s, 1, 65535); break;
        case 'connect_ip': connectIp = addr(s, s.words[1]); break;
        case 'virtualhost': host = s.words[1]; break;
        case 'url':
          if (kind !== 'HTTP_GET' && kind !== 'SSL_GET') skip(s, `url in ${kind} has no meaning`);
          else if (url) skip(s, 'ipvx checks one URL per real: only the first url block is used');
          else url = s;
          break;
        case 'misc_path': miscPath = s.words.slice(1).join(' '); break;
        case 'misc_timeout': miscTimeout = num(s, 1); break;
        case 'misc_dynamic': miscDynamic = true; break;
        default: skip(s, `no ipvx equivalent for '${k}' in ${kind}`);
      }
    }
    let check: HealthCheckSpec;
    if (kind === 'TCP_CHECK') {
      check = { type: 'tcp', ...(port !== undefined ? { port } : {}), ...(connectIp ? { address: connectIp } : {}) };
    } else if (kind === 'MISC_CHECK') {
      if (!miscPath) errors.push(lineError(c.line, 'MISC_CHECK without misc_path'));
      check = { type: 'exec', command: miscPath, ...(miscDynamic ? { dynamicWeight: true } : {}) };
      timeout = miscTimeout ?? interval;
    } else {
      let path = '/';
      let statusCodes: string | undefined;
      let bodyRegex: string | undefined;
      for (const s of url?.block ?? []) {
        const k = s.words[0]!;
        if (k === 'path') path = s.words[1] ?? '/';
        else if (k === 'status_code') statusCodes = s.words.slice(1).join(',');
        else if (k === 'virtualhost') host = s.words[1];
        else if (k === 'regex') bodyRegex = s.words.slice(1).join(' ');
        else if (k === 'digest') skip(s, 'digest (MD5 of the body) has no ipvx equivalent: use status_code or regex');
        else skip(s, `no ipvx equivalent for '${k}' in url`);
      }
      if (connectIp) skip(c, 'connect_ip for HTTP checks has no ipvx equivalent: the real is checked');
      check = {
        type: kind === 'SSL_GET' ? 'https' : 'http', path,
        ...(host ? { host } : {}), ...(statusCodes ? { statusCodes } : {}), ...(bodyRegex ? { bodyRegex } : {}),
        // keepalived's SSL_GET does not verify the certificate.
        ...(kind === 'SSL_GET' ? { verifyTls: false } : {}),
        ...(port !== undefined ? { port } : {}),
      };
    }
    return {
      check, interval, timeout, rise: 1, fall: retry + 1, onFailure: 'remove', delayBeforeRetry,
      ...(vs.alpha ? { alpha: true } : {}),
    };
  }

  if (errors.length) return { ok: false, errors: errors.sort((a, b) => lineOf(a) - lineOf(b)) };
  const marks = fwmarkRules(fwmarks, opts, unmapped);
  const state = { ...emptyState(), services, ...(marks ? { marks } : {}), ...(ha ? { ha } : {}) };
  return { ok: true, value: { state, unmapped: unmapped.sort(byFileAndLine) } };
}

/** The imported file's lines first, then the iptables file's, each in order. */
const byFileAndLine = (a: UnmappedLine, b: UnmappedLine) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line;

const lineOf = (e: FieldError) => Number(/^line (\d+)/.exec(e.field)?.[1] ?? 0);
