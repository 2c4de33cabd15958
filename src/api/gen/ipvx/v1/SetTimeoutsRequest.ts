// Original file: proto/ipvx/v1/ipvx.proto

import type { Timeouts as _ipvx_v1_Timeouts, Timeouts__Output as _ipvx_v1_Timeouts__Output } from '../../ipvx/v1/Timeouts.js';

export interface SetTimeoutsRequest {
  'timeouts'?: (_ipvx_v1_Timeouts | null);
}

export interface SetTimeoutsRequest__Output {
  'timeouts': (_ipvx_v1_Timeouts__Output | null);
}
