// ipvsadm 1.31's text outputs, from the printf formats of list_all, print_title,
// print_service_entry, list_conn/print_conn and list_timeout.
//
// Where ipvx differs, on purpose:
// - The version line is fixed: "IP Virtual Server version 1.2.1 (size=4096)".
// - Names: ipvx resolves nothing; without -n, hosts and ports are shown through the
//   optional NameLookup (the CLI may pass /etc/services), else numerically.
// - A real that health checks hold down is listed with weight 0 (what the data plane
//   uses), nothing else changes, so scripts that parse ipvsadm's format keep working;
//   -S always prints the configured weight; --json carries the health itself.
import type { DesiredState, Method, RealSpec, Timeouts } from '../../core/model.js';
import type { FlowView } from '../../dataplane/port.js';
import type { ListFormat } from '../../ipvsadm/command.js';
import { formatLargenum } from './largenum.js';
import { addrPort, buildRows, persistenceMaskText, schedFlagsText, type ListData, type NameLookup, type ServiceKeyLike, type ServiceRow } from './view.js';

export const IPVS_VERSION = '1.2.1';
export const CONN_TAB_SIZE = 4096;

const FWD_NAME: Record<Method, string> = { nat: 'Masq', tun: 'Tunnel', dr: 'Route' };
const FWD_SWITCH: Record<Method, string> = { nat: '-m', tun: '-i', dr: '-g' };
const PROTO_NAME = { tcp: 'TCP', udp: 'UDP' } as const;

export interface SaveOptions { names?: NameLookup; sort?: boolean }

/** ipvsadm -S [-n]: the rules that rebuild the table, in ipvsadm's order. */
export function formatSave(state: DesiredState, numeric: boolean, opts: SaveOptions = {}): string {
  let out = '';
  for (const row of buildRows(state, {}, { sort: opts.sort })) {
    const s = row.spec;
    // print_service_entry: "-f MARK [-6]" for a fwmark service.
    const svcName = s.fwmark
      ? `-f ${s.fwmark}${row.family === 6 ? ' -6' : ''}`
      : `${s.protocol === 'tcp' ? '-t' : '-u'} ${addrPort(row.address, row.family, s.port, s.protocol, numeric, opts.names)}`;
    out += `-A ${svcName} -s ${s.scheduler}`;
    if (s.persistence > 0) {
      out += ` -p ${s.persistence}`;
      const mask = persistenceMaskText(s, row.family);
      if (mask) out += ` -M ${mask}`;
    }
    // ipvsadm 1.31 print_service_entry (FMT_RULE): " -o" after the persistence (and --pe).
    if (s.ops) out += ' -o';
    const flags = schedFlagsText(s);
    if (flags) out += ` -b ${flags}`;
    out += '\n';
    for (const r of row.reals) {
      const dname = addrPort(r.address, r.family, r.port, s.protocol, numeric, opts.names);
      out += `-a ${svcName} -r ${dname} ${FWD_SWITCH[r.method]} -w ${r.configuredWeight}${r.method === 'tun' ? tunnelRule(r.spec) : ''}\n`;
    }
  }
  return out;
}

/** print_tunnel_rule (ipvsadm 1.31): every -i real names its tunnel type; gue its port, gue and gre the checksum option. */
function tunnelRule(r: RealSpec): string {
  const type = r.tunType ?? 'ipip';
  const csum = `--tun-${r.tunChecksum ?? 'nocsum'}`;
  if (type === 'gue') return ` --tun-type gue --tun-port ${r.tunPort ?? 0} ${csum}`;
  if (type === 'gre') return ` --tun-type gre ${csum}`;
  return ' --tun-type ipip';
}

/** fwd_tun_info (ipvsadm 1.31): "ipip", "gue:PORT:FLAGS", "gre:FLAGS" (flags -c, +c, r+c), "n/a" for other methods. */
function tunnelInfo(r: RealSpec): string {
  if (r.method !== 'tun') return 'n/a';
  const flags = { nocsum: '-c', csum: '+c', remcsum: 'r+c' }[r.tunChecksum ?? 'nocsum'];
  if (r.tunType === 'gue') return `gue:${r.tunPort ?? 0}:${flags}`;
  if (r.tunType === 'gre') return `gre:${flags}`;
  return 'ipip';
}

export interface ListOptions {
  numeric?: boolean;
  format?: ListFormat;
  exact?: boolean;
  sort?: boolean;
  /** -L -t/-u: one service, without the version line (as list_service). */
  service?: ServiceKeyLike;
  names?: NameLookup;
}

function title(format: ListFormat): string {
  const head = 'Prot LocalAddress:Port'.padEnd(33);
  switch (format) {
    case 'stats':
      return `${head} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => h.padStart(8)).join(' ')}\n  -> RemoteAddress:Port\n`;
    case 'rate':
      return `${head} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((h) => h.padStart(8)).join(' ')}\n  -> RemoteAddress:Port\n`;
    case 'thresholds':
      return `${head} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((h) => h.padEnd(10)).join(' ')}\n  -> RemoteAddress:Port\n`;
    case 'persistent-conn':
      return `${head} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n  -> RemoteAddress:Port\n`;
    case 'tun-info':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
    default:
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  }
}

function serviceLine(row: ServiceRow, o: Required<Pick<ListOptions, 'numeric' | 'format' | 'exact'>> & { names?: NameLookup }): string {
  const s = row.spec;
  let name: string;
  if (s.fwmark) {
    name = `FWM  ${s.fwmark}${row.family === 6 ? ' IPv6' : ''}`;
  } else {
    name = `${PROTO_NAME[s.protocol].padEnd(4)} ${addrPort(row.address, row.family, s.port, s.protocol, o.numeric, o.names)}`;
    if (row.family !== 6) name = name.slice(0, 33);
  }
  const n = (v: bigint | number) => formatLargenum(v, o.exact);
  if (o.format === 'stats') {
    const c = row.stats;
    return `${name.padEnd(33)}${n(c.conns)}${n(c.pktsIn)}${n(c.pktsOut)}${n(c.bytesIn)}${n(c.bytesOut)}\n`;
  }
  if (o.format === 'rate') {
    const r = row.rates;
    return `${name.padEnd(33)}${n(r.cps)}${n(r.inpps)}${n(r.outpps)}${n(r.inbps)}${n(r.outbps)}\n`;
  }
  let line = `${name} ${s.scheduler}`;
  const flags = schedFlagsText(s);
  if (flags) line += ` (${flags})`;
  if (s.persistence > 0) {
    line += ` persistent ${s.persistence}`;
    const mask = persistenceMaskText(s, row.family);
    if (mask) line += ` mask ${mask}`;
  }
  // ipvsadm 1.31 print_service_entry: " ops" after the persistence part, with or without it.
  if (s.ops) line += ' ops';
  return `${line}\n`;
}

function realLines(row: ServiceRow, o: Required<Pick<ListOptions, 'numeric' | 'format' | 'exact'>> & { names?: NameLookup }): string {
  const n = (v: bigint | number) => formatLargenum(v, o.exact);
  const u = (v: number) => String(Math.max(0, Math.trunc(v)));
  let out = '';
  for (const r of row.reals) {
    let d = addrPort(r.address, r.family, r.port, row.spec.protocol, o.numeric, o.names);
    if (r.family !== 6) d = d.slice(0, 28);
    const dn = d.padEnd(28);
    switch (o.format) {
      case 'stats':
        out += `  -> ${dn}${n(r.stats.conns)}${n(r.stats.pktsIn)}${n(r.stats.pktsOut)}${n(r.stats.bytesIn)}${n(r.stats.bytesOut)}\n`;
        break;
      case 'rate':
        out += `  -> ${dn} ${u(r.rates.cps).padStart(8)} ${u(r.rates.inpps).padStart(8)} ${u(r.rates.outpps).padStart(8)}${n(r.rates.inbps)}${n(r.rates.outbps)}\n`;
        break;
      case 'thresholds':
        out += `  -> ${dn} ${[r.spec.upperThreshold, r.spec.lowerThreshold, r.activeConns, r.inactiveConns].map((v) => u(v).padEnd(10)).join(' ')}\n`;
        break;
      case 'persistent-conn':
        out += `  -> ${dn} ${u(r.weight).padEnd(9)} ${u(r.persistConns).padEnd(11)} ${u(r.activeConns).padEnd(10)} ${u(r.inactiveConns).padEnd(10)}\n`;
        break;
      case 'tun-info':
        out += `  -> ${dn} ${FWD_NAME[r.method].padEnd(7)} ${tunnelInfo(r.spec).padEnd(13)} ${u(r.weight).padEnd(6)} ${u(r.activeConns).padEnd(10)} ${u(r.inactiveConns).padEnd(10)}\n`;
        break;
      default:
        out += `  -> ${dn} ${FWD_NAME[r.method].padEnd(7)} ${u(r.weight).padEnd(6)} ${u(r.activeConns).padEnd(10)} ${u(r.inactiveConns).padEnd(10)}\n`;
    }
  }
  return out;
}

/** ipvsadm -L [-n] [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact] [--nosort] [-t|-u service]. */
export function formatList(state: DesiredState, data: ListData, opts: ListOptions = {}): string {
  const o = { numeric: opts.numeric ?? false, format: opts.format ?? 'plain', exact: opts.exact ?? false, names: opts.names };
  let out = opts.service ? '' : `IP Virtual Server version ${IPVS_VERSION} (size=${CONN_TAB_SIZE})\n`;
  out += title(o.format);
  for (const row of buildRows(state, data, { sort: opts.sort, service: opts.service })) out += serviceLine(row, o) + realLines(row, o);
  return out;
}

/** The message ipvsadm gives for -L/-Z/-D/-E on a service that does not exist. */
export const NO_SUCH_SERVICE = 'No such service';

/**
 * ipvsadm -L -c [-n] [--persistent-conn]: "IPVS connection entries", expiry as mm:ss
 * (list_conn, print_conn). --persistent-conn widens the header with "pe name pe_data";
 * rows keep the short form unless a connection has a persistence engine, which ipvx has not.
 */
export function formatConnections(flows: Iterable<FlowView>, opts: { numeric?: boolean; names?: NameLookup; persistentConn?: boolean } = {}): string {
  const numeric = opts.numeric ?? false;
  let out = 'IPVS connection entries\n';
  out += opts.persistentConn
    ? `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} ${'destination'.padEnd(18)} ${'pe name'.padEnd(16)} pe_data\n`
    : `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`;
  for (const f of flows) {
    const fam = (a: string) => (a.includes(':') ? 6 : 4) as 4 | 6;
    const secs = Math.max(0, Math.floor(f.expiresIn));
    const expire = `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
    const c = addrPort(f.client, fam(f.client), f.clientPort, f.protocol, numeric, opts.names);
    const v = addrPort(f.vip, fam(f.vip), f.vport, f.protocol, numeric, opts.names);
    const d = addrPort(f.real, fam(f.real), f.rport, f.protocol, numeric, opts.names);
    out += `${PROTO_NAME[f.protocol].padEnd(3)} ${expire.padEnd(6)} ${f.state.padEnd(11)} ${c.padEnd(18)} ${v.padEnd(18)} ${d}\n`;
  }
  return out;
}

/** ipvsadm -L --timeout. */
export function formatTimeout(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`;
}
