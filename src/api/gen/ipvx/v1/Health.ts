// Original file: proto/ipvx/v1/ipvx.proto

import type { HealthCheck as _ipvx_v1_HealthCheck, HealthCheck__Output as _ipvx_v1_HealthCheck__Output } from '../../ipvx/v1/HealthCheck.js';

export interface Health {
  'check'?: (_ipvx_v1_HealthCheck | null);
  'interval'?: (number | string);
  'timeout'?: (number | string);
  'rise'?: (number);
  'fall'?: (number);
  /**
   * quiesce | remove
   */
  'onFailure'?: (string);
  'alpha'?: (boolean);
  'delayBeforeRetry'?: (number | string);
}

export interface Health__Output {
  'check': (_ipvx_v1_HealthCheck__Output | null);
  'interval': (number);
  'timeout': (number);
  'rise': (number);
  'fall': (number);
  /**
   * quiesce | remove
   */
  'onFailure': (string);
  'alpha': (boolean);
  'delayBeforeRetry': (number);
}
