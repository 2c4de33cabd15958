// Original file: proto/ipvx/v1/ipvx.proto


export interface HaVip {
  'address'?: (string);
  'prefixLength'?: (number);
  'interface'?: (string);
}

export interface HaVip__Output {
  'address': (string);
  'prefixLength': (number);
  'interface': (string);
}
