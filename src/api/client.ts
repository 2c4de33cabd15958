// A typed, promise-based client of the daemon: of this network namespace by default
// (its unix socket), or of a TCP address (TLS, or plaintext on loopback).
import { statSync, readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { IpvxService, defaultSocketPath, ORIGIN_METADATA } from './proto.js';
import { netnsId } from '../common/netns.js';
import type { IpvxClient as RawClient } from './gen/ipvx/v1/Ipvx.js';
import type { DesiredState, DesiredState__Output } from './gen/ipvx/v1/DesiredState.js';
import type { Service } from './gen/ipvx/v1/Service.js';
import type { ServiceKey } from './gen/ipvx/v1/ServiceKey.js';
import type { Real } from './gen/ipvx/v1/Real.js';
import type { Timeouts, Timeouts__Output } from './gen/ipvx/v1/Timeouts.js';
import type { Defense__Output } from './gen/ipvx/v1/Defense.js';
import type { Defense } from '../core/model.js';
import type { GetStatusResponse__Output } from './gen/ipvx/v1/GetStatusResponse.js';
import type { ApplyConfigResponse__Output } from './gen/ipvx/v1/ApplyConfigResponse.js';
import type { GetStatsResponse__Output } from './gen/ipvx/v1/GetStatsResponse.js';
import type { Connection__Output } from './gen/ipvx/v1/Connection.js';
import type { Event__Output } from './gen/ipvx/v1/Event.js';
import type { ListConnectionsRequest } from './gen/ipvx/v1/ListConnectionsRequest.js';

export type { DesiredState, Service, ServiceKey, Real, Timeouts, GetStatusResponse__Output as Status, Event__Output as Event, Connection__Output as Connection };

/** No daemon to talk to: says how to start one. */
export class DaemonUnavailable extends Error {
  override name = 'DaemonUnavailable';
}

/** A daemon may be running, but this user may not reach its socket. */
export class DaemonPermissionDenied extends DaemonUnavailable {
  override name = 'DaemonPermissionDenied';
}

/** The daemon refused the request; `code` is the gRPC status (INVALID_ARGUMENT, NOT_FOUND, ...). */
export class IpvxError extends Error {
  override name = 'IpvxError';
  constructor(readonly code: grpc.status, message: string) { super(message); }

  /** The configuration changed between the caller's read and its compare-and-swap write. */
  get isConflict(): boolean { return this.code === grpc.status.ABORTED; }
}

export interface ConnectOptions {
  /** PEM files; without them the connection is plaintext (the daemon allows that only on loopback). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** Per-call deadline, ms (default 30 s). */
  timeoutMs?: number;
}

export interface CallOptions {
  /** On whose behalf a change is made; the daemon logs it and sends it with the config event (api/server.ts originOf). */
  origin?: string;
}

/** Largest reply the client accepts (big configs: GetConfig, ApplyConfig's changes). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const START_HINT = 'start it with: ipvx daemon start';
const permissionDenied = (where: string) =>
  `permission denied: cannot reach the ipvx daemon's socket ${where} as this user (uid ${process.getuid?.() ?? '?'}); the socket is root's (mode 0600): run as root`;

export class IpvxClient {
  readonly raw: RawClient;
  private readonly timeoutMs: number;

  constructor(readonly address: string, opts: ConnectOptions = {}) {
    const t = opts.tls;
    const creds = t
      ? grpc.credentials.createSsl(t.ca ? readFileSync(t.ca) : null, t.key ? readFileSync(t.key) : null, t.cert ? readFileSync(t.cert) : null)
      : grpc.credentials.createInsecure();
    // grpc-js refuses replies over 4 MB by default; ApplyConfig's change list for
    // 10,000 services x 10 reals is about 12 MB.
    this.raw = new IpvxService(address, creds, { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES }) as unknown as RawClient;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** The daemon of the caller's network namespace, found by its socket. */
  static local(socketPath = defaultSocketPath(netnsId()), opts: ConnectOptions = {}): IpvxClient {
    try {
      statSync(socketPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A user who may not look into the run directory (0700, root's) is not told to start a daemon that runs.
      if (code === 'EACCES' || code === 'EPERM') throw new DaemonPermissionDenied(permissionDenied(socketPath));
      throw new DaemonUnavailable(`ipvx daemon is not running in this network namespace (no socket at ${socketPath}); ${START_HINT}`);
    }
    return new IpvxClient(`unix:${socketPath}`, opts);
  }

  private call<Res>(method: string, req: object, o: CallOptions = {}): Promise<Res> {
    const fn = (this.raw as unknown as Record<string, Function>)[method]!;
    const md = new grpc.Metadata();
    if (o.origin) md.set(ORIGIN_METADATA, o.origin);
    return new Promise((resolve, reject) => {
      fn.call(this.raw, req, md, { deadline: Date.now() + this.timeoutMs }, (e: grpc.ServiceError | null, res: Res) => (e ? reject(this.error(e)) : resolve(res)));
    });
  }

  private error(e: grpc.ServiceError): Error {
    if (e.code === grpc.status.UNAVAILABLE && /EACCES|EPERM|permission denied/i.test(e.details)) {
      return new DaemonPermissionDenied(permissionDenied(this.address.replace(/^unix:/, '')));
    }
    if (e.code === grpc.status.UNAVAILABLE) return new DaemonUnavailable(`ipvx daemon at ${this.address} does not answer (${e.details}); ${START_HINT}`);
    return new IpvxError(e.code, e.details || e.message);
  }

  getStatus() { return this.call<GetStatusResponse__Output>('GetStatus', {}); }
  getConfig() { return this.call<DesiredState__Output>('GetConfig', {}); }
  /**
   * Replace the whole desired state; with dryRun only the changes are computed. With
   * expectedSerial (GetConfig's serial) only if nobody changed the configuration since:
   * otherwise an IpvxError with code ABORTED (isConflict) and nothing changes.
   */
  applyConfig(state: DesiredState, dryRun = false, expectedSerial?: number | string, o: CallOptions = {}) {
    return this.call<ApplyConfigResponse__Output>('ApplyConfig', { state, dryRun, ...(expectedSerial ? { expectedSerial: String(expectedSerial) } : {}) }, o);
  }
  addService(service: Service) { return this.call<object>('AddService', { service }); }
  updateService(service: Service) { return this.call<object>('UpdateService', { service }); }
  deleteService(service: ServiceKey) { return this.call<object>('DeleteService', { service }); }
  addReal(service: ServiceKey, real: Real) { return this.call<object>('AddReal', { service, real }); }
  updateReal(service: ServiceKey, real: Real) { return this.call<object>('UpdateReal', { service, real }); }
  deleteReal(service: ServiceKey, real: Pick<Real, 'address' | 'port'>) { return this.call<object>('DeleteReal', { service, real }); }
  clear() { return this.call<object>('Clear', {}); }
  zeroCounters(service?: ServiceKey) { return this.call<object>('ZeroCounters', service ? { service } : {}); }
  /** 0 leaves a timeout unchanged (ipvsadm --set); returns the timeouts now in force. */
  setTimeouts(timeouts: Timeouts) { return this.call<Timeouts__Output>('SetTimeouts', { timeouts }); }
  /** The flood defence settings given (the others stay); returns them all as now in force. */
  setDefense(defense: Partial<Defense>) { return this.call<Defense__Output>('SetDefense', { defense }); }
  getStats() { return this.call<GetStatsResponse__Output>('GetStats', {}); }

  async *listConnections(filter: ListConnectionsRequest = {}): AsyncIterable<Connection__Output> {
    const s = this.raw.ListConnections(filter);
    try {
      for await (const c of s as AsyncIterable<Connection__Output>) yield c;
    } catch (e) {
      throw this.error(e as grpc.ServiceError);
    } finally {
      s.cancel(); // stops the server's walk when the caller stops early; no-op after the end
    }
  }

  /**
   * Events as they happen. `subscribed` resolves once the daemon has registered the
   * watcher: changes made after it are seen.
   */
  watch(): { events: AsyncIterable<Event__Output>; subscribed: Promise<void>; cancel: () => void } {
    const s = this.raw.Watch({});
    const subscribed = new Promise<void>((resolve, reject) => {
      s.once('metadata', () => resolve());
      s.once('error', (e: grpc.ServiceError) => reject(this.error(e)));
    });
    subscribed.catch(() => undefined);
    return { events: s as unknown as AsyncIterable<Event__Output>, subscribed, cancel: () => s.cancel() };
  }

  close(): void {
    this.raw.close();
  }
}
