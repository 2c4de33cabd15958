// What changes between two (validated) desired states: for ApplyConfig's dry run,
// `ipvx apply --dry-run` and the config events of Watch. Order is stable: removed
// services first (their reals go with them, unlisted), then the new state's services
// in order, each followed by its reals' changes; then timeouts, HA and BGP.
import { formatHostPort, parseIp } from './addr.js';
import { DesiredState, ServiceSpec, RealSpec, MarkRule, serviceId, realId, DEFAULT_DEFENSE } from './model.js';
import type { StateDelta } from './delta.js';

export interface FieldChange { field: string; from: string; to: string }

export interface Change {
  op: '+' | '-' | '~';
  kind: 'service' | 'real' | 'timeouts' | 'defense' | 'ha' | 'bgp' | 'mark';
  /** serviceId, serviceId + '|' + realId, 'timeouts', 'defense', 'ha', 'bgp', or 'mark|' + the rule. */
  id: string;
  /** What a person reads after "<op> <kind> ". */
  detail: string;
  /** For '~': every field that changed. */
  fields: FieldChange[];
}

const SVC_FIELDS = ['scheduler', 'flags', 'persistence', 'persistenceMask', 'method', 'health', 'sorryServer', 'quorum', 'hysteresis', 'load', 'ops'] as const;
const REAL_FIELDS = ['method', 'weight', 'upperThreshold', 'lowerThreshold', 'health', 'tunType', 'tunPort', 'tunChecksum'] as const;
const TIMEOUT_FIELDS = ['tcp', 'tcpFin', 'udp'] as const;
const DEFENSE_FIELDS = ['newFlowRate', 'dropEntry', 'secureTcp', 'synTimeout'] as const;

const show = (v: unknown): string =>
  v === undefined || v === null ? '-' : Array.isArray(v) ? (v.length ? v.join(',') : '-') : typeof v === 'object' ? JSON.stringify(v) : String(v);
/** JSON with object keys sorted: a value equals itself whatever order its keys were written in (a state read back and sent again). */
const canonical = (v: unknown): string => JSON.stringify(v ?? null, (_k, x: unknown) =>
  (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function fieldChanges<T>(a: T, b: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields.filter((f) => !same(a[f], b[f])).map((f) => ({ field: f, from: show(a[f]), to: show(b[f]) }));
}

const hostPort = (address: string, port: number) => {
  const a = parseIp(address);
  return a.ok ? formatHostPort(a.value, port) : `${address}:${port}`;
};
const svcText = (s: ServiceSpec) => (s.fwmark ? `fwm ${s.fwmark}${s.vip.includes(':') ? ' IPv6' : ''}` : `${s.protocol} ${hostPort(s.vip, s.port)}`);
const realText = (s: ServiceSpec, r: RealSpec) => `${svcText(s)} -> ${hostPort(r.address, r.port)}`;
const fieldsText = (f: FieldChange[]) => f.map((c) => `${c.field} ${c.from} -> ${c.to}`).join(', ');

/**
 * Collects changes, listing at most `limit` service and real changes and only counting
 * the rest: a reload of 10,000 services x 10 reals need not build 90,000 change
 * objects (and their texts) that no reply or event lists.
 */
class Sink {
  readonly out: Change[] = [];
  listed = 0;
  omitted = 0;
  constructor(private readonly limit: number) {}
  /** A service or real change, built only if it is listed. */
  item(make: () => Change): void {
    if (this.listed < this.limit) { this.out.push(make()); this.listed++; } else this.omitted++;
  }
  /** Timeouts, HA, BGP: always listed. */
  setting(c: Change): void {
    this.out.push(c);
  }
}

export interface ChangeSummary {
  changes: Change[];
  /** Service and real changes counted but not listed. */
  changesOmitted: number;
}

export function diffStates(a: DesiredState, b: DesiredState): Change[] {
  return diffStatesLimited(a, b, Infinity).changes;
}

/** diffStates(a, b) as summarizeChanges(…, limit) would list it, without building the changes left out. */
export function diffStatesLimited(a: DesiredState, b: DesiredState, limit: number): ChangeSummary {
  const out = new Sink(limit);
  const before = new Map(a.services.map((s) => [serviceId(s), s]));
  const after = new Map(b.services.map((s) => [serviceId(s), s]));
  for (const [id, s] of before) if (!after.has(id)) out.item(() => removedService(id, s));
  for (const [id, s] of after) diffService(id, before.get(id), s, out);
  diffSettings(a, b, out);
  return { changes: out.out, changesOmitted: out.omitted };
}

/**
 * diffStates(a, b) when b differs from a only in the services of `delta` (validated:
 * ids and specs set, as validateEdit returns it): the same changes, in the same order.
 */
export function diffDelta(a: DesiredState, b: DesiredState, delta: StateDelta): Change[] {
  return diffDeltaLimited(a, b, delta, Infinity).changes;
}

export function diffDeltaLimited(a: DesiredState, b: DesiredState, delta: StateDelta, limit: number): ChangeSummary {
  const out = new Sink(limit);
  for (const e of delta.services) if (!e.after && e.before) { const before = e.before; out.item(() => removedService(e.id, before)); }
  for (const e of delta.services) if (e.after) diffService(e.id, e.before, e.after, out);
  diffSettings(a, b, out);
  return { changes: out.out, changesOmitted: out.omitted };
}

const removedService = (id: string, s: ServiceSpec): Change => ({ op: '-', kind: 'service', id, detail: svcText(s), fields: [] });

/** One service of the next state against its previous spec (undefined: new). */
function diffService(id: string, old: ServiceSpec | undefined, s: ServiceSpec, out: Sink): void {
  if (!old) {
    out.item(() => ({ op: '+', kind: 'service', id, detail: `${svcText(s)} ${s.scheduler}`, fields: [] }));
    for (const r of s.reals) out.item(() => addedReal(id, s, r));
    return;
  }
  if (old === s) return; // validated services are immutable: the same object has not changed
  const f = fieldChanges(old, s, SVC_FIELDS);
  if (f.length) out.item(() => ({ op: '~', kind: 'service', id, detail: `${svcText(s)} ${fieldsText(f)}`, fields: f }));
  const ra = new Map(old.reals.map((r) => [realId(r), r]));
  const rb = new Map(s.reals.map((r) => [realId(r), r]));
  for (const [rid, r] of ra) if (!rb.has(rid)) out.item(() => ({ op: '-', kind: 'real', id: `${id}|${rid}`, detail: realText(s, r), fields: [] }));
  for (const [rid, r] of rb) {
    const o = ra.get(rid);
    if (!o) { out.item(() => addedReal(id, s, r)); continue; }
    if (o === r) continue;
    const rf = fieldChanges(o, r, REAL_FIELDS);
    if (rf.length) out.item(() => ({ op: '~', kind: 'real', id: `${id}|${rid}`, detail: `${realText(s, r)} ${fieldsText(rf)}`, fields: rf }));
  }
}

/** A rule as the change's detail ("+ mark 2 udp 2001:db8::/64 ports 53" once its kind is before it). */
const ruleText = (m: MarkRule) => `${m.mark} ${m.protocol} ${m.destination}${m.ports ? ` ports ${m.ports}` : ''}`;
const markText = (m: MarkRule) => `mark ${ruleText(m)}`;

/** Mark rules: each rule added or removed; the same rules in another order (first match wins) as one change. */
function diffMarks(a: MarkRule[], b: MarkRule[], out: Sink): void {
  const ta = a.map(markText), tb = b.map(markText);
  for (const [i, t] of ta.entries()) if (!tb.includes(t)) out.setting({ op: '-', kind: 'mark', id: `mark|${t}`, detail: ruleText(a[i]!), fields: [] });
  for (const [i, t] of tb.entries()) if (!ta.includes(t)) out.setting({ op: '+', kind: 'mark', id: `mark|${t}`, detail: ruleText(b[i]!), fields: [] });
  const kept = (x: string[], y: string[]) => x.filter((t) => y.includes(t));
  if (!same(kept(ta, tb), kept(tb, ta))) {
    out.setting({ op: '~', kind: 'mark', id: 'mark|order', detail: 'order of the rules (the first that matches marks)', fields: [{ field: 'order', from: ta.join('; '), to: tb.join('; ') }] });
  }
}

/** Mark rules, timeouts, HA and BGP. */
function diffSettings(a: DesiredState, b: DesiredState, out: Sink): void {
  if (a.marks !== b.marks) diffMarks(a.marks ?? [], b.marks ?? [], out);
  const tf = fieldChanges(a.timeouts, b.timeouts, TIMEOUT_FIELDS);
  if (tf.length) out.setting({ op: '~', kind: 'timeouts', id: 'timeouts', detail: fieldsText(tf), fields: tf });
  const df = fieldChanges(a.defense ?? DEFAULT_DEFENSE, b.defense ?? DEFAULT_DEFENSE, DEFENSE_FIELDS);
  if (df.length) out.setting({ op: '~', kind: 'defense', id: 'defense', detail: fieldsText(df), fields: df });
  if (!same(a.ha, b.ha)) {
    if (!b.ha) out.setting({ op: '-', kind: 'ha', id: 'ha', detail: 'settings removed', fields: [] });
    else if (!a.ha) out.setting({ op: '+', kind: 'ha', id: 'ha', detail: `peer ${b.ha.peerAddress}`, fields: [] });
    else {
      const keys = [...new Set([...Object.keys(a.ha), ...Object.keys(b.ha)])].sort() as (keyof typeof a.ha & string)[];
      const hf = fieldChanges(a.ha, b.ha, keys).map((c) => (c.field === 'key' ? { ...c, from: '(secret)', to: '(secret)' } : c));
      out.setting({ op: '~', kind: 'ha', id: 'ha', detail: fieldsText(hf), fields: hf });
    }
  }
  if (!same(a.bgp, b.bgp)) {
    if (!b.bgp) out.setting({ op: '-', kind: 'bgp', id: 'bgp', detail: 'settings removed', fields: [] });
    else if (!a.bgp) out.setting({ op: '+', kind: 'bgp', id: 'bgp', detail: `AS ${b.bgp.localAs}, ${b.bgp.peers.length} peers`, fields: [] });
    else {
      // Peers are shown without their passwords.
      const hide = (x: typeof b.bgp) => ({ ...x, peers: x.peers.map((p) => `${p.address} AS ${p.as}${p.port ? ` port ${p.port}` : ''}${p.password ? ' (password)' : ''}`) });
      const ha = hide(a.bgp), hb = hide(b.bgp);
      const keys = [...new Set([...Object.keys(ha), ...Object.keys(hb)])].sort() as (keyof typeof ha & string)[];
      const bf = fieldChanges(ha, hb, keys);
      if (!bf.length) bf.push({ field: 'peers', from: '(password)', to: '(password)' });
      out.setting({ op: '~', kind: 'bgp', id: 'bgp', detail: fieldsText(bf), fields: bf });
    }
  }
}


function addedReal(sid: string, s: ServiceSpec, r: RealSpec): Change {
  return { op: '+', kind: 'real', id: `${sid}|${realId(r)}`, detail: `${realText(s, r)} ${r.method} weight ${r.weight}`, fields: [] };
}

/** One line per change: "+ service tcp 203.0.113.10:80 wrr", "~ real tcp ... -> 192.0.2.1:80 weight 1 -> 3". */
export function renderChanges(changes: Change[]): string {
  return changes.map((c) => `${c.op} ${c.kind} ${c.detail}`).join('\n');
}

/** Service and real changes listed in a config event or an ApplyConfig reply; the rest are counted. */
export const CHANGE_LIST_LIMIT = 20_000;

/**
 * The changes as events and replies carry them: every timeouts/ha/bgp change (few, and
 * what followers act on), and the first `limit` service and real changes. A reload of
 * 10,000 services x 10 reals is 110,000 changes (12 MB in a reply, and again in every
 * watcher's event); a dry run still returns the full diff.
 */
export function summarizeChanges(changes: Change[], limit = CHANGE_LIST_LIMIT): { changes: Change[]; changesOmitted: number } {
  let listed = 0, omitted = 0;
  const kept: Change[] = [];
  for (const c of changes) {
    if (c.kind !== 'service' && c.kind !== 'real') kept.push(c);
    else if (listed < limit) { kept.push(c); listed++; } else omitted++;
  }
  return omitted ? { changes: kept, changesOmitted: omitted } : { changes, changesOmitted: 0 };
}
