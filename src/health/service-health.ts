// From the health of a service's reals to the weights the data plane gets: quorum,
// quiesce vs remove, sorry server. Pure.
import { realId } from '../core/model.js';
import type { SmoothedWeight } from './load.js';
import { quorumUp, sorryActive, type QuorumPolicy } from './quorum.js';
import type { Health } from './state.js';
import type { CheckResult } from './types.js';
import { realWeight } from './weights.js';

export interface RealInput {
  id: string;
  configured: number;
  state: Health;
  onFailure: 'quiesce' | 'remove';
  lastResult?: CheckResult;
  load?: SmoothedWeight;
}

export interface ServiceOutcome {
  up: boolean;
  sorryActive: boolean;
  /** Summed effective weight of the up reals: what the quorum is compared with. */
  sumUp: number;
  /** realId -> weight. Removed reals are absent; the sorry server is present while it serves. */
  weights: Map<string, number>;
}

/** The sorry server gets this weight (it is alone with weight > 0 while it serves). */
export const SORRY_WEIGHT = 1;

export function evaluateService(
  reals: RealInput[],
  quorum: QuorumPolicy,
  wasUp: boolean | undefined,
  sorry?: { address: string; port: number },
): ServiceOutcome {
  const weights = new Map<string, number>();
  let sumUp = 0;
  for (const r of reals) {
    const w = realWeight(r.configured, r.state, r.onFailure, r.lastResult, r.load);
    if (w === null) continue;
    weights.set(r.id, w);
    if (r.state === 'up') sumUp += w;
  }
  const up = quorumUp(sumUp, quorum, wasUp);
  const useSorry = sorryActive(up, sorry);
  if (useSorry && sorry) {
    // Reals left below quorum get no new flows but keep their established ones
    // (keepalived removes them; quiescing is gentler and equivalent for new flows).
    for (const id of weights.keys()) weights.set(id, 0);
    weights.set(realId(sorry), SORRY_WEIGHT);
  }
  return { up, sorryActive: useSorry, sumUp, weights };
}
