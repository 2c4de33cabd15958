// Original file: proto/ipvx/v1/ipvx.proto

import type { Change as _ipvx_v1_Change, Change__Output as _ipvx_v1_Change__Output } from '../../ipvx/v1/Change.js';

export interface Event {
  /**
   * config (changes) | real (up/down) | service (quorum, sorry server) | role (HA)
   */
  'kind'?: (string);
  /**
   * ISO 8601
   */
  'at'?: (string);
  'service'?: (string);
  'real'?: (string);
  'from'?: (string);
  'to'?: (string);
  'reason'?: (string);
  'changes'?: (_ipvx_v1_Change)[];
  'changesOmitted'?: (number);
}

export interface Event__Output {
  /**
   * config (changes) | real (up/down) | service (quorum, sorry server) | role (HA)
   */
  'kind': (string);
  /**
   * ISO 8601
   */
  'at': (string);
  'service': (string);
  'real': (string);
  'from': (string);
  'to': (string);
  'reason': (string);
  'changes': (_ipvx_v1_Change__Output)[];
  'changesOmitted': (number);
}
