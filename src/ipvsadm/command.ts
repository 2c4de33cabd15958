// What one ipvsadm command line means, after parsing and before anything is applied.
import type { Family } from '../core/addr.js';
import type { Method, Protocol, SchedFlag, SchedulerName, Timeouts, TunType, TunChecksum } from '../core/model.js';
import type { FieldError } from '../core/result.js';

/** A virtual service as given with -t/-u, or -f MARK [-6] (address 0.0.0.0 or ::, port 0, protocol tcp as ipvsadm sets it). */
export interface ServiceArg {
  protocol: Protocol;
  /** Canonical address text. */
  address: string;
  family: Family;
  /** 0 when the argument had no port (valid only for persistent services). */
  port: number;
  /** -f: the firewall mark. */
  fwmark?: number;
}

/** A real server as given with -r. */
export interface ServerArg {
  address: string;
  family: Family;
  /** As ipvsadm sends it: the service port when none was given, and always for -g/-i. */
  port: number;
}

/** The listing layouts of -L (ipvsadm's FMT_* flags; the first one given wins, as there). */
export type ListFormat = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

export interface ServiceOptions {
  scheduler: SchedulerName;
  flags: SchedFlag[];
  /** Seconds; 0 = not persistent. */
  persistence: number;
  /** As the model keeps it: dotted IPv4 mask or IPv6 prefix length, "" = host. */
  netmask: string;
  /** -o: one-packet scheduling. */
  ops: boolean;
}

export interface ServerOptions {
  method: Method;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  /** --tun-type, --tun-port, --tun-nocsum/--tun-csum/--tun-remcsum (TUN only; absent = ipip, nocsum). */
  tunType?: TunType;
  tunPort?: number;
  tunChecksum?: TunChecksum;
}

export type IpvsadmCommand =
  | ({ kind: 'add-service' | 'edit-service'; service: ServiceArg } & ServiceOptions)
  | { kind: 'delete-service'; service: ServiceArg }
  | ({ kind: 'add-server' | 'edit-server'; service: ServiceArg; server: ServerArg } & ServerOptions)
  | { kind: 'delete-server'; service: ServiceArg; server: ServerArg }
  | { kind: 'clear' }
  | { kind: 'restore' }
  | { kind: 'save'; numeric: boolean }
  | ListCommand
  | { kind: 'zero'; service?: ServiceArg }
  | { kind: 'set'; timeouts: Timeouts }
  | { kind: 'help' }
  | { kind: 'version' };

export interface ListCommand {
  kind: 'list';
  /** What to list: the table (or one service), connections, timeouts, sync daemons. */
  what: 'services' | 'connections' | 'timeout' | 'daemon';
  service?: ServiceArg;
  numeric: boolean;
  format: ListFormat;
  exact: boolean;
  /** false with --nosort: configuration order (ipvsadm: kernel order). */
  sort: boolean;
  /** ipvx: machine-readable output. */
  json: boolean;
}

export type CommandKind = IpvsadmCommand['kind'];

/** A parse error with the exit status ipvsadm would give (2 from fail(), 255 from popt/tryhelp/kernel errors). */
export interface IpvsadmError extends FieldError {
  exitCode: number;
}

/** The exit status for a failed parse: the first error's, 2 when none is attached. */
export function exitCodeOf(errors: FieldError[]): number {
  const e = errors[0] as Partial<IpvsadmError> | undefined;
  return e?.exitCode ?? 2;
}
