// Original file: proto/ipvx/v1/ipvx.proto


/**
 * A service's identity.
 */
export interface ServiceKey {
  'vip'?: (string);
  'port'?: (number);
  'protocol'?: (string);
}

/**
 * A service's identity.
 */
export interface ServiceKey__Output {
  'vip': (string);
  'port': (number);
  'protocol': (string);
}
