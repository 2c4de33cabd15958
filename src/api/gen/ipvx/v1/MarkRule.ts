// Original file: proto/ipvx/v1/ipvx.proto


/**
 * A firewall-mark rule: packets to the destination with this protocol and port get the
 * mark (first matching rule wins); a fwmark service with that mark takes them.
 */
export interface MarkRule {
  'mark'?: (number);
  /**
   * an address or prefix: 203.0.113.10, 203.0.113.0/24, 2001:db8::/64
   */
  'destination'?: (string);
  /**
   * tcp | udp
   */
  'protocol'?: (string);
  /**
   * 80 | 80,443 | 8000-8100 ; empty = every port
   */
  'ports'?: (string);
}

/**
 * A firewall-mark rule: packets to the destination with this protocol and port get the
 * mark (first matching rule wins); a fwmark service with that mark takes them.
 */
export interface MarkRule__Output {
  'mark': (number);
  /**
   * an address or prefix: 203.0.113.10, 203.0.113.0/24, 2001:db8::/64
   */
  'destination': (string);
  /**
   * tcp | udp
   */
  'protocol': (string);
  /**
   * 80 | 80,443 | 8000-8100 ; empty = every port
   */
  'ports': (string);
}
