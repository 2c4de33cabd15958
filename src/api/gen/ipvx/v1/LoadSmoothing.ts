// Original file: proto/ipvx/v1/ipvx.proto


export interface LoadSmoothing {
  'alpha'?: (number | string);
  'deadBand'?: (number | string);
}

export interface LoadSmoothing__Output {
  'alpha': (number);
  'deadBand': (number);
}
