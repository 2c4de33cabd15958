// A FAKE data plane for API tests and `ipvx daemon run --dataplane memory`: it only
// remembers what it was told and reports counters and flows that tests put in.
// It never forwards a packet.
import type { ApplyHint, Dataplane, DataplaneCounters, FlowView, Counters, PortableEntry, PortableChange, InstallResult } from './port.js';
import type { DesiredState, Timeouts } from '../core/model.js';
import { serviceId, realId, DEFAULT_TIMEOUTS } from '../core/model.js';

const zero = (): Counters => ({ conns: 0n, pktsIn: 0n, pktsOut: 0n, bytesIn: 0n, bytesOut: 0n });

export class MemoryDataplane implements Dataplane {
  /** The last state applied (a copy). */
  applied: DesiredState | undefined;
  timeouts: Timeouts = { ...DEFAULT_TIMEOUTS };
  applies = 0;
  /** Every state applied, in order (copies). */
  readonly history: DesiredState[] = [];
  /** Make the next apply throw (tests of rollback). */
  failNext: Error | undefined;
  /** Fake counters by serviceId, and by serviceId + '#' + realId. */
  readonly fakeCounters = new Map<string, Counters>();
  fakeGlobal: Record<string, bigint> = {};
  fakeFlows: FlowView[] = [];
  closed: { detach: boolean } | undefined;

  /**
   * record (default true, for tests): keep copies of every state applied. The daemon's
   * `--dataplane memory` turns it off: two deep copies of 10,000 reals per apply and an
   * ever-growing history were most of its CPU during a mass health transition.
   */
  constructor(private readonly opts: { record?: boolean } = {}) {}

  async apply(state: DesiredState, hint?: ApplyHint): Promise<void> {
    this.applies++;
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    if (this.opts.record === false) {
      // Applied states are not changed afterwards (services are frozen, applies build new states).
      this.applied = state;
      return;
    }
    this.applied = structuredClone(state);
    this.history.push(structuredClone(state));
  }

  async setTimeouts(t: Timeouts): Promise<void> {
    this.timeouts = { ...t };
  }

  async counters(): Promise<DataplaneCounters> {
    return {
      services: (this.applied?.services ?? []).map((s) => {
        const sid = serviceId(s);
        return {
          service: sid, ...(this.fakeCounters.get(sid) ?? zero()),
          reals: s.reals.map((r) => ({ real: realId(r), ...(this.fakeCounters.get(`${sid}#${realId(r)}`) ?? zero()), activeConns: 0, inactiveConns: 0 })),
        };
      }),
      global: { ...this.fakeGlobal },
    };
  }

  async zeroCounters(service?: string): Promise<void> {
    for (const k of [...this.fakeCounters.keys()]) if (!service || k === service || k.startsWith(`${service}#`)) this.fakeCounters.delete(k);
  }

  async *flows(): AsyncIterable<FlowView> {
    yield* this.fakeFlows;
  }

  /** Portable flow entries, keyed by kind + key (hex): what installFlows put in, what exportFlows gives out. */
  readonly syncTable = new Map<string, PortableEntry>();
  /** Make problem() report this (tests of the HA fault on a data plane that stopped forwarding). */
  fakeProblem: string | undefined;

  exportFlows(): PortableEntry[] {
    return [...this.syncTable.values()];
  }

  installFlows(changes: readonly PortableChange[]): InstallResult {
    const r = { installed: 0, removed: 0, skipped: 0 };
    for (const c of changes) {
      const id = `${c.kind}:${Buffer.from(c.key).toString('hex')}`;
      if (c.op === 'delete') { if (this.syncTable.delete(id)) r.removed++; continue; }
      if (!c.value) { r.skipped++; continue; }
      this.syncTable.set(id, { kind: c.kind, key: c.key, value: c.value });
      r.installed++;
    }
    return r;
  }

  async problem(): Promise<string | undefined> {
    return this.fakeProblem;
  }

  interfaces(): string[] {
    return ['memory0'];
  }

  async close(opts: { detach: boolean }): Promise<void> {
    this.closed = opts;
  }
}
