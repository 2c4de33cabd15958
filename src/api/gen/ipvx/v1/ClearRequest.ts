// Original file: proto/ipvx/v1/ipvx.proto


export interface ClearRequest {
}

export interface ClearRequest__Output {
}
