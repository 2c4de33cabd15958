// Original file: proto/ipvx/v1/ipvx.proto


export interface Empty {
}

export interface Empty__Output {
}
