// Original file: proto/ipvx/v1/ipvx.proto

import type { LoadBounds as _ipvx_v1_LoadBounds, LoadBounds__Output as _ipvx_v1_LoadBounds__Output } from '../../ipvx/v1/LoadBounds.js';
import type { LoadSmoothing as _ipvx_v1_LoadSmoothing, LoadSmoothing__Output as _ipvx_v1_LoadSmoothing__Output } from '../../ipvx/v1/LoadSmoothing.js';

/**
 * Dynamic weights from the reals' load (piranha load_monitor, HAProxy agent-check).
 */
export interface Load {
  /**
   * agent | command
   */
  'type'?: (string);
  'port'?: (number);
  'address'?: (string);
  'command'?: (string);
  'capacity'?: (number | string);
  'interval'?: (number | string);
  'timeout'?: (number | string);
  'bounds'?: (_ipvx_v1_LoadBounds | null);
  'smoothing'?: (_ipvx_v1_LoadSmoothing | null);
}

/**
 * Dynamic weights from the reals' load (piranha load_monitor, HAProxy agent-check).
 */
export interface Load__Output {
  /**
   * agent | command
   */
  'type': (string);
  'port': (number);
  'address': (string);
  'command': (string);
  'capacity': (number);
  'interval': (number);
  'timeout': (number);
  'bounds': (_ipvx_v1_LoadBounds__Output | null);
  'smoothing': (_ipvx_v1_LoadSmoothing__Output | null);
}
