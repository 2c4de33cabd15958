// What the console's server sends (src/console/*-routes.ts), typed with the daemon's own
// message and model types (type-only imports: nothing of the server is bundled).
import type { GetStatusResponse__Output as Status } from '../../../api/gen/ipvx/v1/GetStatusResponse.js';
import type { ServiceStats__Output as ServiceStats } from '../../../api/gen/ipvx/v1/ServiceStats.js';
import type { RealStats__Output as RealStats } from '../../../api/gen/ipvx/v1/RealStats.js';
import type { Event__Output as IpvxEvent } from '../../../api/gen/ipvx/v1/Event.js';
import type { HaStatus__Output as HaStatus } from '../../../api/gen/ipvx/v1/HaStatus.js';
import type { BgpStatus__Output as BgpStatus } from '../../../api/gen/ipvx/v1/BgpStatus.js';
import type { DesiredState, ServiceSpec, RealSpec, HealthSpec, HaSpec, BgpSpec, MarkRule, Method, SchedulerName } from '../../../core/model.js';

export type { Status, ServiceStats, RealStats, IpvxEvent, HaStatus, BgpStatus, DesiredState, ServiceSpec, RealSpec, HealthSpec, HaSpec, BgpSpec, MarkRule, Method, SchedulerName };

export interface Frame {
  at: number;
  status: Status;
  globalRates: Record<string, number>;
  stats: ServiceStats[];
  statsOmitted: number;
}

export interface Session { user: string; csrfToken: string; idleMs: number; endsAt: string }

export interface ConfigSnapshot { state: DesiredState; serial: string }

export interface Change { op: '+' | '-' | '~'; kind: string; id: string; detail: string }

export interface ChangeResult { changes: Change[]; changesOmitted: number; applied: boolean; serial: string }

export interface FieldError { field: string; message: string }

export interface Snapshot {
  host: string;
  connected: boolean;
  error: string;
  frame: Frame | null;
  recent: IpvxEvent[];
  history: { t: number[]; series: Record<string, number[]> };
}

export type RateKey = 'cps' | 'inpps' | 'outpps' | 'inbps' | 'outbps';
export interface ServiceHistory { t: number[]; series: Record<string, Record<RateKey, number[]>> }

export interface ImportPreview {
  format: 'keepalived' | 'lvs.cf' | 'ipvsadm';
  state: DesiredState;
  unmapped: { line: number; text: string; reason: string }[];
  unmappedOmitted: number;
  problems: FieldError[];
}
