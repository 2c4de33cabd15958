// Original file: proto/ipvx/v1/ipvx.proto

import type { ServiceKey as _ipvx_v1_ServiceKey, ServiceKey__Output as _ipvx_v1_ServiceKey__Output } from '../../ipvx/v1/ServiceKey.js';

export interface ZeroCountersRequest {
  'service'?: (_ipvx_v1_ServiceKey | null);
}

export interface ZeroCountersRequest__Output {
  'service': (_ipvx_v1_ServiceKey__Output | null);
}
