// Original file: proto/ipvx/v1/ipvx.proto


export interface WatchRequest {
}

export interface WatchRequest__Output {
}
