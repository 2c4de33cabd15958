// Original file: proto/ipvx/v1/ipvx.proto


/**
 * Scale-out: announce the healthy VIPs over BGP through BIRD (docs/scale-out.md).
 */
export interface BgpPeer {
  'address'?: (string);
  'as'?: (number);
  /**
   * 0 = 179
   */
  'port'?: (number);
  /**
   * TCP-MD5; empty = none
   */
  'password'?: (string);
}

/**
 * Scale-out: announce the healthy VIPs over BGP through BIRD (docs/scale-out.md).
 */
export interface BgpPeer__Output {
  'address': (string);
  'as': (number);
  /**
   * 0 = 179
   */
  'port': (number);
  /**
   * TCP-MD5; empty = none
   */
  'password': (string);
}
