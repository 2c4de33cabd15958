// The weight the data plane gets for one real, from its health, what its check
// said about weight, and its load. Pure.
import { MAX_WEIGHT } from '../core/model.js';
import type { SmoothedWeight } from './load.js';
import type { Health } from './state.js';
import type { CheckResult } from './types.js';

/**
 * null = take the real out (down with onFailure 'remove'); 0 = quiesced (down with
 * 'quiesce', or drained): no new flows, established flows continue.
 */
export function realWeight(
  configured: number,
  state: Health,
  onFailure: 'quiesce' | 'remove',
  lastResult?: CheckResult,
  load?: SmoothedWeight,
): number | null {
  if (state === 'down') return onFailure === 'remove' ? null : 0;
  let w = configured;
  // keepalived misc_dynamic sets the weight itself; an agent asks for a share.
  if (lastResult?.ok && lastResult.weight !== undefined) w = lastResult.weight;
  else if (lastResult?.ok && lastResult.weightPercent !== undefined) w = (configured * lastResult.weightPercent) / 100;
  // Load scales whatever the check left, as a share of the configured weight.
  if (load) w = configured > 0 ? (w * load.published) / configured : 0;
  return Math.min(MAX_WEIGHT, Math.max(0, Math.round(w)));
}
