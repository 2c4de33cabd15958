// Original file: proto/ipvx/v1/ipvx.proto

import type { BgpSession as _ipvx_v1_BgpSession, BgpSession__Output as _ipvx_v1_BgpSession__Output } from '../../ipvx/v1/BgpSession.js';

export interface BgpStatus {
  /**
   * prefixes in BIRD's static protocols
   */
  'announced'?: (string)[];
  /**
   * prefixes ipvx wants announced (healthy VIPs)
   */
  'wanted'?: (string)[];
  'sessions'?: (_ipvx_v1_BgpSession)[];
  /**
   * last failure to write/reload/read BIRD; empty = none
   */
  'error'?: (string);
  /**
   * why everything is withdrawn (stopping, HA fault); empty = not
   */
  'withdrawnReason'?: (string);
}

export interface BgpStatus__Output {
  /**
   * prefixes in BIRD's static protocols
   */
  'announced': (string)[];
  /**
   * prefixes ipvx wants announced (healthy VIPs)
   */
  'wanted': (string)[];
  'sessions': (_ipvx_v1_BgpSession__Output)[];
  /**
   * last failure to write/reload/read BIRD; empty = none
   */
  'error': (string);
  /**
   * why everything is withdrawn (stopping, HA fault); empty = not
   */
  'withdrawnReason': (string);
}
