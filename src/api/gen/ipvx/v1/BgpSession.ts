// Original file: proto/ipvx/v1/ipvx.proto


/**
 * What the BGP announcer last did and what BIRD says about its sessions.
 */
export interface BgpSession {
  /**
   * BIRD protocol name
   */
  'name'?: (string);
  /**
   * address
   */
  'peer'?: (string);
  /**
   * BIRD's: Established, Active, Connect...
   */
  'state'?: (string);
  /**
   * BIRD's info column (e.g. the last error)
   */
  'info'?: (string);
  'since'?: (string);
}

/**
 * What the BGP announcer last did and what BIRD says about its sessions.
 */
export interface BgpSession__Output {
  /**
   * BIRD protocol name
   */
  'name': (string);
  /**
   * address
   */
  'peer': (string);
  /**
   * BIRD's: Established, Active, Connect...
   */
  'state': (string);
  /**
   * BIRD's info column (e.g. the last error)
   */
  'info': (string);
  'since': (string);
}
