// What changed in the flow table since the last look: the active director reads its
// whole table every sync interval (the XDP program has no cheap way to push new flows
// to userspace) and tells the standby only the differences. Pure.
import { portableSignature, type PortableEntry } from '../dataplane/portable.js';
import type { SyncEntry } from './sync.js';

const idOf = (e: { kind: string; key: Uint8Array }) => `${e.kind}:${Buffer.from(e.key).toString('hex')}`;

export class FlowDiffer {
  private last = new Map<string, { entry: PortableEntry; sig: string }>();

  /**
   * New entries and entries whose real or state changed become upserts; entries that
   * are gone (ended, expired, evicted) become deletes. Ages alone are not a change:
   * the periodic full resync refreshes them.
   */
  diff(now: readonly PortableEntry[]): SyncEntry[] {
    const out: SyncEntry[] = [];
    const next = new Map<string, { entry: PortableEntry; sig: string }>();
    for (const e of now) {
      const id = idOf(e);
      const sig = portableSignature(e.kind, e.value);
      next.set(id, { entry: e, sig });
      if (this.last.get(id)?.sig !== sig) out.push({ kind: e.kind, op: 'upsert', key: e.key, value: e.value });
    }
    for (const [id, { entry }] of this.last) {
      if (!next.has(id)) out.push({ kind: entry.kind, op: 'delete', key: entry.key });
    }
    this.last = next;
    return out;
  }

  /** Take `entries` as already told (a full resync is sending them). */
  rebase(entries: readonly PortableEntry[]): void {
    this.last = new Map(entries.map((e) => [idOf(e), { entry: e, sig: portableSignature(e.kind, e.value) }]));
  }

  get size(): number {
    return this.last.size;
  }
}
