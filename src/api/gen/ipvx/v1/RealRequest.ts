// Original file: proto/ipvx/v1/ipvx.proto

import type { ServiceKey as _ipvx_v1_ServiceKey, ServiceKey__Output as _ipvx_v1_ServiceKey__Output } from '../../ipvx/v1/ServiceKey.js';
import type { Real as _ipvx_v1_Real, Real__Output as _ipvx_v1_Real__Output } from '../../ipvx/v1/Real.js';

export interface RealRequest {
  'service'?: (_ipvx_v1_ServiceKey | null);
  'real'?: (_ipvx_v1_Real | null);
}

export interface RealRequest__Output {
  'service': (_ipvx_v1_ServiceKey__Output | null);
  'real': (_ipvx_v1_Real__Output | null);
}
