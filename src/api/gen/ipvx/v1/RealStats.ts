// Original file: proto/ipvx/v1/ipvx.proto

import type { Counters as _ipvx_v1_Counters, Counters__Output as _ipvx_v1_Counters__Output } from '../../ipvx/v1/Counters.js';
import type { Rates as _ipvx_v1_Rates, Rates__Output as _ipvx_v1_Rates__Output } from '../../ipvx/v1/Rates.js';

export interface RealStats {
  /**
   * address|port
   */
  'real'?: (string);
  'counters'?: (_ipvx_v1_Counters | null);
  'rates'?: (_ipvx_v1_Rates | null);
  'activeConns'?: (number);
  'inactiveConns'?: (number);
  'effectiveWeight'?: (number);
  /**
   * up | down | unchecked
   */
  'health'?: (string);
  /**
   * why it is in that state (the last transition's reason), empty if unchecked
   */
  'healthReason'?: (string);
  /**
   * ISO time of the last transition, empty if unchecked
   */
  'healthSince'?: (string);
  /**
   * live persistence entries that send their clients to this real (ipvsadm PersistConn)
   */
  'persistConns'?: (number);
}

export interface RealStats__Output {
  /**
   * address|port
   */
  'real': (string);
  'counters': (_ipvx_v1_Counters__Output | null);
  'rates': (_ipvx_v1_Rates__Output | null);
  'activeConns': (number);
  'inactiveConns': (number);
  'effectiveWeight': (number);
  /**
   * up | down | unchecked
   */
  'health': (string);
  /**
   * why it is in that state (the last transition's reason), empty if unchecked
   */
  'healthReason': (string);
  /**
   * ISO time of the last transition, empty if unchecked
   */
  'healthSince': (string);
  /**
   * live persistence entries that send their clients to this real (ipvsadm PersistConn)
   */
  'persistConns': (number);
}
