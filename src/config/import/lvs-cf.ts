// Import piranha's lvs.cf (lvs.cf(5)): "key = value" lines, "virtual NAME {" and
// "server NAME {" blocks.
//
// Mappings that are not one to one (also in docs via this comment):
// - Health (nanny): interval = the global `keepalive` (nanny's check period, default 6 s);
//   `timeout` (seconds a real must fail before removal) -> fall = ceil(timeout / interval);
//   `reentry` (seconds a real must be back before re-adding) -> rise = ceil(reentry / interval);
//   the per-check timeout is min(timeout, interval). send/expect -> a send-expect check on
//   the service port (C escapes such as \r\n decoded); neither -> a TCP connect check.
// - quiesce_server = 1 -> onFailure 'quiesce' (weight 0), else 'remove'.
// - network direct|tunnel|nat -> method dr|tun|nat for the service and its reals.
// - HA: the file is read as on the primary: localAddress = primary, peerAddress = backup
//   (pass { role: 'backup' } to swap), priority 200/100, preempt true (pulse always takes
//   back); backup_active -> enabled; heartbeat_port, keepalive, deadtime as they are.
//   Each virtual address ("10.0.0.50 eth0:1": an alias label, its device is eth0) with
//   vip_nmask becomes an HA VIP; so does nat_router (with nat_nmask).
import { parseIp, maskToPrefix } from '../../core/addr.js';
import { SCHEDULERS, emptyState, fwmarkVip, type MarkRule, type DesiredState, type HaSpec, type HealthSpec, type Method, type RealSpec, type SchedulerName, type ServiceSpec } from '../../core/model.js';
import type { FieldError } from '../../core/result.js';
import { lineError, type ImportOutcome, type ImportOptions, type UnmappedLine } from './types.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

interface Entry { key: string; value: string; line: number; text: string }
interface Block { kind: 'virtual' | 'server'; name: string; line: number; text: string; entries: Entry[]; servers: Block[] }

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
    if (line === '}') {
      if (!stack.pop()) errors.push(lineError(n, "'}' without an open block"));
      return;
    }
    const open = /^(virtual|server)\s+(\S+)\s*\{$/.exec(line);
    if (open) {
      const b: Block = { kind: open[1] as Block['kind'], name: open[2]!, line: n, text: raw.trim(), entries: [], servers: [] };
      const top = stack[stack.length - 1];
      if (b.kind === 'virtual') {
        if (top) { errors.push(lineError(n, "'virtual' blocks cannot be nested")); return; }
        virtuals.push(b);
      } else {
        if (!top || top.kind !== 'virtual') { errors.push(lineError(n, "'server' blocks belong inside a 'virtual' block")); return; }
        top.servers.push(b);
      }
      stack.push(b);
      return;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) { errors.push(lineError(n, `cannot read '${line}': expected 'key = value', 'virtual NAME {', 'server NAME {' or '}'`)); return; }
    const e = { key: kv[1]!, value: kv[2]!.trim(), line: n, text: raw.trim() };
    (stack[stack.length - 1]?.entries ?? globals).push(e);
  });
  for (const b of stack) errors.push(lineError(b.line, `'${b.kind} ${b.name}' is not closed with '}'`));
  return { globals, virtuals, errors };
}

const METHODS: Record<string, Method> = { direct: 'dr', tunnel: 'tun', nat: 'nat' };

export interface LvsCfOptions extends ImportOptions {
  /** Which director this file is imported on (default primary). */
  role?: 'primary' | 'backup';
}

export function importLvsCf(text: string, opts: LvsCfOptions = {}): ImportOutcome {
  const { globals, virtuals, errors } = readBlocks(text);
  const unmapped: UnmappedLine[] = [];
  const skip = (e: { line: number; text: string }, reason: string) => unmapped.push({ line: e.line, text: e.text, reason });

  const num = (e: Entry, min = 0, max = 2 ** 31 - 1): number | undefined => {
    const v = unquote(e.value);
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
      errors.push(lineError(e.line, `${e.key}: '${e.value}' is not a whole number in ${min}..${max}`));
      return undefined;
    }
    return Number(v);
  };
  const addr = (e: Entry, text: string): string | undefined => {
    const r = parseIp(text);
    if (!r.ok) { errors.push(lineError(e.line, `${e.key}: '${text}' is not an IP address (names are not resolved)`)); return undefined; }
    return r.value.text;
  };
  const prefixOf = (e: Entry | undefined, family: 4 | 6): number | undefined => {
    if (!e) return family === 4 ? 32 : 128;
    const r = parseIp(unquote(e.value));
    const p = r.ok && r.value.family === 4 ? maskToPrefix(r.value.bytes) : undefined;
    if (p === undefined) errors.push(lineError(e.line, `${e.key}: '${e.value}' is not a contiguous IPv4 netmask`));
    return p;
  };
  const device = (label: string) => label.split(':')[0]!;

  // Globals.
  const g = new Map(globals.map((e) => [e.key, e]));
  let method: Method = 'dr';
  let keepalive = 6;
  const ha: HaSpec = {
    enabled: false, localAddress: '', peerAddress: '', port: 539, keepalive: 6, deadtime: 18,
    priority: opts.role === 'backup' ? 100 : 200, preempt: true, preemptDelay: 0, key: '', vips: [],
  };
  let primary = '', backup = '';
  let haSeen = false;
  for (const e of globals) {
    const v = unquote(e.value);
    switch (e.key) {
      case 'primary': { const a = addr(e, v); if (a) primary = a; haSeen = true; break; }
      case 'backup': { const a = addr(e, v); if (a) backup = a; haSeen = true; break; }
      case 'backup_active': ha.enabled = num(e, 0, 1) === 1; haSeen = true; break;
      case 'heartbeat_port': ha.port = num(e, 1, 65535) ?? ha.port; break;
      case 'keepalive': keepalive = num(e, 1) ?? keepalive; ha.keepalive = keepalive; break;
      case 'deadtime': ha.deadtime = num(e, 1) ?? ha.deadtime; break;
      case 'heartbeat':
        if (v !== '1') skip(e, 'heartbeat = 0 (no heartbeat) has no ipvx equivalent: HA always heartbeats when enabled');
        break;
      case 'network':
        if (!METHODS[v]) errors.push(lineError(e.line, `network: '${v}' is not direct, tunnel or nat`));
        else method = METHODS[v]!;
        break;
      case 'service':
        if (v !== 'lvs') errors.push(lineError(e.line, `service = ${v}: only 'lvs' is supported (piranha's fos failover services are not)`));
        break;
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
  ha.localAddress = opts.role === 'backup' ? backup : primary;
  ha.peerAddress = opts.role === 'backup' ? primary : backup;

  const services: ServiceSpec[] = [];
  const fwmarks: FwmarkSource[] = [];
  for (const vb of virtuals) {
    const ve = new Map(vb.entries.map((e) => [e.key, e]));
    const active = ve.get('active');
    if (active && unquote(active.value) === '0') { skip(vb, `virtual ${vb.name} is not active (active = 0): not imported`); continue; }
    const addrEntry = ve.get('address');
    if (!addrEntry) { errors.push(lineError(vb.line, `virtual ${vb.name}: no address`)); continue; }
    const [vipText, label] = unquote(addrEntry.value).split(/\s+/);
    const vip = addr(addrEntry, vipText ?? '');
    const portEntry = ve.get('port');
    const port = portEntry ? num(portEntry, 0, 65535) : 0;
    const protocolText = unquote(ve.get('protocol')?.value ?? 'tcp');
    if (protocolText !== 'tcp' && protocolText !== 'udp') errors.push(lineError(ve.get('protocol')!.line, `protocol: '${protocolText}' is not tcp or udp`));
    const schedEntry = ve.get('scheduler');
    const sched = unquote(schedEntry?.value ?? 'wlc');
    if (!(SCHEDULERS as readonly string[]).includes(sched)) {
      errors.push(lineError(schedEntry!.line, `scheduler: unknown scheduler '${sched}' (ipvx has ${SCHEDULERS.join(', ')})`));
    }
    const persistence = ve.get('persistent') ? num(ve.get('persistent')!, 0) ?? 0 : 0;
    let persistenceMask = '';
    if (ve.get('pmask')) {
      const m = unquote(ve.get('pmask')!.value);
      if (!parseIp(m).ok) errors.push(lineError(ve.get('pmask')!.line, `pmask: '${m}' is not a netmask`));
      else if (m !== '255.255.255.255') persistenceMask = m;
    }
    const timeout = ve.get('timeout') ? num(ve.get('timeout')!, 1) ?? 6 : 6;
    const reentry = ve.get('reentry') ? num(ve.get('reentry')!, 0) ?? 15 : 15;
    const quiesce = ve.get('quiesce_server') ? num(ve.get('quiesce_server')!, 0, 1) === 1 : false;
    const send = ve.get('send') ? unquote(ve.get('send')!.value) : '';
    const expect = ve.get('expect') ? unquote(ve.get('expect')!.value) : '';
    const useRegex = ve.get('use_regex') ? num(ve.get('use_regex')!, 0, 1) === 1 : false;
    const sendProgram = ve.get('send_program') ? unquote(ve.get('send_program')!.value) : undefined;
    const interval = keepalive;
    const health: HealthSpec = {
      check: send || expect || sendProgram
        ? { type: 'send-expect', send, expect, useRegex, ...(sendProgram ? { sendProgram } : {}) }
        : { type: 'tcp' },
      interval,
      timeout: Math.min(timeout, interval),
      rise: Math.max(1, Math.ceil(reentry / interval)),
      fall: Math.max(1, Math.ceil(timeout / interval)),
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
    for (const sb of vb.servers) {
      const se = new Map(sb.entries.map((e) => [e.key, e]));
      if (se.get('active') && unquote(se.get('active')!.value) === '0') { skip(sb, `server ${sb.name} is not active (active = 0): not imported`); continue; }
      const a = se.get('address');
      if (!a) { errors.push(lineError(sb.line, `server ${sb.name}: no address`)); continue; }
      const ra = addr(a, unquote(a.value).split(/\s+/)[0] ?? '');
      const weight = se.get('weight') ? num(se.get('weight')!, 0, 65535) ?? 1 : 1;
      const rport = se.get('port') ? num(se.get('port')!, 0, 65535) ?? 0 : 0;
      for (const e of sb.entries) if (!['address', 'active', 'weight', 'port'].includes(e.key)) skip(e, `no ipvx equivalent for '${e.key}' in a server`);
      if (ra) reals.push({ address: ra, port: rport || (port ?? 0), method, weight, upperThreshold: 0, lowerThreshold: 0 });
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
      const same = services.find((x) => x.fwmark === fwmark && x.vip === fwmarkVip(vip.includes(':') ? 6 : 4));
      if (same) {
        for (const r of fwReals) if (!same.reals.some((x) => x.address === r.address && x.port === r.port)) same.reals.push(r);
        skip(fwEntry!, `virtual ${vb.name}: fwmark ${fwmark} is also an earlier virtual server's: its servers join that fwmark service, whose scheduler, persistence and check are kept`);
      } else {
        const service: ServiceSpec = {
          fwmark, vip: fwmarkVip(vip.includes(':') ? 6 : 4), port: 0, protocol, scheduler: sched as SchedulerName, flags: [],
          persistence, persistenceMask, method, reals: fwReals, health: checked, ...(sorryServer ? { sorryServer } : {}),
        };
        services.push(service);
      }
      const svc = services.find((x) => x.fwmark === fwmark)!;
      const example: MarkRule = { mark: fwmark, destination: vip, protocol, ports: String(port) };
      const source = fwmarks.find((f) => f.service === svc);
      if (source) source.examples!.push(example);
      else fwmarks.push({ service: svc, line: fwEntry!.line, text: fwEntry!.text, examples: [example] });
    } else if (vip && port !== undefined) {
      services.push({
        vip, port, protocol: protocolText === 'udp' ? 'udp' : 'tcp', scheduler: sched as SchedulerName, flags: [],
        persistence, persistenceMask, method, reals, health, ...(sorryServer ? { sorryServer } : {}),
      });
    }
  }

  if (errors.length) return { ok: false, errors: errors.sort((a, b) => lineOf(a) - lineOf(b)) };
  const marks = fwmarkRules(fwmarks, opts, unmapped);
  const state: DesiredState = { ...emptyState(), services, ...(marks ? { marks } : {}) };
  if (haSeen) state.ha = ha;
  return { ok: true, value: { state, unmapped: unmapped.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line) } };
}

const lineOf = (e: FieldError) => Number(/^line (\d+)/.exec(e.field)?.[1] ?? 0);
