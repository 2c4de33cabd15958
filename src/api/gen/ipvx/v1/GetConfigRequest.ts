// Original file: proto/ipvx/v1/ipvx.proto


export interface GetConfigRequest {
}

export interface GetConfigRequest__Output {
}
