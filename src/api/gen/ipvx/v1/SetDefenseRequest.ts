// Original file: proto/ipvx/v1/ipvx.proto

import type { Defense as _ipvx_v1_Defense, Defense__Output as _ipvx_v1_Defense__Output } from '../../ipvx/v1/Defense.js';

export interface SetDefenseRequest {
  'defense'?: (_ipvx_v1_Defense | null);
}

export interface SetDefenseRequest__Output {
  'defense': (_ipvx_v1_Defense__Output | null);
}
