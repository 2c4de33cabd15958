// Original file: proto/ipvx/v1/ipvx.proto

import type { DesiredState as _ipvx_v1_DesiredState, DesiredState__Output as _ipvx_v1_DesiredState__Output } from '../../ipvx/v1/DesiredState.js';
import type { Long } from '@grpc/proto-loader';

/**
 * expected_serial: when non-zero, the change is applied only if the configuration's serial
 * is still this one (compare-and-swap); otherwise ABORTED, and nothing changes: read the
 * configuration again (GetConfig) and redo the change.
 */
export interface ApplyConfigRequest {
  'state'?: (_ipvx_v1_DesiredState | null);
  'dryRun'?: (boolean);
  'expectedSerial'?: (number | string | Long);
}

/**
 * expected_serial: when non-zero, the change is applied only if the configuration's serial
 * is still this one (compare-and-swap); otherwise ABORTED, and nothing changes: read the
 * configuration again (GetConfig) and redo the change.
 */
export interface ApplyConfigRequest__Output {
  'state': (_ipvx_v1_DesiredState__Output | null);
  'dryRun': (boolean);
  'expectedSerial': (string);
}
