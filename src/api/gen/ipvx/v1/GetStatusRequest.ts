// Original file: proto/ipvx/v1/ipvx.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}
