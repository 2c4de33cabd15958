// Original file: proto/ipvx/v1/ipvx.proto


export interface Rates {
  'cps'?: (number | string);
  'inpps'?: (number | string);
  'outpps'?: (number | string);
  'inbps'?: (number | string);
  'outbps'?: (number | string);
}

export interface Rates__Output {
  'cps': (number);
  'inpps': (number);
  'outpps': (number);
  'inbps': (number);
  'outbps': (number);
}
