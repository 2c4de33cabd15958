// What the control plane needs from the data plane. The XDP implementation lives
// beside this file; api/ and tests depend only on this interface.
import type { DesiredState, Timeouts } from '../core/model.js';
import type { PortableEntry, PortableChange, InstallResult } from './portable.js';

export type { PortableEntry, PortableChange, InstallResult } from './portable.js';

export interface Counters {
  conns: bigint;
  pktsIn: bigint;
  pktsOut: bigint;
  bytesIn: bigint;
  bytesOut: bigint;
}

export interface RealCounters extends Counters {
  /** Key as core/model realId(): "address|port". */
  real: string;
  /** Connections the data plane counts as active (TCP established) / inactive (other). */
  activeConns: number;
  inactiveConns: number;
}

export interface ServiceCounters extends Counters {
  /** Key as core/model serviceId(): "tcp|vip|port". */
  service: string;
  reals: RealCounters[];
}

export interface DataplaneCounters {
  services: ServiceCounters[];
  /** Every drop/pass/forward reason of the XDP program, by name. */
  global: Record<string, bigint>;
}

/** One entry of the flow table, as ipvsadm -L -c shows connections. */
export interface FlowView {
  protocol: 'tcp' | 'udp';
  client: string;
  clientPort: number;
  vip: string;
  vport: number;
  real: string;
  rport: number;
  /** IPVS state names: SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE, UDP, NONE. */
  state: string;
  /** Seconds until the entry expires. */
  expiresIn: number;
}

/**
 * The services that may differ from the state of the previous apply (by serviceId, and
 * index in the new state's services; -1 = removed). Every other service is the same as
 * then, so the data plane may look at these only; it may also ignore the hint.
 */
export interface ApplyHint {
  services: readonly { id: string; index: number }[];
}

/** Every service's and real's counters, five per entry, in one array (see FLAT_FIELDS). */
export interface FlatCounters {
  services: string[];
  /** Real ids of each service, in the order their values follow the service's. */
  reals: string[][];
  /** Per service: its counters, then each real's, FLAT_FIELDS.length values each. */
  values: BigUint64Array;
}

/** The order of the five values per entry of FlatCounters. */
export const FLAT_FIELDS = ['conns', 'pktsIn', 'pktsOut', 'bytesIn', 'bytesOut'] as const;

export interface Dataplane {
  /** Make the maps match `state` (already validated). Writes only what changed. */
  apply(state: DesiredState, hint?: ApplyHint): Promise<void>;
  setTimeouts(t: Timeouts): Promise<void>;
  counters(): Promise<DataplaneCounters>;
  /**
   * The same counters in one flat array (what the rate sampler keeps), read without an
   * object per real; data planes without it are sampled through counters().
   */
  flatCounters?(): Promise<FlatCounters>;
  /** Zero the counters of one service (serviceId) or of all. */
  zeroCounters(service?: string): Promise<void>;
  flows(): AsyncIterable<FlowView>;
  /**
   * HA connection sync (src/ha/sync.ts): every live flow and persistence entry in the
   * portable form of portable.ts (no internal ids, ages instead of timestamps).
   */
  exportFlows(): PortableEntry[];
  /** HA connection sync: install (or remove) entries exported by the peer director, mapped to our own ids. */
  installFlows(changes: readonly PortableChange[]): InstallResult;
  /** CPUs whose rate of new flows is above the flood defence's limit now (0 without a data plane that knows). */
  floodedCpus?(): Promise<number>;
  /** Re-resolve the reals' next hops now (HA: on becoming active, the neighbours may have changed while we stood by). */
  refreshNextHops?(): Promise<void>;
  /** Why the data plane cannot forward (e.g. the program is no longer attached), or undefined when it can. */
  problem(): Promise<string | undefined>;
  /**
   * Live persistence entries per real, keyed `serviceId#realId` (ipvsadm --persistent-conn's
   * PersistConn: IPVS counts the templates that point at a destination). Optional.
   */
  persistConns?(): Map<string, number>;
  /** Names of the interfaces the XDP program is attached to. */
  interfaces(): string[];
  /** Stop managing; `detach` also removes the XDP program and unpins the maps. */
  close(opts: { detach: boolean }): Promise<void>;
}
