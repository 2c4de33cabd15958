// Original file: proto/ipvx/v1/ipvx.proto


export interface LoadBounds {
  'min'?: (number | string);
  'max'?: (number | string);
}

export interface LoadBounds__Output {
  'min': (number);
  'max': (number);
}
