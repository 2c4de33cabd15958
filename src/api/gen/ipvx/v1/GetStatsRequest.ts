// Original file: proto/ipvx/v1/ipvx.proto


export interface GetStatsRequest {
}

export interface GetStatsRequest__Output {
}
