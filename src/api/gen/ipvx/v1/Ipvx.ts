// Original file: proto/ipvx/v1/ipvx.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyConfigRequest as _ipvx_v1_ApplyConfigRequest, ApplyConfigRequest__Output as _ipvx_v1_ApplyConfigRequest__Output } from '../../ipvx/v1/ApplyConfigRequest.js';
import type { ApplyConfigResponse as _ipvx_v1_ApplyConfigResponse, ApplyConfigResponse__Output as _ipvx_v1_ApplyConfigResponse__Output } from '../../ipvx/v1/ApplyConfigResponse.js';
import type { ClearRequest as _ipvx_v1_ClearRequest, ClearRequest__Output as _ipvx_v1_ClearRequest__Output } from '../../ipvx/v1/ClearRequest.js';
import type { Connection as _ipvx_v1_Connection, Connection__Output as _ipvx_v1_Connection__Output } from '../../ipvx/v1/Connection.js';
import type { Defense as _ipvx_v1_Defense, Defense__Output as _ipvx_v1_Defense__Output } from '../../ipvx/v1/Defense.js';
import type { DesiredState as _ipvx_v1_DesiredState, DesiredState__Output as _ipvx_v1_DesiredState__Output } from '../../ipvx/v1/DesiredState.js';
import type { Empty as _ipvx_v1_Empty, Empty__Output as _ipvx_v1_Empty__Output } from '../../ipvx/v1/Empty.js';
import type { Event as _ipvx_v1_Event, Event__Output as _ipvx_v1_Event__Output } from '../../ipvx/v1/Event.js';
import type { GetConfigRequest as _ipvx_v1_GetConfigRequest, GetConfigRequest__Output as _ipvx_v1_GetConfigRequest__Output } from '../../ipvx/v1/GetConfigRequest.js';
import type { GetStatsRequest as _ipvx_v1_GetStatsRequest, GetStatsRequest__Output as _ipvx_v1_GetStatsRequest__Output } from '../../ipvx/v1/GetStatsRequest.js';
import type { GetStatsResponse as _ipvx_v1_GetStatsResponse, GetStatsResponse__Output as _ipvx_v1_GetStatsResponse__Output } from '../../ipvx/v1/GetStatsResponse.js';
import type { GetStatusRequest as _ipvx_v1_GetStatusRequest, GetStatusRequest__Output as _ipvx_v1_GetStatusRequest__Output } from '../../ipvx/v1/GetStatusRequest.js';
import type { GetStatusResponse as _ipvx_v1_GetStatusResponse, GetStatusResponse__Output as _ipvx_v1_GetStatusResponse__Output } from '../../ipvx/v1/GetStatusResponse.js';
import type { ListConnectionsRequest as _ipvx_v1_ListConnectionsRequest, ListConnectionsRequest__Output as _ipvx_v1_ListConnectionsRequest__Output } from '../../ipvx/v1/ListConnectionsRequest.js';
import type { RealRequest as _ipvx_v1_RealRequest, RealRequest__Output as _ipvx_v1_RealRequest__Output } from '../../ipvx/v1/RealRequest.js';
import type { ServiceKeyRequest as _ipvx_v1_ServiceKeyRequest, ServiceKeyRequest__Output as _ipvx_v1_ServiceKeyRequest__Output } from '../../ipvx/v1/ServiceKeyRequest.js';
import type { ServiceRequest as _ipvx_v1_ServiceRequest, ServiceRequest__Output as _ipvx_v1_ServiceRequest__Output } from '../../ipvx/v1/ServiceRequest.js';
import type { SetDefenseRequest as _ipvx_v1_SetDefenseRequest, SetDefenseRequest__Output as _ipvx_v1_SetDefenseRequest__Output } from '../../ipvx/v1/SetDefenseRequest.js';
import type { SetTimeoutsRequest as _ipvx_v1_SetTimeoutsRequest, SetTimeoutsRequest__Output as _ipvx_v1_SetTimeoutsRequest__Output } from '../../ipvx/v1/SetTimeoutsRequest.js';
import type { Timeouts as _ipvx_v1_Timeouts, Timeouts__Output as _ipvx_v1_Timeouts__Output } from '../../ipvx/v1/Timeouts.js';
import type { WatchRequest as _ipvx_v1_WatchRequest, WatchRequest__Output as _ipvx_v1_WatchRequest__Output } from '../../ipvx/v1/WatchRequest.js';
import type { ZeroCountersRequest as _ipvx_v1_ZeroCountersRequest, ZeroCountersRequest__Output as _ipvx_v1_ZeroCountersRequest__Output } from '../../ipvx/v1/ZeroCountersRequest.js';

export interface IpvxClient extends grpc.Client {
  AddReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  AddService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddService(argument: _ipvx_v1_ServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  AddService(argument: _ipvx_v1_ServiceRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addService(argument: _ipvx_v1_ServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  addService(argument: _ipvx_v1_ServiceRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  ApplyConfig(argument: _ipvx_v1_ApplyConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  ApplyConfig(argument: _ipvx_v1_ApplyConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  ApplyConfig(argument: _ipvx_v1_ApplyConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  ApplyConfig(argument: _ipvx_v1_ApplyConfigRequest, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  applyConfig(argument: _ipvx_v1_ApplyConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  applyConfig(argument: _ipvx_v1_ApplyConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  applyConfig(argument: _ipvx_v1_ApplyConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  applyConfig(argument: _ipvx_v1_ApplyConfigRequest, callback: grpc.requestCallback<_ipvx_v1_ApplyConfigResponse__Output>): grpc.ClientUnaryCall;
  
  Clear(argument: _ipvx_v1_ClearRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  Clear(argument: _ipvx_v1_ClearRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  Clear(argument: _ipvx_v1_ClearRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  Clear(argument: _ipvx_v1_ClearRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  clear(argument: _ipvx_v1_ClearRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  clear(argument: _ipvx_v1_ClearRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  clear(argument: _ipvx_v1_ClearRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  clear(argument: _ipvx_v1_ClearRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteService(argument: _ipvx_v1_ServiceKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteService(argument: _ipvx_v1_ServiceKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteService(argument: _ipvx_v1_ServiceKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteService(argument: _ipvx_v1_ServiceKeyRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteService(argument: _ipvx_v1_ServiceKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteService(argument: _ipvx_v1_ServiceKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteService(argument: _ipvx_v1_ServiceKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteService(argument: _ipvx_v1_ServiceKeyRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  GetConfig(argument: _ipvx_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _ipvx_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _ipvx_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _ipvx_v1_GetConfigRequest, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _ipvx_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _ipvx_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _ipvx_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _ipvx_v1_GetConfigRequest, callback: grpc.requestCallback<_ipvx_v1_DesiredState__Output>): grpc.ClientUnaryCall;
  
  GetStats(argument: _ipvx_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _ipvx_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _ipvx_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _ipvx_v1_GetStatsRequest, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _ipvx_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _ipvx_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _ipvx_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _ipvx_v1_GetStatsRequest, callback: grpc.requestCallback<_ipvx_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  
  GetStatus(argument: _ipvx_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _ipvx_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _ipvx_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _ipvx_v1_GetStatusRequest, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _ipvx_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _ipvx_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _ipvx_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _ipvx_v1_GetStatusRequest, callback: grpc.requestCallback<_ipvx_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  
  ListConnections(argument: _ipvx_v1_ListConnectionsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Connection__Output>;
  ListConnections(argument: _ipvx_v1_ListConnectionsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Connection__Output>;
  listConnections(argument: _ipvx_v1_ListConnectionsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Connection__Output>;
  listConnections(argument: _ipvx_v1_ListConnectionsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Connection__Output>;
  
  SetDefense(argument: _ipvx_v1_SetDefenseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  SetDefense(argument: _ipvx_v1_SetDefenseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  SetDefense(argument: _ipvx_v1_SetDefenseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  SetDefense(argument: _ipvx_v1_SetDefenseRequest, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  setDefense(argument: _ipvx_v1_SetDefenseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  setDefense(argument: _ipvx_v1_SetDefenseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  setDefense(argument: _ipvx_v1_SetDefenseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  setDefense(argument: _ipvx_v1_SetDefenseRequest, callback: grpc.requestCallback<_ipvx_v1_Defense__Output>): grpc.ClientUnaryCall;
  
  SetTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  SetTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  SetTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  SetTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  setTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  setTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  setTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  setTimeouts(argument: _ipvx_v1_SetTimeoutsRequest, callback: grpc.requestCallback<_ipvx_v1_Timeouts__Output>): grpc.ClientUnaryCall;
  
  UpdateReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateReal(argument: _ipvx_v1_RealRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateReal(argument: _ipvx_v1_RealRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateReal(argument: _ipvx_v1_RealRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  UpdateService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _ipvx_v1_ServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _ipvx_v1_ServiceRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateService(argument: _ipvx_v1_ServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateService(argument: _ipvx_v1_ServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  updateService(argument: _ipvx_v1_ServiceRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _ipvx_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Event__Output>;
  Watch(argument: _ipvx_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Event__Output>;
  watch(argument: _ipvx_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Event__Output>;
  watch(argument: _ipvx_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_ipvx_v1_Event__Output>;
  
  ZeroCounters(argument: _ipvx_v1_ZeroCountersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  ZeroCounters(argument: _ipvx_v1_ZeroCountersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  ZeroCounters(argument: _ipvx_v1_ZeroCountersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  ZeroCounters(argument: _ipvx_v1_ZeroCountersRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  zeroCounters(argument: _ipvx_v1_ZeroCountersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  zeroCounters(argument: _ipvx_v1_ZeroCountersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  zeroCounters(argument: _ipvx_v1_ZeroCountersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  zeroCounters(argument: _ipvx_v1_ZeroCountersRequest, callback: grpc.requestCallback<_ipvx_v1_Empty__Output>): grpc.ClientUnaryCall;
  
}

export interface IpvxHandlers extends grpc.UntypedServiceImplementation {
  AddReal: grpc.handleUnaryCall<_ipvx_v1_RealRequest__Output, _ipvx_v1_Empty>;
  
  AddService: grpc.handleUnaryCall<_ipvx_v1_ServiceRequest__Output, _ipvx_v1_Empty>;
  
  ApplyConfig: grpc.handleUnaryCall<_ipvx_v1_ApplyConfigRequest__Output, _ipvx_v1_ApplyConfigResponse>;
  
  Clear: grpc.handleUnaryCall<_ipvx_v1_ClearRequest__Output, _ipvx_v1_Empty>;
  
  DeleteReal: grpc.handleUnaryCall<_ipvx_v1_RealRequest__Output, _ipvx_v1_Empty>;
  
  DeleteService: grpc.handleUnaryCall<_ipvx_v1_ServiceKeyRequest__Output, _ipvx_v1_Empty>;
  
  GetConfig: grpc.handleUnaryCall<_ipvx_v1_GetConfigRequest__Output, _ipvx_v1_DesiredState>;
  
  GetStats: grpc.handleUnaryCall<_ipvx_v1_GetStatsRequest__Output, _ipvx_v1_GetStatsResponse>;
  
  GetStatus: grpc.handleUnaryCall<_ipvx_v1_GetStatusRequest__Output, _ipvx_v1_GetStatusResponse>;
  
  ListConnections: grpc.handleServerStreamingCall<_ipvx_v1_ListConnectionsRequest__Output, _ipvx_v1_Connection>;
  
  SetDefense: grpc.handleUnaryCall<_ipvx_v1_SetDefenseRequest__Output, _ipvx_v1_Defense>;
  
  SetTimeouts: grpc.handleUnaryCall<_ipvx_v1_SetTimeoutsRequest__Output, _ipvx_v1_Timeouts>;
  
  UpdateReal: grpc.handleUnaryCall<_ipvx_v1_RealRequest__Output, _ipvx_v1_Empty>;
  
  UpdateService: grpc.handleUnaryCall<_ipvx_v1_ServiceRequest__Output, _ipvx_v1_Empty>;
  
  Watch: grpc.handleServerStreamingCall<_ipvx_v1_WatchRequest__Output, _ipvx_v1_Event>;
  
  ZeroCounters: grpc.handleUnaryCall<_ipvx_v1_ZeroCountersRequest__Output, _ipvx_v1_Empty>;
  
}

export interface IpvxDefinition extends grpc.ServiceDefinition {
  AddReal: MethodDefinition<_ipvx_v1_RealRequest, _ipvx_v1_Empty, _ipvx_v1_RealRequest__Output, _ipvx_v1_Empty__Output>
  AddService: MethodDefinition<_ipvx_v1_ServiceRequest, _ipvx_v1_Empty, _ipvx_v1_ServiceRequest__Output, _ipvx_v1_Empty__Output>
  ApplyConfig: MethodDefinition<_ipvx_v1_ApplyConfigRequest, _ipvx_v1_ApplyConfigResponse, _ipvx_v1_ApplyConfigRequest__Output, _ipvx_v1_ApplyConfigResponse__Output>
  Clear: MethodDefinition<_ipvx_v1_ClearRequest, _ipvx_v1_Empty, _ipvx_v1_ClearRequest__Output, _ipvx_v1_Empty__Output>
  DeleteReal: MethodDefinition<_ipvx_v1_RealRequest, _ipvx_v1_Empty, _ipvx_v1_RealRequest__Output, _ipvx_v1_Empty__Output>
  DeleteService: MethodDefinition<_ipvx_v1_ServiceKeyRequest, _ipvx_v1_Empty, _ipvx_v1_ServiceKeyRequest__Output, _ipvx_v1_Empty__Output>
  GetConfig: MethodDefinition<_ipvx_v1_GetConfigRequest, _ipvx_v1_DesiredState, _ipvx_v1_GetConfigRequest__Output, _ipvx_v1_DesiredState__Output>
  GetStats: MethodDefinition<_ipvx_v1_GetStatsRequest, _ipvx_v1_GetStatsResponse, _ipvx_v1_GetStatsRequest__Output, _ipvx_v1_GetStatsResponse__Output>
  GetStatus: MethodDefinition<_ipvx_v1_GetStatusRequest, _ipvx_v1_GetStatusResponse, _ipvx_v1_GetStatusRequest__Output, _ipvx_v1_GetStatusResponse__Output>
  ListConnections: MethodDefinition<_ipvx_v1_ListConnectionsRequest, _ipvx_v1_Connection, _ipvx_v1_ListConnectionsRequest__Output, _ipvx_v1_Connection__Output>
  SetDefense: MethodDefinition<_ipvx_v1_SetDefenseRequest, _ipvx_v1_Defense, _ipvx_v1_SetDefenseRequest__Output, _ipvx_v1_Defense__Output>
  SetTimeouts: MethodDefinition<_ipvx_v1_SetTimeoutsRequest, _ipvx_v1_Timeouts, _ipvx_v1_SetTimeoutsRequest__Output, _ipvx_v1_Timeouts__Output>
  UpdateReal: MethodDefinition<_ipvx_v1_RealRequest, _ipvx_v1_Empty, _ipvx_v1_RealRequest__Output, _ipvx_v1_Empty__Output>
  UpdateService: MethodDefinition<_ipvx_v1_ServiceRequest, _ipvx_v1_Empty, _ipvx_v1_ServiceRequest__Output, _ipvx_v1_Empty__Output>
  Watch: MethodDefinition<_ipvx_v1_WatchRequest, _ipvx_v1_Event, _ipvx_v1_WatchRequest__Output, _ipvx_v1_Event__Output>
  ZeroCounters: MethodDefinition<_ipvx_v1_ZeroCountersRequest, _ipvx_v1_Empty, _ipvx_v1_ZeroCountersRequest__Output, _ipvx_v1_Empty__Output>
}
