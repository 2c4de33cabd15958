// The API's proto, loaded once (protobufjs through @grpc/proto-loader), and the
// conversions between its messages and the core model.
//
// Types in ./gen are generated from the proto with these loader options: after
// editing it, `npm run gen` (scripts/gen-api.sh; make test fails while they are stale).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fwmarkVip, type DesiredState, type ServiceSpec, type RealSpec, type Timeouts, type Protocol, type Defense } from '../core/model.js';
import { Result, ok, FieldError } from '../core/result.js';
import { parseIp } from '../core/addr.js';
import { checkPlain, stateFromPlain, serviceFromPlain, realFromPlain } from '../config/schema.js';
import type { ServiceKey } from '../core/edit.js';
import type { ProtoGrpcType } from './gen/ipvx.js';
import { resolveRunDir, runFiles } from '../common/paths.js';

// build/js/src/api/proto.js -> <root>/proto; src/api/proto.ts -> <root>/proto (ts-node style runs).
const fromBuild = new URL('../../../../proto/ipvx/v1/ipvx.proto', import.meta.url);
export const PROTO_PATH = fileURLToPath(import.meta.url.includes('/build/js/') ? fromBuild : new URL('../../proto/ipvx/v1/ipvx.proto', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };
export const packageDefinition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
export const ipvxProto = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
export const IpvxService = ipvxProto.ipvx.v1.Ipvx;
export const SERVICE_NAME = 'ipvx.v1.Ipvx';
/** Metadata in which a client says on whose behalf it changes the configuration (the console: user and browser address). */
export const ORIGIN_METADATA = 'ipvx-origin';

/** Socket of the daemon of a network namespace (by its identity: src/common/netns.ts) in the run directory (IPVX_RUN_DIR or /run/ipvx). */
export function defaultSocketPath(netns: string): string {
  return runFiles(resolveRunDir(), netns).socket;
}

// ---- messages -> model. proto3 with defaults:true fills absent fields with '' 0 false [] null;
// those mean "not given" in this API, except where noted, so they are dropped before the
// config schema (the same code as the YAML file) fills ipvsadm's defaults.

type Msg = Record<string, unknown>;

/** A decoded message without the defaults proto3 fills in (see above); exported for tests. */
export function strip(v: unknown): unknown {
  // An element keeps its place: an empty message becomes {} (its fields are then named
  // missing by validation, "services[0].vip"), a default scalar stays as it was.
  if (Array.isArray(v)) return v.length ? v.map((x) => strip(x) ?? (x !== null && typeof x === 'object' ? {} : x)) : undefined;
  if (v === null || v === '' || v === 0 || v === false) return undefined;
  if (typeof v !== 'object') return v;
  const m = v as Msg;
  const out: Msg = {};
  let n = 0;
  // Runs for every field of an ApplyConfig (770,000 at 10,000 x 10): no entry arrays, and
  // no "_field" string built per field: the fields an `optional` marker names are
  // collected from the (few) marker keys first.
  const keys = Object.keys(m);
  let present: string[] | undefined;
  for (const k of keys) {
    const f = m[k];
    if (k.charCodeAt(0) === 95 && typeof f === 'string' && k === `_${f}`) (present ??= []).push(f);
  }
  for (const k of keys) {
    if (k.charCodeAt(0) === 95) continue; // '_': synthetic oneof of a proto3 `optional`
    const x = m[k];
    // `optional` fields keep an explicit 0 (weight 0 = quiesced).
    const s = present?.includes(k) ? x : strip(x);
    if (s !== undefined) { out[k] = s; n++; }
  }
  return n ? out : undefined;
}

function shaped<T>(m: unknown, shape: 'Service' | 'Real', at: string, conv: (p: Msg) => T): Result<T> {
  const p = checkPlain(strip(m) ?? {}, shape, at);
  return p.ok ? ok(conv(p.value)) : p;
}

export function serviceFromMsg(m: Msg | null | undefined, at = 'service'): Result<ServiceSpec> {
  const port = Number(m?.port ?? 0); // port 0 is "every port", not "absent"
  return shaped(m, 'Service', at, (p) => serviceFromPlain({ ...p, port }));
}

export function realFromMsg(m: Msg | null | undefined, at = 'real'): Result<RealSpec> {
  if (!m) return { ok: false, errors: [{ field: at, message: 'a real (address, port, method, weight) is required' }] };
  return shaped(m, 'Real', at, realFromPlain);
}

export function stateFromMsg(m: Msg | null | undefined): Result<DesiredState> {
  const p = (strip(m) ?? {}) as Msg;
  // Service port 0 is meaningful: put it back where it was dropped.
  const services = (m?.services as Msg[] | undefined) ?? [];
  if (Array.isArray(p.services)) (p.services as Msg[]).forEach((s, i) => { s.port = Number(services[i]?.port ?? 0); });
  const r = stateFromPlain(p);
  if (!r.ok) return { ok: false, errors: r.errors.map((e) => ({ ...e, field: `state.${e.field}` })) };
  return r;
}

export function keyFromMsg(m: Msg | null | undefined, at = 'service'): Result<ServiceKey> {
  const errs: FieldError[] = [];
  if (!m) return { ok: false, errors: [{ field: at, message: 'a service (vip, port, protocol) is required' }] };
  const fwmark = Number(m.fwmark ?? 0);
  if (fwmark) {
    const v = parseIp(String(m.vip || '0.0.0.0'));
    if (!v.ok) return { ok: false, errors: [{ field: `${at}.vip`, message: v.errors[0]!.message }] };
    return ok({ vip: fwmarkVip(v.value.family), port: 0, protocol: 'tcp', fwmark });
  }
  const vip = parseIp(String(m.vip ?? ''));
  if (!vip.ok) errs.push({ field: `${at}.vip`, message: vip.errors[0]!.message });
  const protocol = (m.protocol || 'tcp') as Protocol;
  if (protocol !== 'tcp' && protocol !== 'udp') errs.push({ field: `${at}.protocol`, message: `'${protocol}' is not tcp or udp` });
  const port = Number(m.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) errs.push({ field: `${at}.port`, message: `${port} is not a port (0-65535)` });
  if (errs.length || !vip.ok) return { ok: false, errors: errs };
  return ok({ vip: vip.value.text, port, protocol });
}

/** The fields of a Defense message that are present (SetDefense changes only those). */
export function defenseFromMsg(m: Msg | null | undefined): Partial<Defense> {
  const p = (strip(m) ?? {}) as Msg;
  const out: Partial<Defense> = {};
  if (p.newFlowRate !== undefined) out.newFlowRate = Number(p.newFlowRate);
  if (p.dropEntry !== undefined) out.dropEntry = Number(p.dropEntry) as Defense['dropEntry'];
  if (p.secureTcp !== undefined) out.secureTcp = Number(p.secureTcp) as Defense['secureTcp'];
  if (p.synTimeout !== undefined) out.synTimeout = Number(p.synTimeout);
  return out;
}

export function timeoutsFromMsg(m: Msg | null | undefined): Partial<Timeouts> {
  return { tcp: Number(m?.tcp ?? 0), tcpFin: Number(m?.tcpFin ?? 0), udp: Number(m?.udp ?? 0) };
}
