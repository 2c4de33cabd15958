import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyConfigRequest as _ipvx_v1_ApplyConfigRequest, ApplyConfigRequest__Output as _ipvx_v1_ApplyConfigRequest__Output } from './ipvx/v1/ApplyConfigRequest.js';
import type { ApplyConfigResponse as _ipvx_v1_ApplyConfigResponse, ApplyConfigResponse__Output as _ipvx_v1_ApplyConfigResponse__Output } from './ipvx/v1/ApplyConfigResponse.js';
import type { BgpPeer as _ipvx_v1_BgpPeer, BgpPeer__Output as _ipvx_v1_BgpPeer__Output } from './ipvx/v1/BgpPeer.js';
import type { BgpSession as _ipvx_v1_BgpSession, BgpSession__Output as _ipvx_v1_BgpSession__Output } from './ipvx/v1/BgpSession.js';
import type { BgpSettings as _ipvx_v1_BgpSettings, BgpSettings__Output as _ipvx_v1_BgpSettings__Output } from './ipvx/v1/BgpSettings.js';
import type { BgpStatus as _ipvx_v1_BgpStatus, BgpStatus__Output as _ipvx_v1_BgpStatus__Output } from './ipvx/v1/BgpStatus.js';
import type { Change as _ipvx_v1_Change, Change__Output as _ipvx_v1_Change__Output } from './ipvx/v1/Change.js';
import type { ClearRequest as _ipvx_v1_ClearRequest, ClearRequest__Output as _ipvx_v1_ClearRequest__Output } from './ipvx/v1/ClearRequest.js';
import type { Connection as _ipvx_v1_Connection, Connection__Output as _ipvx_v1_Connection__Output } from './ipvx/v1/Connection.js';
import type { Counters as _ipvx_v1_Counters, Counters__Output as _ipvx_v1_Counters__Output } from './ipvx/v1/Counters.js';
import type { Defense as _ipvx_v1_Defense, Defense__Output as _ipvx_v1_Defense__Output } from './ipvx/v1/Defense.js';
import type { DefenseStatus as _ipvx_v1_DefenseStatus, DefenseStatus__Output as _ipvx_v1_DefenseStatus__Output } from './ipvx/v1/DefenseStatus.js';
import type { DesiredState as _ipvx_v1_DesiredState, DesiredState__Output as _ipvx_v1_DesiredState__Output } from './ipvx/v1/DesiredState.js';
import type { Empty as _ipvx_v1_Empty, Empty__Output as _ipvx_v1_Empty__Output } from './ipvx/v1/Empty.js';
import type { Event as _ipvx_v1_Event, Event__Output as _ipvx_v1_Event__Output } from './ipvx/v1/Event.js';
import type { FieldChange as _ipvx_v1_FieldChange, FieldChange__Output as _ipvx_v1_FieldChange__Output } from './ipvx/v1/FieldChange.js';
import type { GetConfigRequest as _ipvx_v1_GetConfigRequest, GetConfigRequest__Output as _ipvx_v1_GetConfigRequest__Output } from './ipvx/v1/GetConfigRequest.js';
import type { GetStatsRequest as _ipvx_v1_GetStatsRequest, GetStatsRequest__Output as _ipvx_v1_GetStatsRequest__Output } from './ipvx/v1/GetStatsRequest.js';
import type { GetStatsResponse as _ipvx_v1_GetStatsResponse, GetStatsResponse__Output as _ipvx_v1_GetStatsResponse__Output } from './ipvx/v1/GetStatsResponse.js';
import type { GetStatusRequest as _ipvx_v1_GetStatusRequest, GetStatusRequest__Output as _ipvx_v1_GetStatusRequest__Output } from './ipvx/v1/GetStatusRequest.js';
import type { GetStatusResponse as _ipvx_v1_GetStatusResponse, GetStatusResponse__Output as _ipvx_v1_GetStatusResponse__Output } from './ipvx/v1/GetStatusResponse.js';
import type { HaSettings as _ipvx_v1_HaSettings, HaSettings__Output as _ipvx_v1_HaSettings__Output } from './ipvx/v1/HaSettings.js';
import type { HaStatus as _ipvx_v1_HaStatus, HaStatus__Output as _ipvx_v1_HaStatus__Output } from './ipvx/v1/HaStatus.js';
import type { HaVip as _ipvx_v1_HaVip, HaVip__Output as _ipvx_v1_HaVip__Output } from './ipvx/v1/HaVip.js';
import type { Health as _ipvx_v1_Health, Health__Output as _ipvx_v1_Health__Output } from './ipvx/v1/Health.js';
import type { HealthCheck as _ipvx_v1_HealthCheck, HealthCheck__Output as _ipvx_v1_HealthCheck__Output } from './ipvx/v1/HealthCheck.js';
import type { HttpUrl as _ipvx_v1_HttpUrl, HttpUrl__Output as _ipvx_v1_HttpUrl__Output } from './ipvx/v1/HttpUrl.js';
import type { IpvxClient as _ipvx_v1_IpvxClient, IpvxDefinition as _ipvx_v1_IpvxDefinition } from './ipvx/v1/Ipvx.js';
import type { ListConnectionsRequest as _ipvx_v1_ListConnectionsRequest, ListConnectionsRequest__Output as _ipvx_v1_ListConnectionsRequest__Output } from './ipvx/v1/ListConnectionsRequest.js';
import type { Load as _ipvx_v1_Load, Load__Output as _ipvx_v1_Load__Output } from './ipvx/v1/Load.js';
import type { LoadBounds as _ipvx_v1_LoadBounds, LoadBounds__Output as _ipvx_v1_LoadBounds__Output } from './ipvx/v1/LoadBounds.js';
import type { LoadSmoothing as _ipvx_v1_LoadSmoothing, LoadSmoothing__Output as _ipvx_v1_LoadSmoothing__Output } from './ipvx/v1/LoadSmoothing.js';
import type { MarkRule as _ipvx_v1_MarkRule, MarkRule__Output as _ipvx_v1_MarkRule__Output } from './ipvx/v1/MarkRule.js';
import type { Rates as _ipvx_v1_Rates, Rates__Output as _ipvx_v1_Rates__Output } from './ipvx/v1/Rates.js';
import type { Real as _ipvx_v1_Real, Real__Output as _ipvx_v1_Real__Output } from './ipvx/v1/Real.js';
import type { RealRequest as _ipvx_v1_RealRequest, RealRequest__Output as _ipvx_v1_RealRequest__Output } from './ipvx/v1/RealRequest.js';
import type { RealStats as _ipvx_v1_RealStats, RealStats__Output as _ipvx_v1_RealStats__Output } from './ipvx/v1/RealStats.js';
import type { Service as _ipvx_v1_Service, Service__Output as _ipvx_v1_Service__Output } from './ipvx/v1/Service.js';
import type { ServiceKey as _ipvx_v1_ServiceKey, ServiceKey__Output as _ipvx_v1_ServiceKey__Output } from './ipvx/v1/ServiceKey.js';
import type { ServiceKeyRequest as _ipvx_v1_ServiceKeyRequest, ServiceKeyRequest__Output as _ipvx_v1_ServiceKeyRequest__Output } from './ipvx/v1/ServiceKeyRequest.js';
import type { ServiceRequest as _ipvx_v1_ServiceRequest, ServiceRequest__Output as _ipvx_v1_ServiceRequest__Output } from './ipvx/v1/ServiceRequest.js';
import type { ServiceStats as _ipvx_v1_ServiceStats, ServiceStats__Output as _ipvx_v1_ServiceStats__Output } from './ipvx/v1/ServiceStats.js';
import type { SetDefenseRequest as _ipvx_v1_SetDefenseRequest, SetDefenseRequest__Output as _ipvx_v1_SetDefenseRequest__Output } from './ipvx/v1/SetDefenseRequest.js';
import type { SetTimeoutsRequest as _ipvx_v1_SetTimeoutsRequest, SetTimeoutsRequest__Output as _ipvx_v1_SetTimeoutsRequest__Output } from './ipvx/v1/SetTimeoutsRequest.js';
import type { SorryServer as _ipvx_v1_SorryServer, SorryServer__Output as _ipvx_v1_SorryServer__Output } from './ipvx/v1/SorryServer.js';
import type { Timeouts as _ipvx_v1_Timeouts, Timeouts__Output as _ipvx_v1_Timeouts__Output } from './ipvx/v1/Timeouts.js';
import type { WatchRequest as _ipvx_v1_WatchRequest, WatchRequest__Output as _ipvx_v1_WatchRequest__Output } from './ipvx/v1/WatchRequest.js';
import type { ZeroCountersRequest as _ipvx_v1_ZeroCountersRequest, ZeroCountersRequest__Output as _ipvx_v1_ZeroCountersRequest__Output } from './ipvx/v1/ZeroCountersRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  ipvx: {
    v1: {
      ApplyConfigRequest: MessageTypeDefinition<_ipvx_v1_ApplyConfigRequest, _ipvx_v1_ApplyConfigRequest__Output>
      ApplyConfigResponse: MessageTypeDefinition<_ipvx_v1_ApplyConfigResponse, _ipvx_v1_ApplyConfigResponse__Output>
      BgpPeer: MessageTypeDefinition<_ipvx_v1_BgpPeer, _ipvx_v1_BgpPeer__Output>
      BgpSession: MessageTypeDefinition<_ipvx_v1_BgpSession, _ipvx_v1_BgpSession__Output>
      BgpSettings: MessageTypeDefinition<_ipvx_v1_BgpSettings, _ipvx_v1_BgpSettings__Output>
      BgpStatus: MessageTypeDefinition<_ipvx_v1_BgpStatus, _ipvx_v1_BgpStatus__Output>
      Change: MessageTypeDefinition<_ipvx_v1_Change, _ipvx_v1_Change__Output>
      ClearRequest: MessageTypeDefinition<_ipvx_v1_ClearRequest, _ipvx_v1_ClearRequest__Output>
      Connection: MessageTypeDefinition<_ipvx_v1_Connection, _ipvx_v1_Connection__Output>
      Counters: MessageTypeDefinition<_ipvx_v1_Counters, _ipvx_v1_Counters__Output>
      Defense: MessageTypeDefinition<_ipvx_v1_Defense, _ipvx_v1_Defense__Output>
      DefenseStatus: MessageTypeDefinition<_ipvx_v1_DefenseStatus, _ipvx_v1_DefenseStatus__Output>
      DesiredState: MessageTypeDefinition<_ipvx_v1_DesiredState, _ipvx_v1_DesiredState__Output>
      Empty: MessageTypeDefinition<_ipvx_v1_Empty, _ipvx_v1_Empty__Output>
      Event: MessageTypeDefinition<_ipvx_v1_Event, _ipvx_v1_Event__Output>
      FieldChange: MessageTypeDefinition<_ipvx_v1_FieldChange, _ipvx_v1_FieldChange__Output>
      GetConfigRequest: MessageTypeDefinition<_ipvx_v1_GetConfigRequest, _ipvx_v1_GetConfigRequest__Output>
      GetStatsRequest: MessageTypeDefinition<_ipvx_v1_GetStatsRequest, _ipvx_v1_GetStatsRequest__Output>
      GetStatsResponse: MessageTypeDefinition<_ipvx_v1_GetStatsResponse, _ipvx_v1_GetStatsResponse__Output>
      GetStatusRequest: MessageTypeDefinition<_ipvx_v1_GetStatusRequest, _ipvx_v1_GetStatusRequest__Output>
      GetStatusResponse: MessageTypeDefinition<_ipvx_v1_GetStatusResponse, _ipvx_v1_GetStatusResponse__Output>
      HaSettings: MessageTypeDefinition<_ipvx_v1_HaSettings, _ipvx_v1_HaSettings__Output>
      HaStatus: MessageTypeDefinition<_ipvx_v1_HaStatus, _ipvx_v1_HaStatus__Output>
      HaVip: MessageTypeDefinition<_ipvx_v1_HaVip, _ipvx_v1_HaVip__Output>
      Health: MessageTypeDefinition<_ipvx_v1_Health, _ipvx_v1_Health__Output>
      HealthCheck: MessageTypeDefinition<_ipvx_v1_HealthCheck, _ipvx_v1_HealthCheck__Output>
      HttpUrl: MessageTypeDefinition<_ipvx_v1_HttpUrl, _ipvx_v1_HttpUrl__Output>
      Ipvx: SubtypeConstructor<typeof grpc.Client, _ipvx_v1_IpvxClient> & { service: _ipvx_v1_IpvxDefinition }
      ListConnectionsRequest: MessageTypeDefinition<_ipvx_v1_ListConnectionsRequest, _ipvx_v1_ListConnectionsRequest__Output>
      Load: MessageTypeDefinition<_ipvx_v1_Load, _ipvx_v1_Load__Output>
      LoadBounds: MessageTypeDefinition<_ipvx_v1_LoadBounds, _ipvx_v1_LoadBounds__Output>
      LoadSmoothing: MessageTypeDefinition<_ipvx_v1_LoadSmoothing, _ipvx_v1_LoadSmoothing__Output>
      MarkRule: MessageTypeDefinition<_ipvx_v1_MarkRule, _ipvx_v1_MarkRule__Output>
      Rates: MessageTypeDefinition<_ipvx_v1_Rates, _ipvx_v1_Rates__Output>
      Real: MessageTypeDefinition<_ipvx_v1_Real, _ipvx_v1_Real__Output>
      RealRequest: MessageTypeDefinition<_ipvx_v1_RealRequest, _ipvx_v1_RealRequest__Output>
      RealStats: MessageTypeDefinition<_ipvx_v1_RealStats, _ipvx_v1_RealStats__Output>
      Service: MessageTypeDefinition<_ipvx_v1_Service, _ipvx_v1_Service__Output>
      ServiceKey: MessageTypeDefinition<_ipvx_v1_ServiceKey, _ipvx_v1_ServiceKey__Output>
      ServiceKeyRequest: MessageTypeDefinition<_ipvx_v1_ServiceKeyRequest, _ipvx_v1_ServiceKeyRequest__Output>
      ServiceRequest: MessageTypeDefinition<_ipvx_v1_ServiceRequest, _ipvx_v1_ServiceRequest__Output>
      ServiceStats: MessageTypeDefinition<_ipvx_v1_ServiceStats, _ipvx_v1_ServiceStats__Output>
      SetDefenseRequest: MessageTypeDefinition<_ipvx_v1_SetDefenseRequest, _ipvx_v1_SetDefenseRequest__Output>
      SetTimeoutsRequest: MessageTypeDefinition<_ipvx_v1_SetTimeoutsRequest, _ipvx_v1_SetTimeoutsRequest__Output>
      SorryServer: MessageTypeDefinition<_ipvx_v1_SorryServer, _ipvx_v1_SorryServer__Output>
      Timeouts: MessageTypeDefinition<_ipvx_v1_Timeouts, _ipvx_v1_Timeouts__Output>
      WatchRequest: MessageTypeDefinition<_ipvx_v1_WatchRequest, _ipvx_v1_WatchRequest__Output>
      ZeroCountersRequest: MessageTypeDefinition<_ipvx_v1_ZeroCountersRequest, _ipvx_v1_ZeroCountersRequest__Output>
    }
  }
}

