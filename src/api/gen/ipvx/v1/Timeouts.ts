// Original file: proto/ipvx/v1/ipvx.proto


export interface Timeouts {
  'tcp'?: (number);
  'tcpFin'?: (number);
  'udp'?: (number);
}

export interface Timeouts__Output {
  'tcp': (number);
  'tcpFin': (number);
  'udp': (number);
}
