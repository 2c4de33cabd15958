// What every checker returns, and what it is called with.
import type { HealthCheckSpec } from '../core/model.js';

export interface CheckTarget {
  address: string;
  port: number;
}

export interface CheckResult {
  ok: boolean;
  /** Why, in words: "connected", "HTTP 500", "timeout", "exit 1". */
  reason: string;
  /** Weight as a percent of the configured weight (agent replies such as "75%"). */
  weightPercent?: number;
  /** Absolute weight reported by the check itself (keepalived misc_dynamic: exit code - 2). */
  weight?: number;
  latencyMs: number;
}

export type Checker<S extends HealthCheckSpec = HealthCheckSpec> = (
  target: CheckTarget,
  spec: S,
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<CheckResult>;

export type SpecOf<T extends HealthCheckSpec['type']> = Extract<HealthCheckSpec, { type: T }>;
