// parseIpvsadmArgs: ipvsadm 1.31's command line, with its messages and exit codes.
// Differences, all deliberate: the command may appear anywhere (ipvsadm wants it
// first); -M is read after the service so its family is known; names are never
// resolved; SCTP services, sync daemons and --pe are refused with a message saying
// ipvx does not support them.
import { DEFAULT_PERSISTENCE_TIMEOUT, DEFAULT_SCHEDULER, SCHEDULERS } from '../core/model.js';
import { parseIp } from '../core/addr.js';
import type { Method, Protocol, SchedFlag, SchedulerName, TunType, TunChecksum } from '../core/model.js';
import type { Result } from '../core/result.js';
import { tokenizeArgs, type OptionDef } from './args.js';
import { parseHostPort, parseNetmask4, parseNetmask6, stringToNumber, type HostPort } from './address.js';
import { checkOptions, type OptionName, type TableCommand } from './options.js';
import type { IpvsadmCommand, IpvsadmError, ListFormat, ServiceArg } from './command.js';

/** ipvsadm: MAX_TIMEOUT, 31 days. */
export const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;
/** Schedulers IPVS has and ipvx does not, to say so instead of "not found". */
const IPVS_ONLY_SCHEDULERS = ['lblc', 'lblcr', 'dh', 'fo', 'ovf', 'twos'];

const OPTIONS: OptionDef[] = [
  { long: 'add-service', short: 'A', arg: 'none', key: 'A' },
  { long: 'edit-service', short: 'E', arg: 'none', key: 'E' },
  { long: 'delete-service', short: 'D', arg: 'none', key: 'D' },
  { long: 'clear', short: 'C', arg: 'none', key: 'C' },
  { long: 'list', short: 'L', arg: 'none', key: 'L' },
  { long: 'list', short: 'l', arg: 'none', key: 'L' },
  { long: 'zero', short: 'Z', arg: 'none', key: 'Z' },
  { long: 'add-server', short: 'a', arg: 'none', key: 'a' },
  { long: 'edit-server', short: 'e', arg: 'none', key: 'e' },
  { long: 'delete-server', short: 'd', arg: 'none', key: 'd' },
  { long: 'set', arg: 'none', key: 'set' },
  { long: 'help', short: 'h', arg: 'none', key: 'h' },
  { long: 'version', short: 'v', arg: 'none', key: 'v' },
  { long: 'restore', short: 'R', arg: 'none', key: 'R' },
  { long: 'save', short: 'S', arg: 'none', key: 'S' },
  { long: 'start-daemon', arg: 'required', key: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', key: 'stop-daemon' },
  { long: 'tcp-service', short: 't', arg: 'required', key: 't' },
  { long: 'udp-service', short: 'u', arg: 'required', key: 'u' },
  { long: 'sctp-service', arg: 'required', key: 'sctp' },
  { long: 'fwmark-service', short: 'f', arg: 'required', key: 'f' },
  { long: 'scheduler', short: 's', arg: 'required', key: 's' },
  { long: 'persistent', short: 'p', arg: 'optional', key: 'p' },
  { long: 'netmask', short: 'M', arg: 'required', key: 'M' },
  { long: 'real-server', short: 'r', arg: 'required', key: 'r' },
  { long: 'masquerading', short: 'm', arg: 'none', key: 'm' },
  { long: 'ipip', short: 'i', arg: 'none', key: 'i' },
  { long: 'gatewaying', short: 'g', arg: 'none', key: 'g' },
  { long: 'weight', short: 'w', arg: 'required', key: 'w' },
  { long: 'u-threshold', short: 'x', arg: 'required', key: 'x' },
  { long: 'l-threshold', short: 'y', arg: 'required', key: 'y' },
  { long: 'numeric', short: 'n', arg: 'none', key: 'n' },
  { long: 'connection', short: 'c', arg: 'none', key: 'c' },
  { long: 'mcast-interface', arg: 'required', key: 'mcast-interface' },
  { long: 'syncid', arg: 'required', key: 'syncid' },
  { long: 'timeout', arg: 'none', key: 'timeout' },
  { long: 'daemon', arg: 'none', key: 'daemon' },
  { long: 'stats', arg: 'none', key: 'stats' },
  { long: 'rate', arg: 'none', key: 'rate' },
  { long: 'thresholds', arg: 'none', key: 'thresholds' },
  { long: 'persistent-conn', arg: 'none', key: 'persistent-conn' },
  { long: 'nosort', arg: 'none', key: 'nosort' },
  { long: 'sort', arg: 'none', key: 'sort' },
  { long: 'exact', short: 'X', arg: 'none', key: 'X' },
  { long: 'ipv6', short: '6', arg: 'none', key: '6' },
  { long: 'ops', short: 'o', arg: 'none', key: 'o' },
  { long: 'pe', arg: 'required', key: 'pe' },
  { long: 'sched-flags', short: 'b', arg: 'required', key: 'b' },
  { long: 'mcast-group', arg: 'required', key: 'mcast-group' },
  { long: 'mcast-port', arg: 'required', key: 'mcast-port' },
  { long: 'mcast-ttl', arg: 'required', key: 'mcast-ttl' },
  { long: 'sync-maxlen', arg: 'required', key: 'sync-maxlen' },
  { long: 'tun-info', arg: 'none', key: 'tun-info' },
  { long: 'tun-type', arg: 'required', key: 'tun-type' },
  { long: 'tun-port', arg: 'required', key: 'tun-port' },
  { long: 'tun-nocsum', arg: 'none', key: 'tun-nocsum' },
  { long: 'tun-csum', arg: 'none', key: 'tun-csum' },
  { long: 'tun-remcsum', arg: 'none', key: 'tun-remcsum' },
  { long: 'json', arg: 'none', key: 'json' },
];

const COMMANDS: Record<string, TableCommand> = {
  A: 'add-service', E: 'edit-service', D: 'delete-service', C: 'flush', L: 'list', a: 'add-server',
  d: 'delete-server', e: 'edit-server', set: 'set', 'start-daemon': 'start-daemon', 'stop-daemon': 'stop-daemon',
  R: 'restore', S: 'save', Z: 'zero',
};

/** Options that only set their table column. */
const FLAG_OPTIONS: Record<string, OptionName> = {
  n: 'numeric', c: 'connection', timeout: 'timeout', daemon: 'daemon', stats: 'stats', rate: 'rate',
  thresholds: 'thresholds', 'persistent-conn': 'persistent-conn', nosort: 'nosort', X: 'exact',
  'tun-info': 'tun-info', 'tun-nocsum': 'tun-nocsum', 'tun-csum': 'tun-csum', 'tun-remcsum': 'tun-remcsum', json: 'json',
};

export const UNSUPPORTED = {
  sctp: 'SCTP services are not supported by ipvx: use -t or -u',
  syncDaemon: 'the IPVS connection sync daemon is not supported by ipvx: directors sync connections over the HA heartbeat (see docs/ha.md)',
  pe: 'persistence engines (--pe) are not supported by ipvx',
};

/** ipvsadm's tunnel types, as IP_VS_CONN_F_TUNNEL_TYPE_* numbers them (tunnames[]). */
const TUN_NAMES: readonly TunType[] = ['ipip', 'gue', 'gre'];
/** tunnel_types_v_options (ipvsadm.c): columns tun-port, tun-nocsum, tun-csum, tun-remcsum. */
const TUN_OPTIONS = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const;
const TUNNEL_TABLE: Record<TunType, string> = { ipip: 'xxxx', gue: '+111', gre: 'x11x' };

/** tunnel_opt_check: the first violation, with ipvsadm's message. */
function checkTunnelOptions(type: TunType, given: ReadonlySet<OptionName>): { option: OptionName; message: string } | undefined {
  let first: OptionName | undefined;
  for (const [j, name] of TUN_OPTIONS.entries()) {
    const rule = TUNNEL_TABLE[type][j];
    if (!given.has(name)) {
      if (rule === '+') return { option: name, message: `You need to supply the '${name}' option for the '${type}' tunnel type` };
      continue;
    }
    if (rule === 'x') return { option: name, message: `Illegal '${name}' option with the '${type}' tunnel type` };
    if (rule === '1') {
      if (first === undefined) { first = name; continue; }
      return { option: name, message: `The option '${name}' conflicts with the '${first}' option in the '${type}' tunnel type` };
    }
  }
  return undefined;
}

type Fail = { ok: false; errors: IpvsadmError[] };
const failWith = (exitCode: number, field: string, message: string): Fail => ({ ok: false, errors: [{ field, message, exitCode }] });
/** fail(2, ...) in ipvsadm. */
const fail2 = (field: string, message: string) => failWith(2, field, message);
/** popt errors, tryhelp_exit(-1) and kernel errors: ipvsadm exits with -1, i.e. 255. */
const fail255 = (field: string, message: string) => failWith(255, field, message);

export function tryHelp(program = 'ipvx'): string {
  return `Try \`${program} -h' or '${program} --help' for more information.`;
}

function addressMessage(e: { kind: string; name?: string }, what: 'virtual server' | 'real server'): string {
  if (e.kind === 'hostname') return `hostname resolution is not supported: use a numeric address instead of '${e.name}'`;
  if (e.kind === 'portname') return `port names are not supported: use a numeric port instead of '${e.name}'`;
  return `illegal ${what} address[:port] specified`;
}

/** Parse one ipvsadm command line (argv without the program name). */
export function parseIpvsadmArgs(argv: readonly string[]): Result<IpvsadmCommand> {
  // ipvsadm with no argument lists the table.
  if (argv.length === 0) {
    return { ok: true, value: { kind: 'list', what: 'services', numeric: false, format: 'plain', exact: false, sort: true, json: false } };
  }
  const tok = tokenizeArgs(argv, OPTIONS);
  if (!tok.ok) return fail255('argv', tok.message);

  let cmd: TableCommand | undefined;
  const given = new Set<OptionName>();
  let protocol: Protocol = 'tcp';
  let svc: HostPort | undefined;
  let fwmark: number | undefined;
  let server: HostPort | undefined;
  let scheduler: string | undefined;
  let persistence = 0;
  let netmaskText: string | undefined;
  let method: Method = 'dr';
  let weight = 1;
  let upper = 0;
  let lower = 0;
  let schedFlagsText: string | undefined;
  let tunType: TunType = 'ipip';
  let tunPort: number | undefined;
  let tunChecksum: TunChecksum | undefined;
  const formats: ListFormat[] = [];

  const setOption = (name: OptionName): Fail | undefined => {
    if (given.has(name)) return fail2(name, `multiple '${name}' options specified`);
    given.add(name);
    return undefined;
  };

  for (const o of tok.options) {
    const v = o.value ?? '';
    if (o.key === 'h') return { ok: true, value: { kind: 'help' } };
    if (o.key === 'v') return { ok: true, value: { kind: 'version' } };
    const asCommand = COMMANDS[o.key];
    if (asCommand) {
      if (cmd !== undefined) return fail2('command', 'multiple commands specified');
      cmd = asCommand;
      if (asCommand === 'start-daemon' || asCommand === 'stop-daemon') {
        if (v !== 'master' && v !== 'backup') {
          return fail2('command', asCommand === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
        }
        return fail2('command', UNSUPPORTED.syncDaemon);
      }
      continue;
    }
    const flag = FLAG_OPTIONS[o.key];
    if (flag) {
      const f = setOption(flag);
      if (f) return f;
      if (flag === 'stats' || flag === 'rate' || flag === 'thresholds' || flag === 'persistent-conn' || flag === 'tun-info') formats.push(flag);
      if (flag === 'tun-nocsum' || flag === 'tun-csum' || flag === 'tun-remcsum') tunChecksum = flag.slice(4) as TunChecksum;
      continue;
    }
    let bad: Fail | undefined;
    switch (o.key) {
      case 't': case 'u': case 'sctp': {
        if ((bad = setOption('service-address'))) return bad;
        if (o.key === 'sctp') return fail2('service-address', UNSUPPORTED.sctp);
        protocol = o.key === 't' ? 'tcp' : 'udp';
        const r = parseHostPort(v);
        if (!r.ok) return fail2('service-address', addressMessage(r.error, 'virtual server'));
        svc = r.value;
        break;
      }
      case 'f': {
        if ((bad = setOption('service-address'))) return bad;
        const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
        if (!(n > 0 && n <= 0xffffffff)) return fail2('service-address', `invalid fwmark value \`${v}' specified`);
        // ipvsadm: "Set protocol to a sane value, even though it is not used": TCP, AF_INET (-6 after -f: AF_INET6).
        fwmark = n;
        protocol = 'tcp';
        svc = { address: '0.0.0.0', family: 4, port: 0 };
        break;
      }
      case 's':
        if ((bad = setOption('scheduler'))) return bad;
        scheduler = v;
        break;
      case 'p': {
        if ((bad = setOption('persistent'))) return bad;
        if (o.value === undefined) { persistence = DEFAULT_PERSISTENCE_TIMEOUT; break; }
        const n = stringToNumber(v, 1, MAX_TIMEOUT);
        if (n === undefined) return fail2('persistent', `invalid timeout value \`${v}' specified`);
        persistence = n;
        break;
      }
      case 'M':
        if ((bad = setOption('netmask'))) return bad;
        netmaskText = v;
        break;
      case 'r': {
        if ((bad = setOption('real-server'))) return bad;
        const r = parseHostPort(v);
        if (!r.ok) return fail2('real-server', addressMessage(r.error, 'real server'));
        server = r.value;
        break;
      }
      case 'i': case 'g': case 'm':
        if ((bad = setOption('forwarding-method'))) return bad;
        method = o.key === 'i' ? 'tun' : o.key === 'g' ? 'dr' : 'nat';
        break;
      case 'w': {
        if ((bad = setOption('weight'))) return bad;
        const n = stringToNumber(v, 0, 65535);
        if (n === undefined) return fail2('weight', 'illegal weight specified');
        weight = n;
        break;
      }
      case 'x': case 'y': {
        const name = o.key === 'x' ? 'u-threshold' : 'l-threshold';
        if ((bad = setOption(name))) return bad;
        const n = stringToNumber(v, 0, INT_MAX);
        if (n === undefined) return fail2(name, `illegal ${o.key === 'x' ? 'u' : 'l'}_threshold specified`);
        if (o.key === 'x') upper = n; else lower = n;
        break;
      }
      case 'mcast-interface': case 'syncid': case 'mcast-group': case 'mcast-port': case 'mcast-ttl': case 'sync-maxlen':
        if ((bad = setOption(o.key === 'mcast-interface' ? 'mcast-interface' : (o.key as OptionName)))) return bad;
        return fail2(o.key, UNSUPPORTED.syncDaemon);
      case 'sort':
        break; // ipvsadm: "does nothing, for backwards compatibility"
      case '6':
        if (!fwmark) return fail2('ipv6', '-6 used before -f');
        svc = { address: '::', family: 6, port: 0 };
        break;
      case 'o':
        if ((bad = setOption('ops'))) return bad;
        break;
      case 'pe':
        if ((bad = setOption('pe'))) return bad;
        return fail2('pe', UNSUPPORTED.pe);
      case 'b':
        if ((bad = setOption('sched-flags'))) return bad;
        schedFlagsText = v;
        break;
      case 'tun-type':
        if ((bad = setOption('tun-type'))) return bad;
        if (!(TUN_NAMES as readonly string[]).includes(v)) return fail2('tun-type', 'illegal tunnel type specified');
        tunType = v as TunType;
        break;
      case 'tun-port': {
        if ((bad = setOption('tun-port'))) return bad;
        tunPort = stringToNumber(v, 1, 65535);
        if (tunPort === undefined) return fail2('tun-port', 'illegal tunnel port specified');
        break;
      }
      default:
        return fail2('argv', `invalid option \`${o.raw}'`);
    }
  }

  if (cmd === undefined) return fail255('command', `no command given. ${tryHelp()}`);

  let timeouts: number[] | undefined;
  let leftovers = tok.leftovers;
  if (cmd === 'set') {
    if (leftovers.length < 3) return fail2('set', '--set option requires 3 timeout values');
    timeouts = [];
    for (const t of leftovers.slice(0, 3)) {
      const n = stringToNumber(t, 0, MAX_TIMEOUT);
      if (n === undefined) return fail2('set', `invalid timeout value \`${t}' specified`);
      timeouts.push(n);
    }
    leftovers = leftovers.slice(3);
  }
  if (leftovers.length > 0) return fail2('argv', `unexpected argument ${leftovers[0]}`);

  const schedName = scheduler || DEFAULT_SCHEDULER;
  let flags: SchedFlag[] = [];
  if (schedFlagsText !== undefined) {
    const r = parseSchedFlags(schedName, schedFlagsText);
    if (!r.ok) return r;
    flags = r.value;
  }

  const problem = checkOptions(cmd, given);
  if (problem) return fail2('options', problem);

  const service: ServiceArg | undefined = svc && { protocol, address: svc.address, family: svc.family, port: svc.port ?? 0, ...(fwmark ? { fwmark } : {}) };

  switch (cmd) {
    case 'add-service': case 'edit-service': {
      const s = service!;
      if (!s.fwmark && s.port === 0 && persistence === 0) return fail2('service-address', 'Zero port specified for non-persistent service');
      if (given.has('ops') && !s.fwmark && s.protocol !== 'udp') return fail2('ops', 'One-Packet Scheduling is only for UDP virtual services');
      let netmask = '';
      if (netmaskText !== undefined) {
        const m = s.family === 6 ? parseNetmask6(netmaskText) : parseNetmask4(netmaskText);
        if (m === undefined) {
          return fail2('netmask', s.family === 6 ? 'illegal ipv6 netmask specified' : 'illegal virtual server persistent mask specified');
        }
        netmask = m;
      }
      const sched = checkScheduler(schedName);
      if (!sched.ok) return sched;
      return { ok: true, value: { kind: cmd, service: s, scheduler: sched.value, flags, persistence, netmask, ops: given.has('ops') } };
    }
    case 'delete-service':
      return { ok: true, value: { kind: 'delete-service', service: service! } };
    case 'add-server': case 'edit-server': case 'delete-server': {
      const s = service!;
      const r = server!;
      // ipvsadm: the real port defaults to the service port, and for -a/-e DR/TUN always
      // use it; -d takes the port as given (ipvsadm forces it only for ADDDEST/EDITDEST).
      if (cmd === 'delete-server') return { ok: true, value: { kind: cmd, service: s, server: { address: r.address, family: r.family, port: r.port ?? s.port } } };
      // ipvsadm: DR and TUN reals take the service's port, "Don't worry about this if fwmark is used".
      const port = !s.fwmark && (method === 'dr' || method === 'tun') ? s.port : (r.port ?? s.port);
      const srv = { address: r.address, family: r.family, port };
      if (r.family !== s.family && method !== 'tun') return fail2('real-server', 'Different address family is allowed only for tunneling servers');
      const tunnelOptions = (['tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const).filter((t) => given.has(t));
      if (tunnelOptions.length > 0 && method !== 'tun') return fail2('tun-type', 'Tunnel options conflict with forward method');
      const tunBad = checkTunnelOptions(tunType, given);
      if (tunBad) return fail2(tunBad.option, tunBad.message);
      const tun = method === 'tun'
        ? { tunType, ...(tunPort !== undefined ? { tunPort } : {}), ...(tunChecksum ? { tunChecksum } : {}) }
        : {};
      // What the kernel refuses (net/netfilter/ipvs/ip_vs_ctl.c), with the words ipvsadm
      // prints for its errno (ipvs_strerror, else strerror) and exit 255: a lower threshold
      // above the upper one (0 = none, so -y alone too) is ERANGE in ip_vs_add_dest and
      // ip_vs_edit_dest; a real that is not a unicast address is EINVAL in ip_vs_new_dest.
      if (lower > upper) return fail255('l-threshold', KERNEL_ERANGE);
      if (cmd === 'add-server' && !isUnicast(r.address, r.family)) return fail255('real-server', KERNEL_EINVAL);
      return { ok: true, value: { kind: cmd, service: s, server: srv, method, weight, upperThreshold: upper, lowerThreshold: lower, ...tun } };
    }
    case 'flush':
      return { ok: true, value: { kind: 'clear' } };
    case 'restore':
      return { ok: true, value: { kind: 'restore' } };
    case 'save':
      return { ok: true, value: { kind: 'save', numeric: given.has('numeric') } };
    case 'zero':
      return { ok: true, value: service ? { kind: 'zero', service } : { kind: 'zero' } };
    case 'set':
      return { ok: true, value: { kind: 'set', timeouts: { tcp: timeouts![0]!, tcpFin: timeouts![1]!, udp: timeouts![2]! } } };
    case 'list': {
      const has = (n: OptionName) => given.has(n);
      if (((has('connection') || has('timeout') || has('daemon')) && (has('stats') || has('rate') || has('thresholds'))) ||
          ((has('timeout') || has('daemon')) && has('persistent-conn'))) {
        return fail2('options', 'options conflicts in the list command');
      }
      // print_title/print_service_entry test the FMT_* flags in this order.
      const order: ListFormat[] = ['stats', 'rate', 'thresholds', 'persistent-conn', 'tun-info'];
      const format = order.find((f) => formats.includes(f)) ?? 'plain';
      const what = has('connection') ? 'connections' : service ? 'services' : has('timeout') ? 'timeout' : has('daemon') ? 'daemon' : 'services';
      return {
        ok: true,
        value: {
          kind: 'list', what, ...(service && what === 'services' ? { service } : {}), numeric: has('numeric'), format,
          exact: has('exact'), sort: !has('nosort'), json: has('json'),
        },
      };
    }
    default:
      return fail2('command', UNSUPPORTED.syncDaemon);
  }
}

/** strerror(ERANGE): ipvs_strerror has no entry of its own for it. */
export const KERNEL_ERANGE = 'Numerical result out of range';
/** ipvs_strerror(EINVAL) in libipvs/libipvs.c. */
export const KERNEL_EINVAL = 'Invalid operation.  Possibly wrong module version, address not unicast, ...';

/**
 * ip_vs_new_dest: IPv4 must be inet_addr_type RTN_UNICAST or RTN_LOCAL (multicast,
 * 0.0.0.0/8 and 255.255.255.255 are not); IPv6 must be unicast and not link-local.
 */
function isUnicast(address: string, family: 4 | 6): boolean {
  const r = parseIp(address);
  if (!r.ok) return false;
  const b = r.value.bytes;
  if (family === 4) return b[0] !== 0 && b[0]! < 224 && !(b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255);
  if (b[0] === 0xff) return false; // multicast
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return false; // link-local
  return b.some((x) => x !== 0); // :: is the unspecified address
}

/** parse_sched_flags, mapped onto ipvx's named flags. */
export function parseSchedFlags(sched: string, text: string): Result<SchedFlag[]> | Fail {
  const out: SchedFlag[] = [];
  for (const flag of text.split(',').filter((f) => f !== '')) {
    let named: SchedFlag | undefined;
    if (flag === 'sh-fallback' || flag === 'sh-port' || flag === 'mh-fallback' || flag === 'mh-port') {
      if (sched !== flag.slice(0, 2)) return fail2('sched-flags', `incompatible scheduler flag \`${flag}'`);
      named = flag;
    } else if (flag === 'flag-1' || flag === 'flag-2' || flag === 'flag-3') {
      // IPVS's generic bits: flag-1/flag-2 are the fallback/port flags of sh and mh.
      if ((sched === 'sh' || sched === 'mh') && flag !== 'flag-3') named = `${sched}-${flag === 'flag-1' ? 'fallback' : 'port'}` as SchedFlag;
      else return fail2('sched-flags', `scheduler flag \`${flag}' has no meaning for scheduler '${sched}' in ipvx`);
    } else {
      return fail2('sched-flags', `invalid scheduler flag \`${flag}'`);
    }
    if (!out.includes(named)) out.push(named);
  }
  return { ok: true, value: out };
}

function checkScheduler(name: string): Result<SchedulerName> | Fail {
  if ((SCHEDULERS as readonly string[]).includes(name)) return { ok: true, value: name as SchedulerName };
  if (IPVS_ONLY_SCHEDULERS.includes(name)) {
    return fail255('scheduler', `scheduler '${name}' is not supported by ipvx (supported: ${SCHEDULERS.join(', ')})`);
  }
  // What the kernel answers for an unknown scheduler (ENOENT).
  return fail255('scheduler', 'Scheduler or persistence engine not found');
}
