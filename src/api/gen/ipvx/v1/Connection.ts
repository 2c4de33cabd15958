// Original file: proto/ipvx/v1/ipvx.proto


export interface Connection {
  'protocol'?: (string);
  'client'?: (string);
  'clientPort'?: (number);
  'vip'?: (string);
  'vport'?: (number);
  'real'?: (string);
  'rport'?: (number);
  'state'?: (string);
  'expiresIn'?: (number);
}

export interface Connection__Output {
  'protocol': (string);
  'client': (string);
  'clientPort': (number);
  'vip': (string);
  'vport': (number);
  'real': (string);
  'rport': (number);
  'state': (string);
  'expiresIn': (number);
}
