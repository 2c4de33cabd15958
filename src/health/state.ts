// The health of one real as a pure state machine: results in, state and
// transitions out. Time is a number (ms) handed in by the caller.
import type { CheckPolicy } from './policy.js';
import type { CheckResult } from './types.js';

export type Health = 'up' | 'down';

export interface RealHealth {
  state: Health;
  /** Why the real is in its state: the reason of the check that decided it. */
  reason: string;
  consecutiveOk: number;
  consecutiveFail: number;
  lastResult?: CheckResult;
  lastCheckAt?: number;
  changedAt: number;
  nextCheckAt: number;
}

export interface Transition {
  from: Health;
  to: Health;
  reason: string;
  at: number;
}

/** First check at now + firstDelayMs (the monitor spreads these over the interval). */
export function initialHealth(policy: CheckPolicy, now: number, firstDelayMs = 0): RealHealth {
  return {
    state: policy.alpha ? 'down' : 'up',
    reason: policy.alpha ? 'not checked yet (alpha: down until proven up)' : 'not checked yet',
    consecutiveOk: 0,
    consecutiveFail: 0,
    changedAt: now,
    nextCheckAt: now + firstDelayMs,
  };
}

export function observe(
  h: RealHealth,
  result: CheckResult,
  policy: CheckPolicy,
  now: number,
): { health: RealHealth; transition?: Transition } {
  const okCount = result.ok ? h.consecutiveOk + 1 : 0;
  const failCount = result.ok ? 0 : h.consecutiveFail + 1;
  let state = h.state;
  let reason = h.reason;
  let changedAt = h.changedAt;
  let transition: Transition | undefined;
  if (h.state === 'down' && okCount >= policy.rise) state = 'up';
  if (h.state === 'up' && failCount >= policy.fall) state = 'down';
  if (state !== h.state) {
    changedAt = now;
    transition = { from: h.state, to: state, reason: countedReason(result.reason, state, state === 'up' ? okCount : failCount), at: now };
    reason = transition.reason;
  } else if (h.state === 'up' ? result.ok : !result.ok) {
    // The state stands; its reason follows the latest evidence.
    reason = result.reason;
  }
  // keepalived: while an up real is failing but not yet down, retry sooner.
  const retrying = !result.ok && state === 'up';
  const nextCheckAt = now + (retrying ? policy.delayBeforeRetryMs : policy.intervalMs);
  return {
    health: { state, reason, consecutiveOk: okCount, consecutiveFail: failCount, lastResult: result, lastCheckAt: now, changedAt, nextCheckAt },
    ...(transition ? { transition } : {}),
  };
}

function countedReason(reason: string, to: Health, n: number): string {
  const what = to === 'up' ? 'successes' : 'failures';
  return n > 1 ? `${reason} (${n} consecutive ${what})` : reason;
}
