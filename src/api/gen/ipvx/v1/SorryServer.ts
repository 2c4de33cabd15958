// Original file: proto/ipvx/v1/ipvx.proto


export interface SorryServer {
  'address'?: (string);
  'port'?: (number);
  'method'?: (string);
}

export interface SorryServer__Output {
  'address': (string);
  'port': (number);
  'method': (string);
}
