// Original file: proto/ipvx/v1/ipvx.proto

import type { Defense as _ipvx_v1_Defense, Defense__Output as _ipvx_v1_Defense__Output } from '../../ipvx/v1/Defense.js';

/**
 * The flood defence now: its settings, and the CPUs flooded in the last second.
 */
export interface DefenseStatus {
  'settings'?: (_ipvx_v1_Defense | null);
  'floodedCpus'?: (number);
}

/**
 * The flood defence now: its settings, and the CPUs flooded in the last second.
 */
export interface DefenseStatus__Output {
  'settings': (_ipvx_v1_Defense__Output | null);
  'floodedCpus': (number);
}
