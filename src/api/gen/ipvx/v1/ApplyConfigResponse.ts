// Original file: proto/ipvx/v1/ipvx.proto

import type { Change as _ipvx_v1_Change, Change__Output as _ipvx_v1_Change__Output } from '../../ipvx/v1/Change.js';
import type { Long } from '@grpc/proto-loader';

/**
 * changes: the full diff for a dry run; when applied, every timeouts/ha/bgp change and
 * the first 20,000 service and real changes, changes_omitted counting the rest.
 * serial: the configuration's serial after the request (a dry run or a no-op leaves it).
 */
export interface ApplyConfigResponse {
  'changes'?: (_ipvx_v1_Change)[];
  'applied'?: (boolean);
  'changesOmitted'?: (number);
  'serial'?: (number | string | Long);
}

/**
 * changes: the full diff for a dry run; when applied, every timeouts/ha/bgp change and
 * the first 20,000 service and real changes, changes_omitted counting the rest.
 * serial: the configuration's serial after the request (a dry run or a no-op leaves it).
 */
export interface ApplyConfigResponse__Output {
  'changes': (_ipvx_v1_Change__Output)[];
  'applied': (boolean);
  'changesOmitted': (number);
  'serial': (string);
}
