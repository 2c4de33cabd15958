// Import piranha's lvs.cf (lvs.cf(5)): "key = value" lines, "virtual NAME {" and
// "server NAME {" blocks.
//
// Mappings that are not one to one, from piranha's sources (lvsconfig.c, nanny.c, pulse.c,
// lvsd.c of piranha as shipped for RHEL 5/6):
// - Defaults as lvsParseConfig and lvsInitVirtualServer set them: network nat, keepalive 2,
//   deadtime 5, heartbeat_port 539; a virtual's port 80, timeout 10, reentry 180, wlc, tcp.
// - Numbers as getNum reads them (strtol base 0: 0x50, 010); ports by getPort: a number or a
//   name from /etc/services ("tcp", whatever the protocol). A server's port is the virtual's
//   port as it was when its `server` block began (parseVirtualServer), else its own `port`.
// - Health (nanny, started per real by lvsd with -t timeout -a reentry): nanny checks every
//   `timeout` seconds and waits at most `timeout` for an answer (pinger's connect timeout is
//   its interval), takes a real out at the first failed check and puts it back after
//   reentry / timeout (integer division, countThresh) checks in a row pass: interval =
//   timeout = `timeout`, fall = 1, rise = max(1, floor(reentry / timeout)). Without send,
//   expect and send_program on port 80 nanny sends "GET / HTTP/1.0\r\n\r\n" and expects
//   "HTTP"; send without expect is a send-only check; UDP services get a udp check.
// - quiesce_server = 1 -> onFailure 'quiesce' (weight 0), else 'remove'.
// - network direct|tunnel|nat -> method dr|tun|nat for the service and its reals.
// - tcp_timeout, tcpfin_timeout, udp_timeout (0 = unchanged) -> timeouts.
// - vip_nmask / nat_nmask 0.0.0.0 (what the GUI writes for "none") = /32; pmask without
//   persistent is ignored, as startVirtualServer passes -M only with -p.
// - HA: pulse's amMaster decides the role: primary if the primary address is on a local
//   interface; here also backup when the backup address is, else primary; opts.role
//   overrides. localAddress/peerAddress follow; priority 200 (primary) / 100 (backup),
//   preempt true (pulse always takes back); backup_active -> enabled; heartbeat_port,
//   keepalive, deadtime as they are. Each virtual address ("10.0.0.50 eth0:1": an alias
//   label, its device is eth0) with vip_nmask becomes an HA VIP; so does nat_router.
// - failover NAME { } (piranha's fos services): parsed; with service = fos their addresses
//   become HA VIPs and start_cmd/stop_cmd are reported; with service = lvs pulse ignores them.
import { parseIp, maskToPrefix } from '../../core/addr.js';
import { SCHEDULERS, DEFAULT_TIMEOUTS, emptyState, fwmarkVip, type MarkRule, type DesiredState, type HaSpec, type HealthSpec, type Method, type RealSpec, type SchedulerName, type ServiceSpec } from '../../core/model.js';
import type { FieldError } from '../../core/result.js';
import { imported, lineError, type ImportOptions, type ImportOutcome, type ImportResult, type UnmappedLine } from './types.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

interface Entry { key: string; value: string; line: number; text: string }
interface Block { kind: 'virtual' | 'server' | 'failover'; name: string; line: number; text: string; entries: Entry[]; servers: Block[] }

/** Decode the C escapes piranha's send strings use. */
function unquote(v: string): string {
  if (!(v.length >= 2 && v.startsWith('"') && v.endsWith('"'))) return v;
  return v.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c);
}

function stripComment(line: string): string {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inQuote) { i++; continue; }
    if (c === '"') inQuote = !inQuote;
    else if (c === '#' && !inQuote) return line.slice(0, i);
  }
  return line;
}

function readBlocks(text: string): { globals: Entry[]; virtuals: Block[]; errors: FieldError[] } {
  const globals: Entry[] = [];
  const virtuals: Block[] = [];
  const errors: FieldError[] = [];
  const stack: Block[] = [];
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = stripComment(raw).trim();
    if (line === '') return;
    if (/^}\s*$/.test(line)) {
      if (!stack.pop()) errors.push(lineError(n, "'}' without an open block"));
      return;
    }
    const open = /^(virtual|server|failover)\s+(\S+)\s*\{$/.exec(line);
    if (open) {
      const b: Block = { kind: open[1] as Block['kind'], name: open[2]!, line: n, text: raw.trim(), entries: [], servers: [] };
      const top = stack[stack.length - 1];
      if (b.kind === 'virtual' || b.kind === 'failover') {
        if (top) { errors.push(lineError(n, `'${b.kind}' blocks cannot be nested`)); return; }
        virtuals.push(b);
      } else {
        if (!top || top.kind !== 'virtual') { errors.push(lineError(n, "'server' blocks belong inside a 'virtual' block")); return; }
        top.servers.push(b);
      }
      stack.push(b);
      return;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) { errors.push(lineError(n, `cannot read '${line}': expected 'key = value', 'virtual NAME {', 'failover NAME {', 'server NAME {' or '}'`)); return; }
    const e = { key: kv[1]!, value: kv[2]!.trim(), line: n, text: raw.trim() };
    (stack[stack.length - 1]?.entries ?? globals).push(e);
  });
  for (const b of stack) errors.push(lineError(b.line, `'${b.kind} ${b.name}' is not closed with '}'`));
  return { globals, virtuals, errors };
}

const METHODS: Record<string, Method> = { direct: 'dr', tunnel: 'tun', nat: 'nat' };

export type LvsCfOptions = Pick<ImportOptions, 'role' | 'localAddresses' | 'services' | 'iptablesSave'>;

/** strtol(tok, &end, 0) as getNum: decimal, 0x hex, 0 octal, whole token. */
function strtol0(v: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return undefined;
  const t = m[2]!;
  const n = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t.startsWith('0') ? parseInt(t.slice(1), 8) : Number(t);
  return m[1] === '-' ? -n : n;
}

export function importLvsCf(text: string, opts: LvsCfOptions = {}): ImportOutcome {
  const { globals, virtuals, errors } = readBlocks(text);
  const unmapped: UnmappedLine[] = [];
  const notes: string[] = [];
  const origins: NonNullable<ImportResult['origins']> = [];
  let droppedServices = 0, droppedReals = 0;
  const skip = (e: { line: number; text: string }, reason: string) => unmapped.push({ line: e.line, text: e.text, reason });

  const num = (e: Entry, min = 0, max = 2 ** 31 - 1): number | undefined => {
    const n = strtol0(unquote(e.value));
    if (n === undefined || n < min || n > max) {
      errors.push(lineError(e.line, `${e.key}: '${e.value}' is not a whole number in ${min}..${max}`));
      return undefined;
    }
    return n;
  };
  const portOf = (e: Entry): number | undefined => {
    const v = unquote(e.value);
    const n = strtol0(v);
    if (n !== undefined) {
      if (n < 0 || n > 65535) { errors.push(lineError(e.line, `${e.key}: '${v}' is not a port (0..65535)`)); return undefined; }
      return n;
    }
    // getPort: getservbyname(tok, "tcp").
    const named = opts.services?.port(v, 'tcp');
    if (named === undefined) { errors.push(lineError(e.line, `${e.key}: '${v}' is neither a port number nor a tcp service name in /etc/services`)); return undefined; }
    return named;
  };
  const addr = (e: Entry, text: string): string | undefined => {
    const r = parseIp(text);
    if (!r.ok) { errors.push(lineError(e.line, `${e.key}: '${text}' is not an IP address (names are not resolved)`)); return undefined; }
    return r.value.text;
  };
  const prefixOf = (e: Entry | undefined, family: 4 | 6): number | undefined => {
    if (!e) return family === 4 ? 32 : 128;
    const v = unquote(e.value);
    const r = parseIp(v);
    if (r.ok && r.value.family === 4 && v === '0.0.0.0') return 32; // the GUI's "no mask"
    const p = r.ok && r.value.family === 4 ? maskToPrefix(r.value.bytes) : undefined;
    if (p === undefined || p === 0) { errors.push(lineError(e.line, `${e.key}: '${e.value}' is not a contiguous IPv4 netmask`)); return undefined; }
    return p;
  };
  const device = (label: string) => label.split(':')[0]!;

  // Globals, with lvsParseConfig's defaults.
  const g = new Map(globals.map((e) => [e.key, e]));
  let method: Method = 'nat';
  const ha: HaSpec = {
    enabled: false, localAddress: '', peerAddress: '', port: 539, keepalive: 2, deadtime: 5,
    priority: 200, preempt: true, preemptDelay: 0, key: '', vips: [],
  };
  const timeouts = { ...DEFAULT_TIMEOUTS };
  let primary = '', backup = '';
  let haSeen = false;
  let serviceType = 'lvs';
  for (const e of globals) {
    const v = unquote(e.value);
    switch (e.key) {
      case 'primary': { const a = addr(e, v); if (a) primary = a; haSeen = true; break; }
      case 'backup': { const a = addr(e, v); if (a) backup = a; haSeen = true; break; }
      case 'backup_active': ha.enabled = num(e, 0, 1) === 1; haSeen = true; break;
      case 'heartbeat_port': ha.port = portOf(e) ?? ha.port; break;
      case 'keepalive': ha.keepalive = num(e, 1) ?? ha.keepalive; break;
      case 'deadtime': ha.deadtime = num(e, 1) ?? ha.deadtime; break;
      case 'heartbeat':
        if (v !== '1') skip(e, 'heartbeat = 0 (no heartbeat) has no ipvx equivalent: HA always heartbeats when enabled');
        break;
      case 'network':
        if (!METHODS[v]) errors.push(lineError(e.line, `network: '${v}' is not direct, tunnel or nat`));
        else method = METHODS[v]!;
        break;
      case 'service':
        if (v !== 'lvs' && v !== 'fos') errors.push(lineError(e.line, `service = ${v}: lvsconfig.c knows lvs and fos only`));
        serviceType = v;
        break;
      case 'tcp_timeout': case 'tcpfin_timeout': case 'udp_timeout': {
        const n = num(e, 0, 86400 * 31);
        // setTimeouts passes 0 to ipvsadm --set: "leave unchanged".
        if (n) timeouts[e.key === 'tcp_timeout' ? 'tcp' : e.key === 'udp_timeout' ? 'udp' : 'tcpFin'] = n;
        break;
      }
      case 'nat_router': {
        const [ip, dev] = v.split(/\s+/);
        const a = addr(e, ip ?? '');
        const p = prefixOf(g.get('nat_nmask'), 4);
        if (a && p !== undefined) ha.vips.push({ address: a, prefixLength: p, interface: dev ? device(dev) : '' });
        break;
      }
      case 'nat_nmask':
        if (!g.has('nat_router')) skip(e, 'nat_nmask without nat_router: no NAT router address to apply it to');
        break;
      case 'serial_no': skip(e, 'configuration serial number: ipvx keeps no serial'); break;
      case 'monitor_links': skip(e, 'ipvx always treats a VIP interface that is down as a fault'); break;
      default: skip(e, `no ipvx equivalent for '${e.key}'`);
    }
  }
  if (serviceType === 'fos') notes.push('service = fos: piranha failover services start and stop daemons on the active director; ipvx moves their addresses only');

  // The role, as pulse's amMaster decides it (primary address local -> primary).
  const local = new Set((opts.localAddresses ?? []).map((a) => { const r = parseIp(a); return r.ok ? r.value.text : a; }));
  let role: 'primary' | 'backup' = 'primary';
  if (opts.role) { role = opts.role; if (haSeen) notes.push(`HA role: ${role} (--role)`); }
  else if (haSeen && primary && local.has(primary)) { role = 'primary'; notes.push(`HA role: primary (${primary} is an address of this machine, as pulse decides)`); }
  else if (haSeen && backup && local.has(backup)) { role = 'backup'; notes.push(`HA role: backup (${backup} is an address of this machine)`); }
  else if (haSeen) notes.push(`HA role: primary (neither primary ${primary || '-'} nor backup ${backup || '-'} is an address of this machine; --role backup for the other director)`);
  ha.priority = role === 'backup' ? 100 : 200;
  ha.localAddress = role === 'backup' ? backup : primary;
  ha.peerAddress = role === 'backup' ? primary : backup;

  const services: ServiceSpec[] = [];
  const fwmarks: FwmarkSource[] = [];
  for (const vb of virtuals) {
    const ve = new Map(vb.entries.map((e) => [e.key, e]));
    const active = ve.get('active');
    if (vb.kind === 'failover') {
      if (serviceType !== 'fos') { skip(vb, `failover ${vb.name}: a piranha failover service, not run while service = ${serviceType} (pulse starts lvs or fos)`); continue; }
      if (active && unquote(active.value) === '0') { skip(vb, `failover ${vb.name} is not active (active = 0): not imported`); continue; }
      const a = ve.get('address');
      const [ip, label] = a ? unquote(a.value).split(/\s+/) : [];
      const vip = a ? addr(a, ip ?? '') : undefined;
      const p = prefixOf(ve.get('vip_nmask'), 4);
      if (vip && p !== undefined && !ha.vips.some((x) => x.address === vip)) ha.vips.push({ address: vip, prefixLength: p, interface: label ? device(label) : '' });
      for (const e of vb.entries) if (!['address', 'vip_nmask', 'active'].includes(e.key)) skip(e, `failover ${vb.name}: '${e.key}' has no ipvx equivalent (ipvx moves the address, it does not start, stop or watch local daemons)`);
      continue;
    }
    if (active && unquote(active.value) === '0') { skip(vb, `virtual ${vb.name} is not active (active = 0): not imported`); continue; }
    const addrEntry = ve.get('address');
    if (!addrEntry) { errors.push(lineError(vb.line, `virtual ${vb.name}: no address`)); continue; }
    const [vipText, label] = unquote(addrEntry.value).split(/\s+/);
    const vip = addr(addrEntry, vipText ?? '');
    const portEntry = ve.get('port');
    const port = portEntry ? portOf(portEntry) : 80;
    const protocolText = unquote(ve.get('protocol')?.value ?? 'tcp');
    if (protocolText !== 'tcp' && protocolText !== 'udp') errors.push(lineError(ve.get('protocol')!.line, `protocol: '${protocolText}' is not tcp or udp`));
    const schedEntry = ve.get('scheduler');
    const sched = unquote(schedEntry?.value ?? 'wlc');
    if (!(SCHEDULERS as readonly string[]).includes(sched)) {
      errors.push(lineError(schedEntry!.line, `scheduler: unknown scheduler '${sched}' (ipvx has ${SCHEDULERS.join(', ')})`));
    }
    const persistence = ve.get('persistent') ? num(ve.get('persistent')!, 0) ?? 0 : 0;
    let persistenceMask = '';
    const pmask = ve.get('pmask');
    if (pmask) {
      const m = unquote(pmask.value);
      if (!parseIp(m).ok) errors.push(lineError(pmask.line, `pmask: '${m}' is not a netmask`));
      else if (!persistence) skip(pmask, 'pmask without persistent: not used (piranha passes -M only with -p)');
      else if (m !== '255.255.255.255' && m !== '0.0.0.0') persistenceMask = m;
    }
    const timeout = ve.get('timeout') ? num(ve.get('timeout')!, 1) ?? 10 : 10;
    const reentry = ve.get('reentry') ? num(ve.get('reentry')!, 0) ?? 180 : 180;
    const quiesce = ve.get('quiesce_server') ? num(ve.get('quiesce_server')!, 0, 1) === 1 : false;
    let send = ve.get('send') ? unquote(ve.get('send')!.value) : '';
    let expect = ve.get('expect') ? unquote(ve.get('expect')!.value) : '';
    const useRegex = ve.get('use_regex') ? num(ve.get('use_regex')!, 0, 1) === 1 : false;
    const sendProgram = ve.get('send_program') ? unquote(ve.get('send_program')!.value) : undefined;
    if (port === 80 && !send && !expect && !sendProgram) { send = 'GET / HTTP/1.0\r\n\r\n'; expect = 'HTTP'; }
    const udp = protocolText === 'udp';
    const health: HealthSpec = {
      check: udp && !sendProgram
        ? { type: 'udp', payload: send, ...(expect ? { reply: expect } : { replyOptional: true }) }
        : send || expect || sendProgram
          ? { type: 'send-expect', send, expect, useRegex, ...(sendProgram ? { sendProgram } : {}) }
          : { type: 'tcp' },
      interval: timeout,
      timeout,
      rise: Math.max(1, Math.floor(reentry / timeout)),
      fall: 1,
      onFailure: quiesce ? 'quiesce' : 'remove',
    };
    for (const e of vb.entries) {
      switch (e.key) {
        case 'address': case 'port': case 'protocol': case 'scheduler': case 'persistent': case 'pmask': case 'timeout':
        case 'reentry': case 'quiesce_server': case 'send': case 'expect': case 'use_regex': case 'send_program': case 'active':
        case 'vip_nmask': case 'fwmark':
          break;
        case 'load_monitor':
          if (unquote(e.value) !== 'none') skip(e, `load_monitor ${unquote(e.value)}: ipvx takes dynamic weights from an agent or a command (service 'load'), not from rup/ruptime/uptime`);
          break;
        case 'sorry_server': case 'fallback':
          break; // below
        default:
          skip(e, `no ipvx equivalent for '${e.key}' in a virtual server`);
      }
    }
    if (vip && !ha.vips.some((x) => x.address === vip)) {
      const p = prefixOf(ve.get('vip_nmask'), vip.includes(':') ? 6 : 4);
      if (p !== undefined) ha.vips.push({ address: vip, prefixLength: p, interface: label ? device(label) : '' });
    }
    const reals: RealSpec[] = [];
    const realLines: number[] = [];
    // A server's default port is the virtual's as it stood when its block began.
    const portBefore = (line: number) => {
      const p = vb.entries.filter((e) => e.key === 'port' && e.line < line).pop();
      return p ? portOf(p) ?? 80 : 80;
    };
    for (const sb of vb.servers) {
      const se = new Map(sb.entries.map((e) => [e.key, e]));
      if (se.get('active') && unquote(se.get('active')!.value) === '0') { skip(sb, `server ${sb.name} is not active (active = 0): not imported`); continue; }
      const a = se.get('address');
      if (!a) { errors.push(lineError(sb.line, `server ${sb.name}: no address`)); droppedReals++; continue; }
      const ra = addr(a, unquote(a.value).split(/\s+/)[0] ?? '');
      const weight = se.get('weight') ? num(se.get('weight')!, 0, 65535) ?? 1 : 1;
      const rport = se.get('port') ? num(se.get('port')!, 0, 65535) ?? 0 : portBefore(sb.line);
      for (const e of sb.entries) if (!['address', 'active', 'weight', 'port'].includes(e.key)) skip(e, `no ipvx equivalent for '${e.key}' in a server`);
      if (ra) { reals.push({ address: ra, port: rport, method, weight, upperThreshold: 0, lowerThreshold: 0 }); realLines.push(sb.line); }
    }
    let sorryServer: ServiceSpec['sorryServer'];
    const sorry = ve.get('sorry_server') ?? ve.get('fallback');
    if (sorry) {
      const v = unquote(sorry.value);
      const m = /^\[?([^\]\s]+?)\]?(?:[:\s]+([0-9]+))?$/.exec(v);
      const a = m ? addr(sorry, m[1]!) : undefined;
      if (!m) errors.push(lineError(sorry.line, `${sorry.key}: '${v}' is not 'address [port]'`));
      if (a) sorryServer = { address: a, port: m?.[2] ? Number(m[2]) : (port ?? 0), method };
    }
    // fwmark = N (lvs.cf(5)): piranha runs `ipvsadm -A -f N` for this virtual server; its address
    // stays the VIP the director holds, its port the one nanny checks. Virtual servers with the
    // same mark (http and https of one site) are one fwmark service, as in IPVS.
    const fwEntry = ve.get('fwmark');
    const fwmark = fwEntry ? num(fwEntry, 1, 0xffffffff) : undefined;
    if (vip && port !== undefined && fwmark !== undefined) {
      const protocol = protocolText === 'udp' ? 'udp' : 'tcp';
      const checked: HealthSpec = { ...health, check: { ...health.check, ...(port ? { port } : {}) } as HealthSpec['check'] };
      // DR and TUN forward the packet's own port: one real per address, port 0 (the check uses the virtual server's port).
      const fwReals = method === 'nat' ? reals : reals.map((r) => ({ ...r, port: 0 }));
      const fwVip = fwmarkVip(vip.includes(':') ? 6 : 4);
      let svc = services.find((x) => x.fwmark === fwmark && x.vip === fwVip);
      if (svc) {
        for (const r of fwReals) if (!svc.reals.some((x) => x.address === r.address && x.port === r.port)) svc.reals.push(r);
        skip(fwEntry!, `virtual ${vb.name}: fwmark ${fwmark} is also an earlier virtual server's: its servers join that fwmark service, whose scheduler, persistence and check are kept`);
      } else {
        origins.push({ service: services.length, line: vb.line });
        realLines.forEach((line, i) => origins.push({ service: services.length, real: i, line }));
        svc = {
          fwmark, vip: fwVip, port: 0, protocol, scheduler: sched as SchedulerName, flags: [],
          persistence, persistenceMask, method, reals: fwReals, health: checked, ...(sorryServer ? { sorryServer } : {}),
        };
        services.push(svc);
      }
      const example: MarkRule = { mark: fwmark, destination: vip, protocol, ports: String(port) };
      const source = fwmarks.find((f) => f.service === svc);
      if (source) source.examples!.push(example);
      else fwmarks.push({ service: svc, line: fwEntry!.line, text: fwEntry!.text, examples: [example] });
    } else if (vip && port !== undefined) {
      const index = services.length;
      origins.push({ service: index, line: vb.line });
      realLines.forEach((line, i) => origins.push({ service: index, real: i, line }));
      services.push({
        vip, port, protocol: udp ? 'udp' : 'tcp', scheduler: sched as SchedulerName, flags: [],
        persistence, persistenceMask, method, reals, health, ...(sorryServer ? { sorryServer } : {}),
      });
    } else droppedServices++;
  }

  if (errors.length) return { ok: false, errors: errors.sort((a, b) => lineOf(a) - lineOf(b)) };
  const marks = fwmarkRules(fwmarks, opts, unmapped);
  const state: DesiredState = { ...emptyState(), services, timeouts, ...(marks ? { marks } : {}) };
  if (haSeen) state.ha = ha;
  return imported('lvs.cf', state, unmapped, { origins, notes, droppedServices, droppedReals });
}

const lineOf = (e: FieldError) => Number(/line (\d+)/.exec(e.field)?.[1] ?? 0);
