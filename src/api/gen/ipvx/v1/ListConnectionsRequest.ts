// Original file: proto/ipvx/v1/ipvx.proto

import type { ServiceKey as _ipvx_v1_ServiceKey, ServiceKey__Output as _ipvx_v1_ServiceKey__Output } from '../../ipvx/v1/ServiceKey.js';

export interface ListConnectionsRequest {
  'service'?: (_ipvx_v1_ServiceKey | null);
  'client'?: (string);
  'real'?: (string);
}

export interface ListConnectionsRequest__Output {
  'service': (_ipvx_v1_ServiceKey__Output | null);
  'client': (string);
  'real': (string);
}
