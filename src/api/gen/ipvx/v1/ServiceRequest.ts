// Original file: proto/ipvx/v1/ipvx.proto

import type { Service as _ipvx_v1_Service, Service__Output as _ipvx_v1_Service__Output } from '../../ipvx/v1/Service.js';

export interface ServiceRequest {
  'service'?: (_ipvx_v1_Service | null);
}

export interface ServiceRequest__Output {
  'service': (_ipvx_v1_Service__Output | null);
}
