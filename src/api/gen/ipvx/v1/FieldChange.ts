// Original file: proto/ipvx/v1/ipvx.proto


export interface FieldChange {
  'field'?: (string);
  'from'?: (string);
  'to'?: (string);
}

export interface FieldChange__Output {
  'field': (string);
  'from': (string);
  'to': (string);
}
