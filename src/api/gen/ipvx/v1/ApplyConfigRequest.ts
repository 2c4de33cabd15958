// Original file: proto/ipvx/v1/ipvx.proto

import type { DesiredState as _ipvx_v1_DesiredState, DesiredState__Output as _ipvx_v1_DesiredState__Output } from '../../ipvx/v1/DesiredState.js';

export interface ApplyConfigRequest {
  'state'?: (_ipvx_v1_DesiredState | null);
  'dryRun'?: (boolean);
}

export interface ApplyConfigRequest__Output {
  'state': (_ipvx_v1_DesiredState__Output | null);
  'dryRun': (boolean);
}
