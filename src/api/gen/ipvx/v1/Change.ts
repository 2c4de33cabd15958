// Original file: proto/ipvx/v1/ipvx.proto

import type { FieldChange as _ipvx_v1_FieldChange, FieldChange__Output as _ipvx_v1_FieldChange__Output } from '../../ipvx/v1/FieldChange.js';

/**
 * One line of a diff: "<op> <kind> <detail>", e.g. "~ real tcp 203.0.113.10:80 -> 192.0.2.1:80 weight 1 -> 3".
 */
export interface Change {
  /**
   * + - ~
   */
  'op'?: (string);
  /**
   * service | real | timeouts | ha | bgp
   */
  'kind'?: (string);
  /**
   * protocol|vip|port[|address|port]
   */
  'id'?: (string);
  'detail'?: (string);
  /**
   * for ~: what changed
   */
  'fields'?: (_ipvx_v1_FieldChange)[];
}

/**
 * One line of a diff: "<op> <kind> <detail>", e.g. "~ real tcp 203.0.113.10:80 -> 192.0.2.1:80 weight 1 -> 3".
 */
export interface Change__Output {
  /**
   * + - ~
   */
  'op': (string);
  /**
   * service | real | timeouts | ha | bgp
   */
  'kind': (string);
  /**
   * protocol|vip|port[|address|port]
   */
  'id': (string);
  'detail': (string);
  /**
   * for ~: what changed
   */
  'fields': (_ipvx_v1_FieldChange__Output)[];
}
