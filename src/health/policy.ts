// Check timing and counting for one real, from its HealthSpec plus the options the
// model does not carry yet (alpha, delayBeforeRetry: see HealthSpecExtras).
import type { HealthSpec, ServiceSpec } from '../core/model.js';
import type { LoadSourceSpec } from './load-source.js';
import type { Smoothing, WeightBounds } from './load.js';

/** keepalived options the core model has no field for yet; read when present. */
export interface HealthSpecExtras {
  /** keepalived alpha: start down until `rise` checks pass (default: start up). */
  alpha?: boolean;
  /** keepalived delay_before_retry, seconds: re-check this soon after a failure while still up. */
  delayBeforeRetry?: number;
}

/** Per-service options the core model has no field for yet. */
export interface ServiceHealthExtras {
  /** keepalived quorum: the service is up while the up reals' weights sum to at least this (default 1). */
  quorum?: number;
  /** keepalived hysteresis around the quorum (default 0). */
  hysteresis?: number;
  /** piranha load_monitor / agent-check. */
  load?: LoadSourceSpec & { interval?: number; timeout?: number; bounds?: Partial<WeightBounds>; smoothing?: Partial<Smoothing> };
}

export interface CheckPolicy {
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  delayBeforeRetryMs: number;
  alpha: boolean;
}

export function checkPolicy(spec: HealthSpec & HealthSpecExtras): CheckPolicy {
  const intervalMs = Math.max(1, spec.interval * 1000);
  return {
    intervalMs,
    timeoutMs: Math.max(1, spec.timeout * 1000),
    rise: Math.max(1, Math.floor(spec.rise)),
    fall: Math.max(1, Math.floor(spec.fall)),
    // Without delay_before_retry a failed check is retried on the normal interval.
    delayBeforeRetryMs: spec.delayBeforeRetry !== undefined ? Math.max(0, spec.delayBeforeRetry * 1000) : intervalMs,
    alpha: spec.alpha === true,
  };
}

export function serviceExtras(s: ServiceSpec): ServiceHealthExtras {
  return s as ServiceSpec & ServiceHealthExtras;
}
