// Original file: proto/ipvx/v1/ipvx.proto

import type { ServiceStats as _ipvx_v1_ServiceStats, ServiceStats__Output as _ipvx_v1_ServiceStats__Output } from '../../ipvx/v1/ServiceStats.js';

export interface GetStatsResponse {
  'services'?: (_ipvx_v1_ServiceStats)[];
  'global'?: ({[key: string]: string});
}

export interface GetStatsResponse__Output {
  'services': (_ipvx_v1_ServiceStats__Output)[];
  'global': ({[key: string]: string});
}
