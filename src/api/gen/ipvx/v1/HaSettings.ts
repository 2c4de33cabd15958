// Original file: proto/ipvx/v1/ipvx.proto

import type { HaVip as _ipvx_v1_HaVip, HaVip__Output as _ipvx_v1_HaVip__Output } from '../../ipvx/v1/HaVip.js';

export interface HaSettings {
  'enabled'?: (boolean);
  'localAddress'?: (string);
  'peerAddress'?: (string);
  'port'?: (number);
  'keepalive'?: (number | string);
  'deadtime'?: (number | string);
  'priority'?: (number);
  /**
   * absent = true
   */
  'preempt'?: (boolean);
  'preemptDelay'?: (number | string);
  'key'?: (string);
  'vips'?: (_ipvx_v1_HaVip)[];
  '_preempt'?: "preempt";
}

export interface HaSettings__Output {
  'enabled': (boolean);
  'localAddress': (string);
  'peerAddress': (string);
  'port': (number);
  'keepalive': (number);
  'deadtime': (number);
  'priority': (number);
  /**
   * absent = true
   */
  'preempt'?: (boolean);
  'preemptDelay': (number);
  'key': (string);
  'vips': (_ipvx_v1_HaVip__Output)[];
  '_preempt'?: "preempt";
}
