// Load-based dynamic weights (piranha load_monitor, HAProxy agent-check), pure.
//
// A sample is what a real said about itself; effectiveWeight() turns it into a
// weight. The weight is smoothed (EWMA) and only published when it moved by more
// than a dead band, so alternating samples do not make the schedule tables flap.
import { fail, ok, type Result } from '../core/result.js';

export type LoadSample =
  /** Share of the configured weight the real asks for ("75%"). */
  | { kind: 'percent'; percent: number }
  /** Load normalised to the real's capacity: 0 = idle, 1 = saturated ("load 0.75"). */
  | { kind: 'load'; load: number }
  /** Full weight ("up", "ready"). */
  | { kind: 'up' }
  /** No new flows, established ones continue ("drain"). */
  | { kind: 'drain' }
  /** The real says it is down: weight 0 at once ("down", "stopped", "fail", "maint"). */
  | { kind: 'down' };

/**
 * Parse one agent line, HAProxy agent-check style: words separated by spaces or
 * commas, e.g. "75%", "up", "down", "drain", "load 0.75", "up 50%". A state word
 * (down/drain) wins over a percentage on the same line.
 */
export function parseAgentLine(line: string): Result<LoadSample> {
  const words = line.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return fail('agent', 'empty reply');
  let state: LoadSample | undefined;
  let amount: LoadSample | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(w);
    if (pct) amount = { kind: 'percent', percent: Number(pct[1]) };
    else if (w === 'load') {
      const n = Number(words[++i]);
      if (words[i] === undefined || !Number.isFinite(n) || n < 0) {
        return fail('agent', `"load" must be followed by a non-negative number, got ${JSON.stringify(line.trim())}`);
      }
      amount = { kind: 'load', load: n };
    } else if (w === 'up' || w === 'ready') state ??= { kind: 'up' };
    else if (w === 'drain') state = state?.kind === 'down' ? state : { kind: 'drain' };
    else if (w === 'down' || w === 'stopped' || w === 'fail' || w === 'maint') state = { kind: 'down' };
    else return fail('agent', `unknown word "${w}" in reply ${JSON.stringify(line.trim())}`);
  }
  if (state && state.kind !== 'up') return ok(state);
  return ok(amount ?? state!);
}

/** Target percent of the configured weight for a sample. */
export function targetPercent(sample: LoadSample): number {
  switch (sample.kind) {
    case 'percent':
      return Math.max(0, sample.percent);
    case 'load':
      return Math.max(0, 100 * (1 - sample.load));
    case 'up':
      return 100;
    case 'drain':
    case 'down':
      return 0;
  }
}

export interface WeightBounds {
  /** Lowest weight load alone can push a real to (drain/down still give 0). */
  min: number;
  /** Highest weight, e.g. the configured weight or more for "150%". */
  max: number;
}

export interface Smoothing {
  /** EWMA factor: share of a new sample in the smoothed value (0 < alpha <= 1). */
  alpha: number;
  /** Publish only when the smoothed weight moved by more than this share of the configured weight. */
  deadBand: number;
}

export const DEFAULT_SMOOTHING: Smoothing = { alpha: 0.3, deadBand: 0.1 };

export interface SmoothedWeight {
  /** The EWMA, unrounded; follows every sample. */
  smoothed: number;
  /** The weight the data plane gets; moves only past the dead band. */
  published: number;
}

export function effectiveWeight(
  configured: number,
  sample: LoadSample,
  bounds: WeightBounds,
  previous?: SmoothedWeight,
  smoothing: Smoothing = DEFAULT_SMOOTHING,
): SmoothedWeight {
  // Drain and down are orders, not measurements: obey at once, restart smoothing from 0.
  if (sample.kind === 'drain' || sample.kind === 'down') return { smoothed: 0, published: 0 };
  const lo = Math.min(bounds.min, bounds.max);
  const target = clamp((configured * targetPercent(sample)) / 100, lo, bounds.max);
  if (!previous) return { smoothed: target, published: Math.round(target) };
  const smoothed = previous.smoothed + smoothing.alpha * (target - previous.smoothed);
  const band = smoothing.deadBand * Math.max(configured, 1);
  const rounded = Math.round(clamp(smoothed, lo, bounds.max));
  // Leaving 0 (after drain) is always published, or a tiny weight would stay drained.
  const moved = Math.abs(smoothed - previous.published) > band || (previous.published === 0 && rounded > 0);
  return { smoothed, published: moved ? rounded : previous.published };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
