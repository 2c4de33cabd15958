// What the data plane needs to pick a real for a service: how (sequence, hash or
// scan), with which flags, and the selection table as indices into the reals.
import type { ServiceSpec } from '../core/model.js';
import { SCHED_KIND, SVC_F } from './codec.js';
import { rrSequence, wrrSequence } from '../core/sched/wrr.js';
import { shTable } from '../core/sched/sh.js';
import { maglevTable, MH_DEFAULT_TABLE_SIZE } from '../core/sched/maglev.js';
import { leastConnTable } from '../core/sched/leastconn.js';

export interface ServiceTables {
  kind: number;
  flags: number;
  /** Indices into svc.reals; empty when no real can take new flows. */
  table: number[];
  /** The table is written as it is (lc/wlc/sed/nq: thresholds and indices), not mapped to real ids. */
  raw?: boolean;
}

/** Weight the data plane sees: configured weight, 0 = quiesced. */
export function serviceTables(svc: ServiceSpec, weights: number[] = svc.reals.map((r) => r.weight)): ServiceTables {
  let flags = 0;
  if (svc.persistence > 0) flags |= SVC_F.persist;
  if (svc.flags.includes('sh-port') || svc.flags.includes('mh-port')) flags |= SVC_F.hashPort;
  if (svc.flags.includes('sh-fallback') || svc.flags.includes('mh-fallback')) flags |= SVC_F.fallback;
  if (svc.ops) flags |= SVC_F.onePacket;
  switch (svc.scheduler) {
    case 'rr':
      return { kind: SCHED_KIND.seq, flags, table: rrSequence(weights) };
    case 'wrr':
      return { kind: SCHED_KIND.seq, flags, table: wrrSequence(weights) };
    case 'sh':
      return { kind: SCHED_KIND.hash, flags, table: dense(shTable(weights)) };
    case 'mh': {
      const reals = svc.reals.map((r, i) => ({ key: `${r.address}|${r.port}`, weight: weights[i]! }));
      return { kind: SCHED_KIND.hash, flags, table: dense(maglevTable(reals, MH_DEFAULT_TABLE_SIZE)) };
    }
    default:
      return { kind: SCHED_KIND[svc.scheduler], flags, table: leastConnTable(svc.scheduler, weights), raw: true };
  }
}

/** A table with no real at all (every weight 0) is empty: the service has nowhere to send new flows. */
function dense(t: number[]): number[] {
  return t.some((x) => x < 0) ? [] : t;
}
