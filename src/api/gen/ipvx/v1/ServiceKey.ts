// Original file: proto/ipvx/v1/ipvx.proto


/**
 * A service's identity.
 */
export interface ServiceKey {
  'vip'?: (string);
  'port'?: (number);
  'protocol'?: (string);
  /**
   * a fwmark service: vip 0.0.0.0/:: (or empty), no port
   */
  'fwmark'?: (number);
}

/**
 * A service's identity.
 */
export interface ServiceKey__Output {
  'vip': (string);
  'port': (number);
  'protocol': (string);
  /**
   * a fwmark service: vip 0.0.0.0/:: (or empty), no port
   */
  'fwmark': (number);
}
