// Original file: proto/ipvx/v1/ipvx.proto

import type { Health as _ipvx_v1_Health, Health__Output as _ipvx_v1_Health__Output } from '../../ipvx/v1/Health.js';

export interface Real {
  'address'?: (string);
  /**
   * 0 = the service's port
   */
  'port'?: (number);
  /**
   * dr | tun | nat; empty = the service's default
   */
  'method'?: (string);
  /**
   * absent = 1 (as ipvsadm -w); 0 = quiesced
   */
  'weight'?: (number);
  'upperThreshold'?: (number);
  'lowerThreshold'?: (number);
  'health'?: (_ipvx_v1_Health | null);
  /**
   * tun only: ipip (default) | gue | gre (ipvsadm --tun-type)
   */
  'tunType'?: (string);
  /**
   * gue: the UDP port the real decapsulates on (--tun-port)
   */
  'tunPort'?: (number);
  /**
   * gue, gre: nocsum (default) | csum | remcsum (gue only)
   */
  'tunChecksum'?: (string);
  '_weight'?: "weight";
}

export interface Real__Output {
  'address': (string);
  /**
   * 0 = the service's port
   */
  'port': (number);
  /**
   * dr | tun | nat; empty = the service's default
   */
  'method': (string);
  /**
   * absent = 1 (as ipvsadm -w); 0 = quiesced
   */
  'weight'?: (number);
  'upperThreshold': (number);
  'lowerThreshold': (number);
  'health': (_ipvx_v1_Health__Output | null);
  /**
   * tun only: ipip (default) | gue | gre (ipvsadm --tun-type)
   */
  'tunType': (string);
  /**
   * gue: the UDP port the real decapsulates on (--tun-port)
   */
  'tunPort': (number);
  /**
   * gue, gre: nocsum (default) | csum | remcsum (gue only)
   */
  'tunChecksum': (string);
  '_weight'?: "weight";
}
