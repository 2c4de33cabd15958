// Original file: proto/ipvx/v1/ipvx.proto

import type { HaStatus as _ipvx_v1_HaStatus, HaStatus__Output as _ipvx_v1_HaStatus__Output } from '../../ipvx/v1/HaStatus.js';
import type { BgpStatus as _ipvx_v1_BgpStatus, BgpStatus__Output as _ipvx_v1_BgpStatus__Output } from '../../ipvx/v1/BgpStatus.js';
import type { DefenseStatus as _ipvx_v1_DefenseStatus, DefenseStatus__Output as _ipvx_v1_DefenseStatus__Output } from '../../ipvx/v1/DefenseStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface GetStatusResponse {
  'version'?: (string);
  'netns'?: (string);
  'interfaces'?: (string)[];
  'services'?: (number);
  'reals'?: (number);
  'startedAt'?: (string);
  /**
   * took over a running data plane
   */
  'adopted'?: (boolean);
  'globalCounters'?: ({[key: string]: string});
  /**
   * standalone, or the HA role (src/ha)
   */
  'role'?: (string);
  /**
   * of the daemon
   */
  'pid'?: (number);
  /**
   * set while HA is enabled
   */
  'ha'?: (_ipvx_v1_HaStatus | null);
  /**
   * absent unless bgp.enabled
   */
  'bgp'?: (_ipvx_v1_BgpStatus | null);
  /**
   * the configuration's serial (GetConfig's DesiredState.serial)
   */
  'configSerial'?: (number | string | Long);
  'defense'?: (_ipvx_v1_DefenseStatus | null);
}

export interface GetStatusResponse__Output {
  'version': (string);
  'netns': (string);
  'interfaces': (string)[];
  'services': (number);
  'reals': (number);
  'startedAt': (string);
  /**
   * took over a running data plane
   */
  'adopted': (boolean);
  'globalCounters': ({[key: string]: string});
  /**
   * standalone, or the HA role (src/ha)
   */
  'role': (string);
  /**
   * of the daemon
   */
  'pid': (number);
  /**
   * set while HA is enabled
   */
  'ha': (_ipvx_v1_HaStatus__Output | null);
  /**
   * absent unless bgp.enabled
   */
  'bgp': (_ipvx_v1_BgpStatus__Output | null);
  /**
   * the configuration's serial (GetConfig's DesiredState.serial)
   */
  'configSerial': (string);
  'defense': (_ipvx_v1_DefenseStatus__Output | null);
}
