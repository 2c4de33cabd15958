// Original file: proto/ipvx/v1/ipvx.proto

import type { Real as _ipvx_v1_Real, Real__Output as _ipvx_v1_Real__Output } from '../../ipvx/v1/Real.js';
import type { Health as _ipvx_v1_Health, Health__Output as _ipvx_v1_Health__Output } from '../../ipvx/v1/Health.js';
import type { SorryServer as _ipvx_v1_SorryServer, SorryServer__Output as _ipvx_v1_SorryServer__Output } from '../../ipvx/v1/SorryServer.js';
import type { Load as _ipvx_v1_Load, Load__Output as _ipvx_v1_Load__Output } from '../../ipvx/v1/Load.js';

export interface Service {
  /**
   * fwmark services: 0.0.0.0 (or empty) for IPv4, :: for IPv6
   */
  'vip'?: (string);
  /**
   * 0 = every port (persistent services)
   */
  'port'?: (number);
  /**
   * tcp | udp
   */
  'protocol'?: (string);
  /**
   * rr wrr lc wlc sh mh sed nq
   */
  'scheduler'?: (string);
  /**
   * sh-port sh-fallback mh-port mh-fallback
   */
  'flags'?: (string)[];
  /**
   * seconds, 0 = none
   */
  'persistence'?: (number);
  'persistenceMask'?: (string);
  /**
   * default for reals
   */
  'method'?: (string);
  'reals'?: (_ipvx_v1_Real)[];
  'health'?: (_ipvx_v1_Health | null);
  'sorryServer'?: (_ipvx_v1_SorryServer | null);
  'quorum'?: (number);
  'hysteresis'?: (number);
  'load'?: (_ipvx_v1_Load | null);
  /**
   * firewall-mark service (ipvsadm -f): traffic the mark rules give this mark
   */
  'fwmark'?: (number);
  /**
   * one-packet scheduling (ipvsadm -o): UDP datagrams scheduled one by one
   */
  'ops'?: (boolean);
}

export interface Service__Output {
  /**
   * fwmark services: 0.0.0.0 (or empty) for IPv4, :: for IPv6
   */
  'vip': (string);
  /**
   * 0 = every port (persistent services)
   */
  'port': (number);
  /**
   * tcp | udp
   */
  'protocol': (string);
  /**
   * rr wrr lc wlc sh mh sed nq
   */
  'scheduler': (string);
  /**
   * sh-port sh-fallback mh-port mh-fallback
   */
  'flags': (string)[];
  /**
   * seconds, 0 = none
   */
  'persistence': (number);
  'persistenceMask': (string);
  /**
   * default for reals
   */
  'method': (string);
  'reals': (_ipvx_v1_Real__Output)[];
  'health': (_ipvx_v1_Health__Output | null);
  'sorryServer': (_ipvx_v1_SorryServer__Output | null);
  'quorum': (number);
  'hysteresis': (number);
  'load': (_ipvx_v1_Load__Output | null);
  /**
   * firewall-mark service (ipvsadm -f): traffic the mark rules give this mark
   */
  'fwmark': (number);
  /**
   * one-packet scheduling (ipvsadm -o): UDP datagrams scheduled one by one
   */
  'ops': (boolean);
}
