// Original file: proto/ipvx/v1/ipvx.proto

import type { Change as _ipvx_v1_Change, Change__Output as _ipvx_v1_Change__Output } from '../../ipvx/v1/Change.js';

export interface ApplyConfigResponse {
  'changes'?: (_ipvx_v1_Change)[];
  'applied'?: (boolean);
  'changesOmitted'?: (number);
}

export interface ApplyConfigResponse__Output {
  'changes': (_ipvx_v1_Change__Output)[];
  'applied': (boolean);
  'changesOmitted': (number);
}
