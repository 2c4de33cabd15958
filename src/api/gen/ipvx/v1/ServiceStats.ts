// Original file: proto/ipvx/v1/ipvx.proto

import type { Counters as _ipvx_v1_Counters, Counters__Output as _ipvx_v1_Counters__Output } from '../../ipvx/v1/Counters.js';
import type { Rates as _ipvx_v1_Rates, Rates__Output as _ipvx_v1_Rates__Output } from '../../ipvx/v1/Rates.js';
import type { RealStats as _ipvx_v1_RealStats, RealStats__Output as _ipvx_v1_RealStats__Output } from '../../ipvx/v1/RealStats.js';

export interface ServiceStats {
  /**
   * protocol|vip|port
   */
  'service'?: (string);
  'counters'?: (_ipvx_v1_Counters | null);
  'rates'?: (_ipvx_v1_Rates | null);
  'reals'?: (_ipvx_v1_RealStats)[];
}

export interface ServiceStats__Output {
  /**
   * protocol|vip|port
   */
  'service': (string);
  'counters': (_ipvx_v1_Counters__Output | null);
  'rates': (_ipvx_v1_Rates__Output | null);
  'reals': (_ipvx_v1_RealStats__Output)[];
}
