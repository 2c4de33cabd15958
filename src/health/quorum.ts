// keepalived quorum with hysteresis, and the sorry server that stands in while the
// service is below quorum. Pure.

export interface QuorumPolicy {
  quorum: number;
  hysteresis: number;
}

export const DEFAULT_QUORUM: QuorumPolicy = { quorum: 1, hysteresis: 0 };

/**
 * Whether the service is up given the summed weight of its up reals. An up service
 * goes down below quorum - hysteresis; a down one comes up at quorum + hysteresis.
 * Without history (first evaluation) the plain quorum decides.
 */
export function quorumUp(sumWeights: number, policy: QuorumPolicy, wasUp?: boolean): boolean {
  if (wasUp === undefined) return sumWeights >= policy.quorum;
  return wasUp ? sumWeights >= policy.quorum - policy.hysteresis : sumWeights >= policy.quorum + policy.hysteresis;
}

/** The sorry server serves while the service is down and one is configured. */
export function sorryActive(serviceUp: boolean, sorry: unknown): boolean {
  return !serviceUp && sorry !== undefined;
}
