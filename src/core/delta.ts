// Which services an edit touched, found by object identity: edits copy only what they
// change (edit.ts) and validated services are frozen, so a one-real edit of a state of
// 10,000 services differs from it in one array slot. The commit path uses this to
// validate, diff, write and save only the touched services instead of all of them.
import { DesiredState, ServiceSpec, serviceId } from './model.js';

export interface ServiceEdit {
  /** serviceId of the service, set once `after` is validated (validate.ts validateEdit); both sides are the same service. */
  id: string;
  /** Its spec in the previous state, and its index there (-1: it is new). */
  before?: ServiceSpec;
  beforeIndex: number;
  /** Its spec in the next state, and its index there (-1: it was removed). */
  after?: ServiceSpec;
  afterIndex: number;
}

export interface StateDelta {
  /** Touched services: removed ones in the previous state's order first, then the others in the next state's order (diffStates' order). */
  services: ServiceEdit[];
}

/** Above this many touched services the whole-state path is as cheap and simpler. */
export const DELTA_MAX_SERVICES = 16;

/**
 * The services `next` changes relative to `prev`, when `next` is `prev` with services
 * replaced in place, one appended, or one removed, every other slot holding the very
 * same object; undefined for anything else (a reorder, a reload), which the caller
 * handles as a whole state. Ids are left for validation to fill in (the next state is
 * not normalised yet); a replaced service must keep its identity.
 */
export function serviceDelta(prev: DesiredState, next: DesiredState, max = DELTA_MAX_SERVICES): StateDelta | undefined {
  const a = prev.services, b = next.services;
  if (a === b) return { services: [] };
  const out: ServiceEdit[] = [];
  if (a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (out.length >= max) return undefined;
      out.push({ id: '', before: a[i]!, beforeIndex: i, after: b[i]!, afterIndex: i });
    }
    return { services: out };
  }
  if (b.length === a.length + 1) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return undefined;
    const s = b[a.length]!;
    return { services: [{ id: '', beforeIndex: -1, after: s, afterIndex: a.length }] };
  }
  if (b.length === a.length - 1) {
    let j = 0;
    while (j < b.length && a[j] === b[j]) j++;
    for (let i = j; i < b.length; i++) if (a[i + 1] !== b[i]) return undefined;
    return { services: [{ id: serviceId(a[j]!), before: a[j]!, beforeIndex: j, afterIndex: -1 }] };
  }
  return undefined;
}
