// The gRPC server: maps every RPC onto the Controller (edit -> validate -> apply ->
// save -> publish, one change at a time). Also serves grpc.health.v1 and server
// reflection (v1 and v1alpha) so generic gRPC tools work.
import { chmodSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import {
  IpvxService, PROTO_PATH, LOADER_OPTIONS, ORIGIN_METADATA, serviceFromMsg, realFromMsg, stateFromMsg, keyFromMsg, timeoutsFromMsg, defenseFromMsg, SERVICE_NAME,
} from './proto.js';
import { Controller, ApiError, IpvxEvent, apiError } from '../daemon/controller.js';
import { watchFeed, WatchHub } from './watch.js';
import { checkRequest, requestBounds, requestType, RequestRefused, MAX_REQUEST_BYTES, type RequestBounds } from './admission.js';
import { RequestScreen, type ScreenOptions } from './screen.js';
import * as edit from '../core/edit.js';
import { DesiredState, serviceId, realId, RealSpec, DEFAULT_DEFENSE } from '../core/model.js';
import { parseIp } from '../core/addr.js';
import { Result, clipText } from '../core/result.js';
import { isLoopbackHost } from '../common/loopback.js';

import type { Counters, FlowView } from '../dataplane/port.js';
import type { IpvxHandlers } from './gen/ipvx/v1/Ipvx.js';

export interface ServerOptions {
  controller: Controller;
  socketPath: string;
  /** host:port; mutual TLS unless insecureLoopback and the host is a loopback address. */
  tcp?: string;
  tls?: { cert: string; key: string; ca?: string };
  insecureLoopback?: boolean;
  /**
   * TLS without a client CA: anyone who reaches the port could run every RPC, so it is
   * refused unless this is set (or insecureLoopback on a loopback address, which already
   * accepts unauthenticated local clients).
   */
  insecureNoClientAuth?: boolean;
  /** What GetStatus adds to what the controller knows. */
  status?: () => StatusExtra | Promise<StatusExtra>;
  /**
   * A refused request's size in bytes: every one refused before decoding (admission.ts),
   * and those of at least 16 KB refused after. The daemon gives the memory back after large ones.
   */
  onRefused?: (bytes: number) => void;
  /** How large requests are screened in a worker thread before the main thread decodes them (screen.ts). */
  screen?: ScreenOptions;
}

/** What the daemon adds to GetStatus (bgp: src/daemon/bgp.ts). */
export interface StatusExtra { version?: string; netns?: string; startedAt?: string; adopted?: boolean; ha?: import('./gen/ipvx/v1/HaStatus.js').HaStatus; bgp?: object }

export interface RunningServer {
  server: grpc.Server;
  /** Bound TCP port, when listening on TCP. */
  tcpPort?: number;
  close(): Promise<void>;
}

type Msg = Record<string, unknown>;
const STATUS: Record<ApiError['code'], grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT, exists: grpc.status.ALREADY_EXISTS,
  'not-found': grpc.status.NOT_FOUND, conflict: grpc.status.ABORTED, internal: grpc.status.INTERNAL,
};

/**
 * Characters of a status message at most. It travels as an HTTP/2 trailer: gRPC C-core
 * clients refuse metadata over 8 KB ("received initial metadata size exceeds limit") and
 * grpc-js clients were seen to hang on ~60 KB, either way without the reason.
 */
export const MAX_STATUS_DETAILS = 4000;

function toStatus(e: unknown): Partial<grpc.StatusObject> {
  const err = e as Error;
  return { code: err instanceof ApiError ? STATUS[err.code] : grpc.status.INTERNAL, details: clipText(String(err?.message ?? err), MAX_STATUS_DETAILS) };
}

/** Where a request refused before decoding carries its refusal (admittedService). */
const REFUSED = Symbol('refused');
/** A large request's size in bytes, on its decoded message (a symbol: not one of its fields). */
const SIZE = Symbol('size');
/** A request left undecoded for the screen (screen.ts): its method, bytes and how to decode it. */
const DEFERRED = Symbol('deferred');
interface Deferred { method: string; bytes: Buffer; decode: () => Msg }
type Refusable = Msg & { [REFUSED]?: RequestRefused; [SIZE]?: number; [DEFERRED]?: Deferred };
/** Requests from this size on carry their size, so that a refusal after decoding can be reported. */
const SIZED_REQUEST = 64 * 1024;

/**
 * The service with every request checked against `bounds` on its bytes before it is
 * decoded (admission.ts). A refused request reaches its handler as a marker carrying the
 * refusal (a deserializer that throws becomes INTERNAL "Error deserializing request").
 */
function admittedService(def: grpc.ServiceDefinition, bounds: RequestBounds, screen: RequestScreen, onRefused?: (bytes: number) => void): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(def)) {
    const type = requestType(name);
    out[name] = {
      ...m,
      requestDeserialize: (bytes: Buffer) => {
        try {
          checkRequest(type, bytes, bounds);
        } catch (e) {
          if (!(e instanceof RequestRefused)) throw e;
          onRefused?.(bytes.length);
          return { [REFUSED]: e };
        }
        // Large: screened on its own thread first; decoded here only if it passes.
        if (screen.wants(name, bytes.length)) return { [DEFERRED]: { method: name, bytes, decode: () => m.requestDeserialize(bytes) as Msg } };
        const msg = m.requestDeserialize(bytes) as Refusable;
        if (bytes.length >= SIZED_REQUEST && msg && typeof msg === 'object') msg[SIZE] = bytes.length;
        return msg;
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

function refusal(req: Refusable): ApiError | undefined {
  const r = req?.[REFUSED];
  return r && new ApiError('invalid', r.detail, r.field);
}

/** A deferred request decoded once the screen let it through (a refusal of the screen is thrown). */
async function admitted(req: Refusable, screen: RequestScreen): Promise<Msg> {
  const d = req[DEFERRED];
  if (!d) return req;
  const refused = await screen.check(d.method, d.bytes);
  if (refused) throw new ApiError('invalid', refused);
  return d.decode();
}

/**
 * Handlers are typed loosely here (requests arrive with proto3 defaults) and checked by
 * proto.ts. A large request refused after decoding is reported to `onRefused` (its
 * decoded copies are garbage then).
 */
function unaryWith(screen: RequestScreen, onRefused?: (bytes: number) => void) {
  return <Res>(fn: (req: Msg, call: grpc.ServerUnaryCall<Msg, Res>) => Promise<Res> | Res): grpc.handleUnaryCall<Msg, Res> => (call, callback) => {
    const first = call.request as Refusable;
    const refused = refusal(first);
    if (refused) { callback(toStatus(refused)); return; }
    const size = first[SIZE] ?? first[DEFERRED]?.bytes.length;
    admitted(first, screen).then((req) => fn(req, call)).then(
      (res) => callback(null, res),
      (e: unknown) => {
        callback(toStatus(e));
        if (size) onRefused?.(size);
      },
    );
  };
}

const ORIGIN_MAX = 200;

/**
 * Who makes a change, for the log and the config event: what the client says of itself
 * (ORIGIN_METADATA; printable ASCII, bounded, as any client may write anything there) and
 * the connection it came on, which it cannot choose.
 */
export function originOf(call: { metadata: Pick<grpc.Metadata, 'get'>; getPeer(): string }): string {
  const said = call.metadata.get(ORIGIN_METADATA)[0];
  const text = typeof said === 'string' ? said.replace(/[^\x20-\x7e]/g, '?').slice(0, ORIGIN_MAX).trim() : '';
  const peer = call.getPeer();
  // grpc-js names a unix-socket peer "unknown" (or unix:...).
  const via = !peer || peer === 'unknown' || peer.startsWith('unix:') ? 'local socket' : peer.slice(0, ORIGIN_MAX);
  return text ? `${text} (via ${via})` : `via ${via}`;
}

function must<T>(r: Result<T>): T {
  if (!r.ok) throw apiError(r.errors);
  return r.value;
}

const counterMsg = (c: Counters) => ({
  conns: c.conns.toString(), pktsIn: c.pktsIn.toString(), pktsOut: c.pktsOut.toString(),
  bytesIn: c.bytesIn.toString(), bytesOut: c.bytesOut.toString(),
});

/**
 * Validation names fields of the whole state ("services[12].reals[3].weight"); a request
 * about one service or real gets them named as in the request ("real.weight").
 */
function renameFor(key: edit.ServiceKey, real?: Pick<RealSpec, 'address' | 'port'>) {
  return (field: string, next: DesiredState): string => {
    const i = next.services.findIndex((s) => serviceId(s) === serviceId(key));
    if (i < 0) return field;
    const svc = `services[${i}]`;
    if (real) {
      const rid = realId({ address: canon(real.address), port: real.port || key.port });
      const j = next.services[i]!.reals.findIndex((r) => realId({ address: canon(r.address), port: r.port || key.port }) === rid);
      const rp = `${svc}.reals[${j}]`;
      if (j >= 0 && (field === rp || field.startsWith(`${rp}.`))) return `real${field.slice(rp.length)}`;
    }
    if (field === svc || field.startsWith(`${svc}.`)) return `service${field.slice(svc.length)}`;
    return field;
  };
}

const canon = (a: string) => { const r = parseIp(a); return r.ok ? r.value.text : a; };

/** "192.0.2.1", "192.0.2.1:80" or "[2001:db8::1]:80" against a flow's real or client. */
function matchesEndpoint(filter: string, addr: string, port: number): boolean {
  if (!filter) return true;
  const bare = parseIp(filter);
  if (bare.ok) return bare.value.text === addr;
  const i = filter.lastIndexOf(':');
  const a = parseIp(filter.slice(0, i));
  return a.ok && a.value.text === addr && Number(filter.slice(i + 1)) === port;
}


export function handlers(c: Controller, status: ServerOptions['status'] = () => ({}), onRefused?: (bytes: number) => void, screen = new RequestScreen(c.limits)): IpvxHandlers {
  const unary = unaryWith(screen, onRefused);
  const watchers = new WatchHub(c);
  const empty = {};
  const serviceOf = (req: Msg) => must(keyFromMsg(req.service as Msg));
  const h = {
    GetStatus: unary(async () => {
      const s = c.current;
      // Status must answer even when the data plane cannot be read (that is when it is needed most).
      const global = await c.stats().then((x) => x.counters.global, () => ({} as Record<string, bigint>));
      return {
        version: '', netns: '', startedAt: '', adopted: false, ...(await status()),
        interfaces: c.interfaces(), services: s.services.length, reals: s.services.reduce((n, x) => n + x.reals.length, 0),
        globalCounters: Object.fromEntries(Object.entries(global).map(([k, v]) => [k, v.toString()])), role: c.role, pid: process.pid,
        configSerial: c.serial,
        defense: await c.defense().catch(() => undefined),
      };
    }),
    ApplyConfig: unary(async (req, call) => {
      if (req.state) delete (req.state as Msg).serial; // GetConfig's serial, sent back as it came: not part of the state
      let next: DesiredState | undefined = must(stateFromMsg(req.state as Msg));
      // The decoded message (110,000 protobuf objects at 10,000 x 10) is not needed once
      // converted: let it go before validation and the writes make their own copies.
      delete req.state;
      const dryRun = Boolean(req.dryRun);
      const listed = await c.commitSummary(() => {
        const value = next!;
        next = undefined; // held from here by the commit only while it needs it
        return { ok: true, value };
      }, { dryRun, rename: (f) => `state.${f}`, expectedSerial: Number(req.expectedSerial ?? 0), origin: originOf(call) });
      // A dry run is asked for the diff: all of it. An applied change lists the first CHANGE_LIST_LIMIT (commitSummary).
      return { ...listed, applied: !dryRun && listed.changes.length + listed.changesOmitted > 0 };
    }),
    GetConfig: unary(() => ({ ...c.current, serial: c.serial })),
    AddService: unary(async (req, call) => {
      const svc = must(serviceFromMsg(req.service as Msg));
      await c.commit((s) => edit.addService(s, svc), { rename: renameFor(svc), origin: originOf(call) });
      return empty;
    }),
    UpdateService: unary(async (req, call) => {
      const svc = must(serviceFromMsg(req.service as Msg));
      await c.commit((s) => edit.editService(s, svc), { rename: renameFor(svc), origin: originOf(call) });
      return empty;
    }),
    DeleteService: unary(async (req, call) => {
      const k = serviceOf(req);
      await c.commit((s) => edit.deleteService(s, k), { origin: originOf(call) });
      return empty;
    }),
    AddReal: unary(async (req, call) => {
      const k = serviceOf(req), r = must(realFromMsg(req.real as Msg));
      await c.commit((s) => edit.addReal(s, k, r), { rename: renameFor(k, r), origin: originOf(call) });
      return empty;
    }),
    UpdateReal: unary(async (req, call) => {
      const k = serviceOf(req), r = must(realFromMsg(req.real as Msg));
      await c.commit((s) => edit.editReal(s, k, r), { rename: renameFor(k, r), origin: originOf(call) });
      return empty;
    }),
    DeleteReal: unary(async (req, call) => {
      const k = serviceOf(req), r = must(realFromMsg(req.real as Msg));
      await c.commit((s) => edit.deleteReal(s, k, r), { origin: originOf(call) });
      return empty;
    }),
    Clear: unary(async (_req, call) => { await c.commit((s) => edit.clear(s), { origin: originOf(call) }); return empty; }),
    ZeroCounters: unary(async (req) => {
      await c.zero(req.service ? serviceId(serviceOf(req)) : undefined);
      return empty;
    }),
    SetTimeouts: unary(async (req, call) => {
      const t = timeoutsFromMsg(req.timeouts as Msg);
      await c.commit((s) => edit.setTimeouts(s, t), { rename: (f) => f, origin: originOf(call) });
      return c.current.timeouts;
    }),
    SetDefense: unary(async (req, call) => {
      const d = defenseFromMsg(req.defense as Msg);
      await c.commit((s) => edit.setDefense(s, d), { rename: (f) => f, origin: originOf(call) });
      return c.current.defense ?? DEFAULT_DEFENSE;
    }),
    GetStats: unary(async () => {
      const { counters, rates } = await c.stats();
      const persist = c.persistConns();
      const health = new Map((c.health?.view() ?? []).flatMap((s) => s.reals.map((r) => [`${s.service}#${r.real}`, r] as const)));
      // Configured weights by service and real, indexed once (a scan per real was quadratic).
      const weights = new Map(c.current.services.map((x) => [serviceId(x), new Map(x.reals.map((r) => [realId(r), r.weight]))]));
      return {
        services: counters.services.map((s) => ({
          service: s.service, counters: counterMsg(s), rates: rates(s.service),
          reals: s.reals.map((r) => {
            const hv = health.get(`${s.service}#${r.real}`);
            return {
              real: r.real, counters: counterMsg(r), rates: rates(s.service, r.real), activeConns: r.activeConns,
              inactiveConns: r.inactiveConns, persistConns: persist.get(`${s.service}#${r.real}`) ?? 0, effectiveWeight: hv ? (hv.effectiveWeight ?? 0) : (weights.get(s.service)?.get(r.real) ?? 0),
              health: hv && hv.check ? hv.state : 'unchecked',
              ...(hv && hv.check ? { healthReason: hv.reason, healthSince: hv.changedAt.toISOString() } : {}),
            };
          }),
        })),
        global: Object.fromEntries(Object.entries(counters.global).map(([k, v]) => [k, v.toString()])),
      };
    }),
    ListConnections: (call: grpc.ServerWritableStream<Msg, FlowView>) => {
      void (async () => {
        try {
          const req = call.request;
          const refused = refusal(req);
          if (refused) throw refused;
          const want = req.service ? must(keyFromMsg(req.service as Msg)) : undefined;
          for await (const f of c.flows()) {
            if (call.cancelled) return;
            if (want && (f.vip !== want.vip || f.vport !== want.port || f.protocol !== want.protocol)) continue;
            if (!matchesEndpoint(String(req.client ?? ''), f.client, f.clientPort)) continue;
            if (!matchesEndpoint(String(req.real ?? ''), f.real, f.rport)) continue;
            // Respect flow control: a slow client must not make us buffer the whole flow table.
            if (!call.write(f)) await new Promise((r) => { call.once('drain', r); call.once('cancelled', r); });
          }
          call.end();
        } catch (e) {
          // grpc-js sends a server stream's error status when the call emits 'error'.
          call.emit('error', toStatus(e));
        }
      })();
    },
    Watch: (call: grpc.ServerWritableStream<Msg, IpvxEvent>) => {
      // Bounded per watcher; one that falls behind is told how many events it missed (watch.ts).
      const stop = watchers.add(watchFeed(call));
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
      // Headers tell the client that it is subscribed: changes after this are seen.
      call.sendMetadata(new grpc.Metadata());
    },
  };
  return h as unknown as IpvxHandlers;
}

/**
 * Every service the server serves, for reflection: ipvx's, grpc.health.v1 and server
 * reflection itself (v1 and v1alpha), so `grpcurl list` shows them all and
 * `grpcurl describe grpc.health.v1.Health` works.
 */
function servedDefinitions(): protoLoader.PackageDefinition {
  const reflectionProtos = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto');
  return protoLoader.loadSync(
    [PROTO_PATH, healthProtoPath, 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'],
    { ...LOADER_OPTIONS, includeDirs: [reflectionProtos] },
  );
}

/** Refuse to take the socket of a daemon that still answers on it. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Credentials for --listen-tcp, or a refusal that says what to give instead. */
export function tcpCredentials(o: Pick<ServerOptions, 'tcp' | 'tls' | 'insecureLoopback' | 'insecureNoClientAuth'>): grpc.ServerCredentials {
  const addr = o.tcp ?? '';
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i);
  if (i < 0 || !/^\d+$/.test(addr.slice(i + 1))) throw new Error(`--listen-tcp ${addr}: expected ADDRESS:PORT (e.g. 127.0.0.1:7070 or [::1]:7070)`);
  if (o.tls) {
    // Without a client CA, TLS only hides the traffic: every client may call every RPC,
    // and some (exec health checks) run programs as root.
    if (!o.tls.ca && !o.insecureNoClientAuth && !(o.insecureLoopback && isLoopbackHost(host))) {
      throw new Error(`refusing TLS on ${addr} without client authentication: anyone who reaches the port could change the load balancer. `
        + 'Give --tls-ca CA.pem so that only clients with a certificate of that CA get in (mutual TLS), '
        + 'or --insecure-no-client-auth to serve every client that connects');
    }
    const read = (what: string, f: string) => {
      try { return readFileSync(f); } catch (e) { throw new Error(`cannot read the TLS ${what} ${f}: ${(e as Error).message}`); }
    };
    return grpc.ServerCredentials.createSsl(o.tls.ca ? read('CA', o.tls.ca) : null,
      [{ private_key: read('key', o.tls.key), cert_chain: read('certificate', o.tls.cert) }], Boolean(o.tls.ca));
  }
  if (o.insecureLoopback && isLoopbackHost(host)) return grpc.ServerCredentials.createInsecure();
  if (o.insecureLoopback) {
    throw new Error(`refusing plaintext TCP on ${addr}: --insecure-loopback only allows a loopback address (127.0.0.1, ::1); elsewhere give --tls-cert and --tls-key`);
  }
  throw new Error(`refusing plaintext TCP on ${addr}: give --tls-cert and --tls-key (and --tls-ca for mutual TLS), or --insecure-loopback with a loopback address`);
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  // Check the TCP settings before anything is bound.
  const tcpCreds = o.tcp ? tcpCredentials(o) : undefined;

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES });
  const screen = new RequestScreen(o.controller.limits, o.screen);
  server.addService(admittedService(IpvxService.service, requestBounds(o.controller.limits), screen, o.onRefused), handlers(o.controller, o.status, o.onRefused, screen));
  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(servedDefinitions()).addToServer(server);

  const dir = dirname(o.socketPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(o.socketPath)) {
    if (await socketInUse(o.socketPath)) throw new Error(`another ipvx daemon serves ${o.socketPath} (one daemon per network namespace; stop it with: ipvx daemon stop)`);
    rmSync(o.socketPath, { force: true });
  }
  const old = process.umask(0o177); // the socket is born 0600, not chmod-ed after a window
  try {
    await bind(server, `unix:${o.socketPath}`, grpc.ServerCredentials.createInsecure());
  } finally {
    process.umask(old);
  }
  chmodSync(o.socketPath, 0o600);
  let tcpPort: number | undefined;
  if (o.tcp && tcpCreds) {
    try {
      tcpPort = await bind(server, o.tcp, tcpCreds);
    } catch (e) {
      // Do not leave the socket behind: it would look like a daemon that does not answer.
      server.forceShutdown();
      rmSync(o.socketPath, { force: true });
      throw e;
    }
  }
  return {
    server,
    ...(tcpPort !== undefined ? { tcpPort } : {}),
    close: () => new Promise<void>((resolve) => {
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
      let closed = false;
      const done = () => { if (closed) return; closed = true; clearTimeout(force); void screen.close(); rmSync(o.socketPath, { force: true }); resolve(); };
      // Streams (Watch) never end by themselves: give them a moment, then cut them. A
      // client that does not read its socket (stopped, or blocked) holds even a forced
      // shutdown's callback: the daemon stops a second later all the same.
      const force = setTimeout(() => { server.forceShutdown(); setTimeout(done, 1000); }, 2000);
      server.tryShutdown(done);
    }),
  };
}

function bind(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(addr, creds, (e, port) => (e ? reject(new Error(`cannot listen on ${addr}: ${e.message}`)) : resolve(port))));
}
