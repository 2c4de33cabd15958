// Original file: proto/ipvx/v1/ipvx.proto


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
}
