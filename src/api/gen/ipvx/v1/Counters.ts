// Original file: proto/ipvx/v1/ipvx.proto


export interface Counters {
  /**
   * decimal strings: 64-bit counters
   */
  'conns'?: (string);
  'pktsIn'?: (string);
  'pktsOut'?: (string);
  'bytesIn'?: (string);
  'bytesOut'?: (string);
}

export interface Counters__Output {
  /**
   * decimal strings: 64-bit counters
   */
  'conns': (string);
  'pktsIn': (string);
  'pktsOut': (string);
  'bytesIn': (string);
  'bytesOut': (string);
}
