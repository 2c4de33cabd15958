// Public surface of src/health.
export type { CheckResult, CheckTarget, Checker } from './types.js';
export { runCheck } from './check.js';
export { checkTcp } from './tcp.js';
export { checkHttp } from './http.js';
export { checkSendExpect } from './send-expect.js';
export { checkUdp } from './udp.js';
export { checkExec } from './exec.js';
export { checkAgent, readAgent, readLoad, type LoadSourceSpec, type LoadReading } from './load-source.js';
export {
  parseAgentLine,
  targetPercent,
  effectiveWeight,
  DEFAULT_SMOOTHING,
  type LoadSample,
  type WeightBounds,
  type Smoothing,
  type SmoothedWeight,
} from './load.js';
export { checkPolicy, type CheckPolicy, type HealthSpecExtras, type ServiceHealthExtras } from './policy.js';
export { initialHealth, observe, type Health, type RealHealth, type Transition } from './state.js';
export { realWeight } from './weights.js';
export { quorumUp, sorryActive, DEFAULT_QUORUM, type QuorumPolicy } from './quorum.js';
export { evaluateService, SORRY_WEIGHT, type RealInput, type ServiceOutcome } from './service-health.js';
export { applyHealth } from './adjust.js';
export { parseStatusCodes, statusMatches } from './status-codes.js';
export {
  HealthMonitor,
  systemClock,
  DEFAULT_MAX_IN_FLIGHT,
  type Clock,
  type HealthEvent,
  type ServiceEvent,
  type RealView,
  type ServiceView,
  type HealthMonitorOptions,
} from './monitor.js';
