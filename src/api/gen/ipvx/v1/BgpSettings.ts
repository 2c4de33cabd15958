// Original file: proto/ipvx/v1/ipvx.proto

import type { BgpPeer as _ipvx_v1_BgpPeer, BgpPeer__Output as _ipvx_v1_BgpPeer__Output } from '../../ipvx/v1/BgpPeer.js';

export interface BgpSettings {
  'enabled'?: (boolean);
  'localAs'?: (number);
  /**
   * IPv4; empty = BIRD picks one
   */
  'routerId'?: (string);
  'peers'?: (_ipvx_v1_BgpPeer)[];
  /**
   * empty = next hop self
   */
  'nextHop'?: (string);
  /**
   * the file ipvx owns (default /etc/bird/bird.conf)
   */
  'birdConfig'?: (string);
  /**
   * birdc -s (default /run/bird/bird.ctl)
   */
  'birdSocket'?: (string);
  /**
   * seconds (default 9)
   */
  'holdTime'?: (number);
  /**
   * seconds (default 5)
   */
  'connectRetry'?: (number);
}

export interface BgpSettings__Output {
  'enabled': (boolean);
  'localAs': (number);
  /**
   * IPv4; empty = BIRD picks one
   */
  'routerId': (string);
  'peers': (_ipvx_v1_BgpPeer__Output)[];
  /**
   * empty = next hop self
   */
  'nextHop': (string);
  /**
   * the file ipvx owns (default /etc/bird/bird.conf)
   */
  'birdConfig': (string);
  /**
   * birdc -s (default /run/bird/bird.ctl)
   */
  'birdSocket': (string);
  /**
   * seconds (default 9)
   */
  'holdTime': (number);
  /**
   * seconds (default 5)
   */
  'connectRetry': (number);
}
