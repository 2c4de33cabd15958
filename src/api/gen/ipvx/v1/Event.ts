// Original file: proto/ipvx/v1/ipvx.proto

import type { Change as _ipvx_v1_Change, Change__Output as _ipvx_v1_Change__Output } from '../../ipvx/v1/Change.js';
import type { Long } from '@grpc/proto-loader';

export interface Event {
  /**
   * config (changes) | real (up/down) | service (quorum, sorry server) | role (HA) | missed (this watcher fell behind)
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
  /**
   * config: service/real changes beyond the first 20,000 (not listed); missed: events not sent
   */
  'changesOmitted'?: (number);
  /**
   * config: the configuration's serial after this change
   */
  'serial'?: (number | string | Long);
  /**
   * config: who made the change: the client's "ipvx-origin" metadata (e.g. "console user admin from 192.0.2.7") and its connection
   */
  'origin'?: (string);
}

export interface Event__Output {
  /**
   * config (changes) | real (up/down) | service (quorum, sorry server) | role (HA) | missed (this watcher fell behind)
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
  /**
   * config: service/real changes beyond the first 20,000 (not listed); missed: events not sent
   */
  'changesOmitted': (number);
  /**
   * config: the configuration's serial after this change
   */
  'serial': (string);
  /**
   * config: who made the change: the client's "ipvx-origin" metadata (e.g. "console user admin from 192.0.2.7") and its connection
   */
  'origin': (string);
}
