// The config file's shape: DesiredState as plain YAML/JSON data, with the field
// names of proto/ipvx/v1/ipvx.proto in camelCase. Checks types and unknown keys
// (a misspelt "schedular" is an error, not a silently ignored line) and fills the
// ipvsadm defaults; the meaning is checked afterwards by core/validate.ts.
import YAML from 'yaml';
import { FieldError, Result, ok } from '../core/result.js';
import { DesiredState, ServiceSpec, RealSpec, HealthSpec, HaSpec, BgpSpec, BGP_DEFAULTS, Timeouts, DEFAULT_TIMEOUTS, DEFAULT_SCHEDULER, LoadSpec, MarkRule, Defense, DEFAULT_DEFENSE } from '../core/model.js';

type Kind = 'string' | 'number' | 'boolean' | 'strings' | Shape | [Shape];
interface Shape { [field: string]: Kind }

const HTTP_URL: Shape = { path: 'string', statusCodes: 'string', bodyRegex: 'string', digest: 'string' };
const HEALTH_CHECK: Shape = {
  type: 'string', port: 'number', address: 'string', path: 'string', host: 'string', statusCodes: 'string',
  bodyRegex: 'string', verifyTls: 'boolean', send: 'string', expect: 'string', useRegex: 'boolean', sendProgram: 'string',
  payload: 'string', minLength: 'number', maxLength: 'number', command: 'string', dynamicWeight: 'boolean',
  replyOptional: 'boolean', reply: 'string', digest: 'string',
  urls: [HTTP_URL],
};
const HEALTH: Shape = {
  check: HEALTH_CHECK, interval: 'number', timeout: 'number', rise: 'number', fall: 'number', onFailure: 'string',
  alpha: 'boolean', delayBeforeRetry: 'number',
};
const REAL: Shape = {
  address: 'string', port: 'number', method: 'string', weight: 'number', upperThreshold: 'number', lowerThreshold: 'number', health: HEALTH,
  tunType: 'string', tunPort: 'number', tunChecksum: 'string',
};
const LOAD: Shape = {
  type: 'string', port: 'number', address: 'string', command: 'string', capacity: 'number', interval: 'number', timeout: 'number',
  bounds: { min: 'number', max: 'number' }, smoothing: { alpha: 'number', deadBand: 'number' },
};
const SERVICE: Shape = {
  vip: 'string', port: 'number', protocol: 'string', scheduler: 'string', flags: 'strings', persistence: 'number',
  persistenceMask: 'string', method: 'string', reals: [REAL], health: HEALTH,
  sorryServer: { address: 'string', port: 'number', method: 'string' }, quorum: 'number', hysteresis: 'number', load: LOAD,
  fwmark: 'number', ops: 'boolean',
};
const MARK_RULE: Shape = { mark: 'number', destination: 'string', protocol: 'string', ports: 'string' };
const TIMEOUTS: Shape = { tcp: 'number', tcpFin: 'number', udp: 'number' };
const DEFENSE: Shape = { newFlowRate: 'number', dropEntry: 'number', secureTcp: 'number', synTimeout: 'number' };
const HA: Shape = {
  enabled: 'boolean', localAddress: 'string', peerAddress: 'string', port: 'number', keepalive: 'number', deadtime: 'number',
  priority: 'number', preempt: 'boolean', preemptDelay: 'number', key: 'string',
  vips: [{ address: 'string', prefixLength: 'number', interface: 'string' }],
};
const BGP_PEER: Shape = { address: 'string', as: 'number', port: 'number', password: 'string' };
const BGP: Shape = {
  enabled: 'boolean', localAs: 'number', routerId: 'string', peers: [BGP_PEER], nextHop: 'string', birdConfig: 'string',
  birdSocket: 'string', holdTime: 'number', connectRetry: 'number',
};
export const STATE_SHAPE: Shape = { services: [SERVICE], marks: [MARK_RULE], timeouts: TIMEOUTS, defense: DEFENSE, ha: HA, bgp: BGP };
/** Exported so a test can hold them against the proto. */
export const SHAPES = {
  HttpUrl: HTTP_URL, HealthCheck: HEALTH_CHECK, Health: HEALTH, Real: REAL, Load: LOAD, Service: SERVICE, MarkRule: MARK_RULE, Timeouts: TIMEOUTS, Defense: DEFENSE, HaSettings: HA,
  BgpPeer: BGP_PEER, BgpSettings: BGP, DesiredState: STATE_SHAPE,
};

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`);

/** Check `v` against `shape`; returns a deep copy with only known keys. */
function check(v: unknown, kind: Kind, at: string, errs: FieldError[]): unknown {
  const want = (what: string) => { errs.push({ field: at, message: `expected ${what}, found ${typeName(v)}` }); return undefined; };
  if (kind === 'string') return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : want('a string');
  if (kind === 'number') return typeof v === 'number' && Number.isFinite(v) ? v : want('a number');
  if (kind === 'boolean') return typeof v === 'boolean' ? v : want('true or false');
  if (kind === 'strings') {
    if (!Array.isArray(v)) return want('a list of strings');
    return v.map((x, i) => check(x, 'string', `${at}[${i}]`, errs));
  }
  if (Array.isArray(kind)) {
    if (!Array.isArray(v)) return want('a list');
    return v.map((x, i) => check(x, kind[0], `${at}[${i}]`, errs));
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return want('a mapping');
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const f = at ? `${at}.${k}` : k;
    const sub = kind[k];
    if (!sub) { errs.push({ field: f, message: `unknown field (known: ${Object.keys(kind).join(', ')})` }); continue; }
    if (x === null || x === undefined) continue; // "key:" with no value = absent
    const c = check(x, sub, f, errs);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

type Plain = Record<string, unknown>;

function healthFrom(h: Plain): HealthSpec {
  return h as unknown as HealthSpec; // defaults and meaning: validate.ts
}

export function realFromPlain(r: Plain): RealSpec {
  const out: RealSpec = {
    address: (r.address as string) ?? '', port: (r.port as number) ?? 0, method: (r.method ?? '') as RealSpec['method'],
    weight: (r.weight as number) ?? 1, upperThreshold: (r.upperThreshold as number) ?? 0, lowerThreshold: (r.lowerThreshold as number) ?? 0,
  };
  if (r.health) out.health = healthFrom(r.health as Plain);
  if (r.tunType) out.tunType = r.tunType as RealSpec['tunType'];
  if (r.tunPort) out.tunPort = r.tunPort as number;
  if (r.tunChecksum) out.tunChecksum = r.tunChecksum as RealSpec['tunChecksum'];
  return out;
}

export function serviceFromPlain(s: Plain): ServiceSpec {
  const out: ServiceSpec = {
    vip: (s.vip as string) ?? '', port: s.port as number, protocol: (s.protocol ?? 'tcp') as ServiceSpec['protocol'],
    scheduler: (s.scheduler ?? DEFAULT_SCHEDULER) as ServiceSpec['scheduler'], flags: (s.flags ?? []) as ServiceSpec['flags'],
    persistence: (s.persistence as number) ?? 0, persistenceMask: (s.persistenceMask as string) ?? '',
    method: (s.method ?? 'dr') as ServiceSpec['method'], reals: ((s.reals ?? []) as Plain[]).map(realFromPlain),
  };
  if (s.health) out.health = healthFrom(s.health as Plain);
  if (s.sorryServer) out.sorryServer = s.sorryServer as ServiceSpec['sorryServer'] & object;
  if (s.quorum !== undefined) out.quorum = s.quorum as number;
  if (s.hysteresis !== undefined) out.hysteresis = s.hysteresis as number;
  if (s.load) out.load = s.load as LoadSpec;
  if (s.fwmark !== undefined) out.fwmark = s.fwmark as number;
  if (s.ops) out.ops = true;
  return out;
}

export function markFromPlain(m: Plain): MarkRule {
  return { mark: (m.mark as number) ?? 0, destination: (m.destination as string) ?? '', protocol: (m.protocol ?? 'tcp') as MarkRule['protocol'], ports: (m.ports as string) ?? '' };
}

function haFromPlain(h: Plain): HaSpec {
  return {
    enabled: (h.enabled as boolean) ?? false, localAddress: (h.localAddress as string) ?? '', peerAddress: (h.peerAddress as string) ?? '',
    port: (h.port as number) ?? 539, keepalive: (h.keepalive as number) ?? 2, deadtime: (h.deadtime as number) ?? 6,
    priority: (h.priority as number) ?? 100, preempt: (h.preempt as boolean) ?? true, preemptDelay: (h.preemptDelay as number) ?? 0,
    key: (h.key as string) ?? '', vips: (h.vips ?? []) as HaSpec['vips'],
  };
}

function bgpFromPlain(b: Plain): BgpSpec {
  return {
    enabled: (b.enabled as boolean) ?? false, localAs: (b.localAs as number) ?? 0, routerId: (b.routerId as string) ?? '',
    peers: ((b.peers ?? []) as Plain[]).map((p) => ({
      address: (p.address as string) ?? '', as: (p.as as number) ?? 0, port: (p.port as number) ?? 0, password: (p.password as string) ?? '',
    })),
    nextHop: (b.nextHop as string) ?? '', birdConfig: (b.birdConfig as string) || BGP_DEFAULTS.birdConfig,
    birdSocket: (b.birdSocket as string) || BGP_DEFAULTS.birdSocket, holdTime: (b.holdTime as number) ?? BGP_DEFAULTS.holdTime,
    connectRetry: (b.connectRetry as number) ?? BGP_DEFAULTS.connectRetry,
  };
}

/** Plain data (parsed YAML/JSON) -> DesiredState with defaults; errors name the field. Does not validate meaning. */
export function stateFromPlain(v: unknown): Result<DesiredState> {
  const errs: FieldError[] = [];
  const p = check(v ?? {}, STATE_SHAPE, '', errs) as Plain | undefined;
  if (errs.length || !p) return { ok: false, errors: errs };
  const state: DesiredState = {
    services: ((p.services ?? []) as Plain[]).map(serviceFromPlain),
    timeouts: { ...DEFAULT_TIMEOUTS, ...((p.timeouts ?? {}) as Partial<Timeouts>) },
  };
  if (Array.isArray(p.marks) && p.marks.length) state.marks = (p.marks as Plain[]).map(markFromPlain);
  if (p.defense) state.defense = { ...DEFAULT_DEFENSE, ...(p.defense as Partial<Defense>) };
  if (p.ha) state.ha = haFromPlain(p.ha as Plain);
  if (p.bgp) state.bgp = bgpFromPlain(p.bgp as Plain);
  return ok(state);
}

/** "services[2].reals[0].weight" -> ['services', 2, 'reals', 0, 'weight']. */
function pathOf(field: string): (string | number)[] {
  return field.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/**
 * Parse a YAML (or JSON) config: syntax, the caller's precheck of the top level, shape,
 * then meaning (validate). `skipKeys` are top-level keys the caller handles (the state
 * file's version and checksum).
 * Every error carries the line it was found on when the document has one.
 */
export function parseConfig(
  text: string, validate: (s: DesiredState) => Result<DesiredState>,
  opts: { skipKeys?: string[]; precheck?: (top: Plain) => string | undefined; maxAliasCount?: number } = {},
): Result<{ state: DesiredState; top: Plain }> {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return { ok: false, errors: doc.errors.map((e) => ({ field: '', message: `line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}` })) };
  }
  let js: unknown;
  try {
    js = doc.toJS(opts.maxAliasCount !== undefined ? { maxAliasCount: opts.maxAliasCount } : {});
  } catch (e) {
    // An alias without its anchor (or too many aliases: an alias bomb) is found only when the
    // document is turned into data: name the line of the first such alias.
    let at = '';
    YAML.visit(doc, { Alias: (_, n) => { if (!at && (!n.resolve(doc) || e instanceof RangeError || opts.maxAliasCount === 0) && n.range) { at = `line ${lines.linePos(n.range[0]).line}: `; return YAML.visit.BREAK; } return undefined; } });
    const message = opts.maxAliasCount === 0 ? 'it uses YAML aliases (&anchor, *alias), which are not allowed here' : (e as Error).message.split('\n')[0];
    return { ok: false, errors: [{ field: '', message: `${at}${message}` }] };
  }
  if (js !== null && (typeof js !== 'object' || Array.isArray(js))) return { ok: false, errors: [{ field: '', message: `expected a mapping at the top, found ${typeName(js)}` }] };
  const pre = opts.precheck?.((js ?? {}) as Plain);
  if (pre) return { ok: false, errors: [{ field: '', message: pre }] };
  const top = { ...((js ?? {}) as Plain) };
  for (const k of opts.skipKeys ?? []) delete top[k];
  // The line of the field, or of its nearest ancestor when the field is missing.
  const lineOf = (field: string) => {
    for (let path = pathOf(field); path.length; path = path.slice(0, -1)) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return `line ${lines.linePos(node.range[0]).line}: `;
    }
    return '';
  };
  const withLines = (errors: FieldError[]) => errors.map((e) => ({ field: e.field, message: `${lineOf(e.field)}${e.message}` }));
  const shaped = stateFromPlain(top);
  if (!shaped.ok) return { ok: false, errors: withLines(shaped.errors) };
  const v = validate(shaped.value);
  if (!v.ok) return { ok: false, errors: withLines(v.errors) };
  return ok({ state: v.value, top: (js ?? {}) as Plain });
}

/** Check one object of the named shape (used by the API for single services and reals). */
export function checkPlain(v: unknown, shape: keyof typeof SHAPES, at: string): Result<Plain> {
  const errs: FieldError[] = [];
  const p = check(v, SHAPES[shape], at, errs) as Plain | undefined;
  return errs.length || !p ? { ok: false, errors: errs } : ok(p);
}

/** DesiredState -> plain data for YAML/JSON: no undefined, fields in schema order. */
export function stateToPlain(s: DesiredState): Plain {
  return JSON.parse(JSON.stringify(s)) as Plain;
}

export function formatConfig(s: DesiredState): string {
  return YAML.stringify(stateToPlain(s));
}
