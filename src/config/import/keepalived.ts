// Import keepalived.conf: virtual_server / real_server blocks and their checkers, and
// vrrp_instance onto HaSpec.
//
// Mappings that are not one to one:
// - retry N (nb_get_retry N) -> fall = N + 1: keepalived fails a real after the first
//   failed check plus N failed retries (check_tcp.c: "failed after %d retry").
//   Defaults as keepalived 2.2.7: delay_loop 60, connect_timeout 5, retry 1 (MISC_CHECK 0:
//   check_misc.c), delay_before_retry 1 (check_api.c queue_checker; HTTP_GET/SSL_GET 3:
//   check_http.c), misc_timeout = delay_loop. rise = 1 (one success brings it up).
// - UDP_CHECK -> udp (payload and require_reply as hex, check_udp.c); without require_reply
//   only an ICMP error fails it (replyOptional). A real whose checkers all have no ipvx
//   equivalent (SMTP_CHECK, PING_CHECK, DNS_CHECK, FILE_CHECK, BFD_CHECK) gets a TCP connect
//   check on its port instead of none, and the import says so.
// - persistence_timeout without a value = 360 (check_parser.c pto_handler:
//   IPVS_SVC_PERSISTENT_TIMEOUT); 0 is refused there ("persistence_timeout invalid") and
//   the service stays not persistent, as here.
// - virtual_server_group NAME { ADDR[-END] PORT ... }: a virtual_server group NAME becomes one
//   service per address (check_data.c alloc_vsg_entry: END ranges the last IPv4 byte).
// - delay_loop -> interval; connect_timeout / misc_timeout -> timeout;
//   inhibit_on_failure -> onFailure 'quiesce' (else 'remove'); alpha -> alpha.
// - One checker per real: further checkers (and further url blocks) are reported unmapped.
// - vrrp_instance: ipvx has one HA role per director. The first instance maps; others in
//   the same vrrp_sync_group, or with the same state and priority, join it (their VIPs move
//   together); an instance with another role (active/active) is reported, not merged.
//   For the one mapped: priority, advert_int -> keepalive, deadtime = VRRP's
//   master down interval 3 * advert_int + (256 - priority) / 256 * advert_int (rounded up),
//   nopreempt -> preempt false, preempt_delay, auth_pass -> key (used as the HMAC key;
//   VRRP PASS sent it in clear), unicast_src_ip / unicast_peer -> local/peer address,
//   virtual_ipaddress "A/P dev D" -> vips (interface defaults to the instance's).
import { parseIp, ipFromBytes } from '../../core/addr.js';
import { SCHEDULERS, emptyState, fwmarkVip, type TunChecksum, type TunType, type HttpUrlSpec, type HaSpec, type HealthCheckSpec, type HealthSpec, type Method, type RealSpec, type SchedFlag, type SchedulerName, type ServiceSpec } from '../../core/model.js';
import type { FieldError } from '../../core/result.js';
import { imported, lineError, type ImportOptions, type ImportOutcome, type UnmappedLine } from './types.js';
import { readKeepalived, type Stmt } from './keepalived-lexer.js';
import { DEFAULT_PERSISTENCE_TIMEOUT } from '../../core/model.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

export { readKeepalived, type Stmt } from './keepalived-lexer.js';

const METHODS: Record<string, Method> = { NAT: 'nat', DR: 'dr', TUN: 'tun' };
const CHECKERS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK'];

export function importKeepalived(text: string, opts: ImportOptions = {}): ImportOutcome {
  const read = readKeepalived(text, opts);
  if (!read.ok) return read;
  const errors: FieldError[] = [];
  const unmapped: UnmappedLine[] = [...read.unmapped];
  const skip = (s: Stmt, reason: string) => unmapped.push({ line: s.line, text: s.text, reason, ...(s.file ? { file: s.file } : {}) });
  const notes: string[] = [];
  const origins: { service: number; real?: number; line: number; file?: string }[] = [];
  let droppedServices = 0, droppedReals = 0;
  const num = (s: Stmt, min = 0, max = 2 ** 31 - 1, i = 1): number | undefined => {
    const v = s.words[i];
    if (v === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(v) || Number(v) < min || Number(v) > max) {
      errors.push(lineError(s.line, `${s.words[0]}: '${v ?? ''}' is not a number in ${min}..${max}`, s.file));
      return undefined;
    }
    return Number(v);
  };
  const addr = (s: Stmt, v: string | undefined): string | undefined => {
    const r = parseIp(v ?? '');
    if (!r.ok) { errors.push(lineError(s.line, `${s.words[0]}: '${v ?? ''}' is not an IP address`, s.file)); return undefined; }
    return r.value.text;
  };

  const services: ServiceSpec[] = [];
  const fwmarks: FwmarkSource[] = [];
  let ha: HaSpec | undefined;

  // virtual_server_group NAME { ADDR[-END] [PORT] | fwmark N }: expanded where used.
  const groups = new Map<string, Stmt>();
  for (const top of read.value) if (top.words[0] === 'virtual_server_group' && top.words[1]) groups.set(top.words[1], top);
  // vrrp_sync_group NAME { group { I1 I2 } }: instances that fail over together.
  const syncOf = new Map<string, string>();
  for (const top of read.value) {
    if (top.words[0] !== 'vrrp_sync_group') continue;
    for (const g of (top.block ?? []).filter((x) => x.words[0] === 'group')) for (const m of g.block ?? []) syncOf.set(m.words[0]!, top.words[1] ?? '');
  }
  let firstInstance: { name: string; state: string; priority: string } | undefined;

  for (const top of read.value) {
    const kw = top.words[0]!;
    if (kw === 'global_defs') { for (const s of top.block ?? []) skip(s, `global setting '${s.words[0]}' has no ipvx equivalent`); continue; }
    if (kw === 'vrrp_instance') { ha = vrrpInstance(top, ha); continue; }
    if (kw === 'virtual_server') { virtualServer(top); continue; }
    if (kw === 'virtual_server_group') {
      if (!read.value.some((v) => v.words[0] === 'virtual_server' && v.words[1] === 'group' && v.words[2] === top.words[1])) skip(top, `virtual_server_group ${top.words[1] ?? ''} is used by no virtual_server`);
      continue;
    }
    if (kw === 'vrrp_sync_group') {
      for (const x of top.block ?? []) if (x.words[0] !== 'group') skip(x, `no ipvx equivalent for '${x.words[0]}' in vrrp_sync_group (its instances fail over together, as ipvx's one HA group does)`);
      continue;
    }
    skip(top, `'${kw}' has no ipvx equivalent`);
  }

  function vrrpInstance(vi: Stmt, prev: HaSpec | undefined): HaSpec | undefined {
    const field = (k: string) => (vi.block ?? []).find((x) => x.words[0] === k)?.words[1] ?? '';
    const me = { name: vi.words[1] ?? '', state: field('state').toUpperCase() || 'BACKUP', priority: field('priority') || '100' };
    if (prev && firstInstance) {
      const sameSync = syncOf.get(me.name) !== undefined && syncOf.get(me.name) === syncOf.get(firstInstance.name);
      const sameRole = me.state === firstInstance.state && me.priority === firstInstance.priority;
      if (!sameSync && !sameRole) {
        skip(vi, `vrrp_instance ${me.name} (${me.state}, priority ${me.priority}) has another role than ${firstInstance.name} (${firstInstance.state}, priority ${firstInstance.priority}): ` +
          'ipvx has one HA role per director, so an active/active pair of instances cannot be expressed; its addresses are not imported (serve them from a second ipvx pair, or give both instances one role)');
        return prev;
      }
      notes.push(`vrrp_instance ${me.name} joins ${firstInstance.name} (${sameSync ? `same vrrp_sync_group ${syncOf.get(me.name)}` : 'same state and priority'}): their addresses fail over together`);
    } else {
      firstInstance = me;
    }
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
            if (a.words[0] === 'auth_pass') {
              h.key = a.words[1] ?? '';
              notes.push(`HA key: auth_pass of vrrp_instance ${me.name} (${a.file ? `${a.file}: ` : ''}line ${a.line}); VRRP's auth_type PASS sent it in clear on the network, ipvx uses it as an HMAC key and never sends it`);
            }
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
            if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > (family === 4 ? 32 : 128)) { errors.push(lineError(v.line, `'${cidr}': bad prefix length`, v.file)); continue; }
            const dev = rest[0] === 'dev' ? rest[1] : undefined;
            const extra = rest.filter((_, i) => !(rest[0] === 'dev' && i < 2));
            if (extra.length) skip(v, `address options '${extra.join(' ')}' have no ipvx equivalent (address, prefix and device are used)`);
            if (h.vips.some((x) => x.address === ip)) { skip(v, `${ip} is listed twice: imported once`); continue; }
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
    if (ipText === 'group') {
      const g = groups.get(portText ?? '');
      if (!g) { errors.push(lineError(vs.line, `virtual_server group ${portText ?? ''}: no virtual_server_group of that name`, vs.file)); return; }
      for (const e of g.block ?? []) {
        // keepalived's vsg_handler: `fwmark N` entries are firewall-mark services of the group.
        if (e.words[0] === 'fwmark') { virtualServer({ ...vs, words: ['virtual_server', 'fwmark', e.words[1] ?? ''], line: e.line, text: e.text, ...(e.file ? { file: e.file } : {}) }); continue; }
        const m = /^(.*?)(?:-([0-9a-fA-F]+))?$/.exec(e.words[0] ?? '');
        const first = parseIp(m?.[1] ?? '');
        if (!m || !first.ok) { errors.push(lineError(e.line, `virtual_server_group ${portText}: '${e.words[0] ?? ''}' is not an address or range`, e.file)); continue; }
        const count = m[2] === undefined ? 1 : (first.value.family === 4 ? Number(m[2]) - first.value.bytes[3]! + 1 : parseInt(m[2], 16) - ((first.value.bytes[14]! << 8) | first.value.bytes[15]!) + 1);
        if (!(count >= 1 && count <= 256)) { errors.push(lineError(e.line, `virtual_server_group ${portText}: range '${e.words[0]}' is empty or above 256 addresses`, e.file)); continue; }
        for (let i = 0; i < count; i++) {
          const b = Uint8Array.from(first.value.bytes);
          if (first.value.family === 4) b[3] = b[3]! + i;
          else { const v = ((b[14]! << 8) | b[15]!) + i; b[14] = v >> 8; b[15] = v & 0xff; }
          const a = ipFromBytes(b).text;
          virtualServer({ ...vs, words: ['virtual_server', a, e.words[1] ?? '0'], line: vs.line, text: vs.text });
        }
      }
      return;
    }
    // virtual_server fwmark N: a firewall-mark service (ipvsadm -f N); its family from
    // ip_family, else from its first real (keepalived: check/check_parser.c vs_handler).
    const fwmark = ipText === 'fwmark' ? Number(portText) : undefined;
    if (fwmark !== undefined && !(Number.isInteger(fwmark) && fwmark >= 1 && fwmark <= 0xffffffff)) {
      errors.push(lineError(vs.line, `virtual_server fwmark: '${portText ?? ''}' is not a mark (1..4294967295)`, vs.file));
      return;
    }
    const vip = fwmark !== undefined ? undefined : addr(vs, ipText);
    const port = fwmark !== undefined ? 0 : portText !== undefined && /^[0-9]+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : undefined;
    if (port === undefined) errors.push(lineError(vs.line, `virtual_server: '${portText ?? ''}' is not a port (0..65535)`, vs.file));
    let family: 4 | 6 | undefined;
    let scheduler: SchedulerName = 'wlc';
    let method: Method = 'nat'; // keepalived's default lb_kind
    let tunnel: Pick<RealSpec, 'tunType' | 'tunPort' | 'tunChecksum'> | undefined;
    let sctp = false;
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
          if (!(SCHEDULERS as readonly string[]).includes(v)) errors.push(lineError(s.line, `${k}: unknown scheduler '${v}' (ipvx has ${SCHEDULERS.join(', ')})`, s.file));
          else scheduler = v as SchedulerName;
          break;
        }
        case 'lb_kind': case 'lvs_method': {
          const v = (s.words[1] ?? '').toUpperCase();
          if (!METHODS[v]) errors.push(lineError(s.line, `${k}: '${s.words[1] ?? ''}' is not NAT, DR or TUN`, s.file));
          else method = METHODS[v]!;
          if (s.words.length > 2) tunnel = tunnelOptions(s);
          break;
        }
        case 'persistence_timeout':
          if (s.words.length < 2) persistence = DEFAULT_PERSISTENCE_TIMEOUT;
          else if (s.words[1] === '0') skip(s, 'persistence_timeout 0: keepalived refuses it ("persistence_timeout invalid") and the service is not persistent');
          else persistence = num(s, 1, 86400 * 31) ?? 0;
          break;
        case 'persistence_granularity': {
          const m = s.words[1] ?? '';
          if (/^[0-9]+$/.test(m)) persistenceMask = m;
          else if (parseIp(m).ok) persistenceMask = m === '255.255.255.255' ? '' : m;
          else errors.push(lineError(s.line, `persistence_granularity: '${m}' is not a netmask or prefix length`, s.file));
          break;
        }
        case 'protocol': {
          const v = (s.words[1] ?? '').toUpperCase();
          // keepalived's proto_handler takes SCTP too; ipvx has no SCTP services: the virtual server is left out.
          if (v === 'SCTP') { sctp = true; skip(s, 'protocol SCTP: ipvx has no SCTP services (virtual server not imported)'); }
          else if (v !== 'TCP' && v !== 'UDP') errors.push(lineError(s.line, `protocol: '${s.words[1] ?? ''}' is not supported (TCP or UDP)`, s.file));
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
          if (METHODS[v]) sorryMethod = METHODS[v]; else errors.push(lineError(s.line, `${k}: '${s.words[1] ?? ''}' is not NAT, DR or TUN`, s.file));
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
          else errors.push(lineError(s.line, `ip_family: '${s.words[1] ?? ''}' is not inet or inet6`, s.file));
          break;
        default: skip(s, `no ipvx equivalent for '${k}' in virtual_server`);
      }
    }
    const reals: RealSpec[] = [];
    const realOrigins: Stmt[] = [];
    for (const rs of realStmts) {
      const real = realServer(rs, { delayLoop, alpha, virtualhost, vport: port ?? 0, method, ...(tunnel ? { tunnel } : {}) });
      if (real) { reals.push(real); realOrigins.push(rs); }
    }
    const fam = family ?? (reals[0]?.address.includes(':') ? 6 : 4);
    const address = fwmark !== undefined ? fwmarkVip(fam) : vip;
    if (sctp) droppedServices++;
    else if (address && port !== undefined) {
      const index = services.length;
      origins.push({ service: index, line: vs.line, ...(vs.file ? { file: vs.file } : {}) });
      realOrigins.forEach((rs, i) => origins.push({ service: index, real: i, line: rs.line, ...(rs.file ? { file: rs.file } : {}) }));
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

  // `lb_kind TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`, as keepalived's
  // svr_forwarding_handler (check/check_parser.c) reads and checks it.
  function tunnelOptions(s: Stmt): Pick<RealSpec, 'tunType' | 'tunPort' | 'tunChecksum'> | undefined {
    let tunType: TunType = 'ipip', tunPort = 0, tunChecksum: TunChecksum = 'nocsum';
    const bad = (m: string) => { errors.push(lineError(s.line, `${s.words[0]}: ${m}`, s.file)); return undefined; };
    if ((s.words[1] ?? '').toUpperCase() !== 'TUN') return bad(`tunnel options '${s.words.slice(2).join(' ')}' go with TUN only`);
    for (let i = 2; i < s.words.length; i++) {
      const w = s.words[i]!;
      if (w === 'type') {
        const t = s.words[++i];
        if (t !== 'ipip' && t !== 'gue' && t !== 'gre') return bad(`unknown tunnel type '${t ?? ''}'`);
        tunType = t;
      } else if (w === 'port') {
        const p = s.words[++i] ?? '';
        if (!/^[0-9]+$/.test(p) || Number(p) < 1 || Number(p) > 65535) return bad(`invalid gue tunnel port '${p}'`);
        tunPort = Number(p);
      } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') tunChecksum = w;
      else return bad(`invalid tunnel option '${w}'`);
    }
    if ((tunType === 'gue') !== (tunPort !== 0)) return bad('gue tunnels require port, otherwise cannot have port');
    if (tunType === 'ipip' && tunChecksum !== 'nocsum') return bad('ipip tunnels do not support checksum option');
    if (tunType === 'gre' && tunChecksum === 'remcsum') return bad('gre tunnels do not support remote checksum option');
    return { tunType, ...(tunPort ? { tunPort } : {}), ...(tunChecksum !== 'nocsum' ? { tunChecksum } : {}) };
  }

  function realServer(rs: Stmt, vs: { delayLoop: number; alpha: boolean; virtualhost?: string; vport: number; method: Method; tunnel?: Pick<RealSpec, 'tunType' | 'tunPort' | 'tunChecksum'> }): RealSpec | undefined {
    const address = addr(rs, rs.words[1]);
    const port = rs.words[2] !== undefined ? num(rs, 0, 65535, 2) : vs.vport;
    let weight = 1;
    let upper = 0, lower = 0;
    let inhibit = false;
    let health: HealthSpec | undefined;
    const unmappedCheckers: Stmt[] = [];
    for (const s of rs.block ?? []) {
      const k = s.words[0]!;
      if (CHECKERS.includes(k)) {
        if (health) { skip(s, 'ipvx runs one check per real: only the first checker is used'); continue; }
        health = checker(s, vs);
        if (!health) unmappedCheckers.push(s);
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
    if (!address || port === undefined) { droppedReals++; return undefined; }
    if (!health && unmappedCheckers.length) {
      // A real must not end up always up because its checker has no equivalent.
      health = { check: { type: 'tcp' }, interval: vs.delayLoop, timeout: 5, rise: 1, fall: 2, onFailure: 'remove', delayBeforeRetry: 1 };
      for (const c of unmappedCheckers) skip(c, `${c.words[0]} has no ipvx equivalent; real ${address}:${port} gets a TCP connect check on its port instead (interval ${vs.delayLoop} s, timeout 5 s, fall 2)`);
    } else {
      for (const c of unmappedCheckers) skip(c, `${c.words[0]} has no ipvx equivalent (the real's other checker is used)`);
    }
    if (health) health.onFailure = inhibit ? 'quiesce' : 'remove';
    return { address, port, method: vs.method, ...(vs.method === 'tun' ? vs.tunnel : {}), weight, upperThreshold: upper, lowerThreshold: lower, ...(health ? { health } : {}) };
  }

  function checker(c: Stmt, vs: { delayLoop: number; alpha: boolean; virtualhost?: string }): HealthSpec | undefined {
    const kind = c.words[0]!;
    if (!['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'UDP_CHECK'].includes(kind)) return undefined;
    let timeout = 5;
    let retry = kind === 'MISC_CHECK' ? 0 : 1;
    let delayBeforeRetry = kind === 'HTTP_GET' || kind === 'SSL_GET' ? 3 : 1;
    let payload: string | undefined;
    let requireReply: string | undefined;
    let minReply: number | undefined;
    let maxReply: number | undefined;
    let interval = vs.delayLoop;
    let port: number | undefined;
    let connectIp: string | undefined;
    const urls: Stmt[] = [];
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
          else urls.push(s);
          break;
        case 'misc_path': miscPath = s.words.slice(1).join(' '); break;
        case 'misc_timeout': miscTimeout = num(s, 1); break;
        case 'misc_dynamic': miscDynamic = true; break;
        case 'payload': case 'require_reply': {
          if (kind !== 'UDP_CHECK') { skip(s, `${k} in ${kind} has no meaning`); break; }
          const bytes = s.words.length > 1 ? hexToEscapes(s) : '';
          // check_udp.c: "Invalid hex string for UDP_CHECK payload/reply" (masks are not supported here).
          if (bytes === undefined) { errors.push(lineError(s.line, `${k}: '${s.words.slice(1).join(' ')}' is not a hex string`, s.file)); break; }
          if (k === 'payload') payload = bytes; else requireReply = bytes;
          break;
        }
        case 'min_reply_length': minReply = num(s, 0, 65535); break;
        case 'max_reply_length': maxReply = num(s, 0, 65535); break;
        default: skip(s, `no ipvx equivalent for '${k}' in ${kind}`);
      }
    }
    let check: HealthCheckSpec;
    if (kind === 'TCP_CHECK') {
      check = { type: 'tcp', ...(port !== undefined ? { port } : {}), ...(connectIp ? { address: connectIp } : {}) };
    } else if (kind === 'UDP_CHECK') {
      // check_udp.c: without require_reply only an ICMP error fails the check; with it a
      // reply is needed, of min_reply_length..max_reply_length (default 0..255) bytes,
      // starting with the given bytes.
      check = {
        type: 'udp', payload: payload ?? '',
        ...(requireReply === undefined ? { replyOptional: true } : { minLength: minReply ?? 0, maxLength: maxReply ?? 255, ...(requireReply ? { reply: requireReply } : {}) }),
        ...(port !== undefined ? { port } : {}),
      };
    } else if (kind === 'MISC_CHECK') {
      if (!miscPath) errors.push(lineError(c.line, 'MISC_CHECK without misc_path', c.file));
      check = { type: 'exec', command: miscPath, ...(miscDynamic ? { dynamicWeight: true } : {}) };
      timeout = miscTimeout ?? interval;
    } else {
      // Every url block is checked; all must pass (check_http.c walks the list).
      const parsed: HttpUrlSpec[] = (urls.length ? urls : [undefined]).map((u) => {
        const one: HttpUrlSpec = { path: '/' };
        for (const x of u?.block ?? []) {
          const k = x.words[0]!;
          if (k === 'path') one.path = x.words[1] ?? '/';
          else if (k === 'status_code') one.statusCodes = x.words.slice(1).join(',');
          else if (k === 'virtualhost') host = x.words[1];
          else if (k === 'regex') one.bodyRegex = x.words.slice(1).join(' ');
          else if (k === 'digest') {
            if (/^[0-9a-fA-F]{32}$/.test(x.words[1] ?? '')) one.digest = x.words[1]!.toLowerCase();
            else errors.push(lineError(x.line, `digest '${x.words[1] ?? ''}' is not 32 hex digits (an MD5)`, x.file));
          } else skip(x, `no ipvx equivalent for '${k}' in url`);
        }
        return one;
      });
      const [first, ...more] = parsed;
      const path = first!.path;
      const statusCodes = first!.statusCodes;
      const bodyRegex = first!.bodyRegex;
      const digest = first!.digest;
      if (connectIp) skip(c, 'connect_ip for HTTP checks has no ipvx equivalent: the real is checked');
      check = {
        type: kind === 'SSL_GET' ? 'https' : 'http', path,
        ...(host ? { host } : {}), ...(statusCodes ? { statusCodes } : {}), ...(bodyRegex ? { bodyRegex } : {}),
        ...(digest ? { digest } : {}), ...(more.length ? { urls: more } : {}),
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
  // A group's virtual_server block is read once per address: report its lines once.
  const seen = new Set<string>();
  const unique = unmapped.filter((u) => { const k = `${u.file ?? ''}|${u.line}|${u.reason}`; if (seen.has(k)) return false; seen.add(k); return true; });
  unmapped.length = 0;
  unmapped.push(...unique);
  return imported('keepalived', state, unmapped, { origins, notes, droppedServices, droppedReals });
}

/** read_hex_str: hex digits (spaces allowed) as the \xNN escapes ipvx payloads use; undefined (reported) otherwise. */
function hexToEscapes(s: Stmt): string | undefined {
  const hex = s.words.slice(1).join('');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) return undefined;
  return hex.replace(/(..)/g, '\\x$1');
}

/** The imported file's lines first, then the iptables file's, each in order. */

const lineOf = (e: FieldError) => Number(/^line (\d+)/.exec(e.field)?.[1] ?? 0);
