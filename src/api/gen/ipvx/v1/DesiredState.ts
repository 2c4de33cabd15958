// Original file: proto/ipvx/v1/ipvx.proto

import type { Service as _ipvx_v1_Service, Service__Output as _ipvx_v1_Service__Output } from '../../ipvx/v1/Service.js';
import type { Timeouts as _ipvx_v1_Timeouts, Timeouts__Output as _ipvx_v1_Timeouts__Output } from '../../ipvx/v1/Timeouts.js';
import type { HaSettings as _ipvx_v1_HaSettings, HaSettings__Output as _ipvx_v1_HaSettings__Output } from '../../ipvx/v1/HaSettings.js';
import type { BgpSettings as _ipvx_v1_BgpSettings, BgpSettings__Output as _ipvx_v1_BgpSettings__Output } from '../../ipvx/v1/BgpSettings.js';
import type { Defense as _ipvx_v1_Defense, Defense__Output as _ipvx_v1_Defense__Output } from '../../ipvx/v1/Defense.js';
import type { MarkRule as _ipvx_v1_MarkRule, MarkRule__Output as _ipvx_v1_MarkRule__Output } from '../../ipvx/v1/MarkRule.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The whole configuration; the config and state files are this message in YAML.
 */
export interface DesiredState {
  'services'?: (_ipvx_v1_Service)[];
  'timeouts'?: (_ipvx_v1_Timeouts | null);
  'ha'?: (_ipvx_v1_HaSettings | null);
  'bgp'?: (_ipvx_v1_BgpSettings | null);
  /**
   * GetConfig: the configuration's serial, raised by every applied change (kept across
   * restarts). Give it back as ApplyConfigRequest.expected_serial for a read-modify-write.
   * Ignored in requests.
   */
  'serial'?: (number | string | Long);
  'defense'?: (_ipvx_v1_Defense | null);
  /**
   * firewall-mark rules for fwmark services, in order
   */
  'marks'?: (_ipvx_v1_MarkRule)[];
}

/**
 * The whole configuration; the config and state files are this message in YAML.
 */
export interface DesiredState__Output {
  'services': (_ipvx_v1_Service__Output)[];
  'timeouts': (_ipvx_v1_Timeouts__Output | null);
  'ha': (_ipvx_v1_HaSettings__Output | null);
  'bgp': (_ipvx_v1_BgpSettings__Output | null);
  /**
   * GetConfig: the configuration's serial, raised by every applied change (kept across
   * restarts). Give it back as ApplyConfigRequest.expected_serial for a read-modify-write.
   * Ignored in requests.
   */
  'serial': (string);
  'defense': (_ipvx_v1_Defense__Output | null);
  /**
   * firewall-mark rules for fwmark services, in order
   */
  'marks': (_ipvx_v1_MarkRule__Output)[];
}
