// Original file: proto/ipvx/v1/ipvx.proto


export interface HttpUrl {
  'path'?: (string);
  'statusCodes'?: (string);
  'bodyRegex'?: (string);
  'digest'?: (string);
}

export interface HttpUrl__Output {
  'path': (string);
  'statusCodes': (string);
  'bodyRegex': (string);
  'digest': (string);
}
