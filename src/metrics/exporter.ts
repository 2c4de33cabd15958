// Prometheus metrics on an optional HTTP listener: per service and real connections,
// packets, bytes (read from the data plane at scrape time), every data-plane
// drop/pass reason, health state, HA role, heartbeats and connection sync.
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Registry, Gauge, Counter, collectDefaultMetrics } from 'prom-client';
import type { Controller, IpvxEvent } from '../daemon/controller.js';
import type { HaStatus } from '../ha/node.js';
import type { Logger } from '../common/log.js';
import { isLoopbackHost } from '../common/loopback.js';
import { BasicAuth, type WebConfig } from './web-config.js';
import { EVENTS } from '../dataplane/codec.js';

export interface Metrics {
  registry: Registry;
  /** Read the data plane and health into the registry; call before each exposition. */
  refresh(): Promise<void>;
}

export interface MetricsSources {
  /** The HA node's status while HA runs (undefined otherwise): heartbeat and sync metrics. */
  ha?: () => HaStatus | undefined;
}

export function metricsRegistry(c: Controller, src: MetricsSources = {}): Metrics {
  const reg = new Registry();
  // The process's own: resident memory, open descriptors, event-loop lag (p99 since the last scrape), heap.
  collectDefaultMetrics({ register: reg });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [reg] });
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [reg] });
  // The data plane keeps the totals; each scrape sets them (reset + inc) so deleted
  // services and reals disappear and ZeroCounters shows as a counter reset.
  const conns = counter('ipvx_connections_total', 'Connections scheduled; real="" is the service total', ['service', 'real']);
  const pkts = counter('ipvx_packets_total', 'Packets forwarded', ['service', 'real', 'direction']);
  const bytes = counter('ipvx_bytes_total', 'Bytes forwarded', ['service', 'real', 'direction']);
  const reasons = counter('ipvx_dataplane_packets_total', 'Packets by how they left the XDP program (the reason names the verdict: pass_, drop_, tx, redirect)', ['reason']);
  const events = counter('ipvx_dataplane_events_total', 'Things that happened to packets on their way (flows created, NAT replies, fragments followed, flood defence)', ['event']);
  const active = gauge('ipvx_real_active_connections', 'Active (established) connections of a real', ['service', 'real']);
  const inactive = gauge('ipvx_real_inactive_connections', 'Inactive connections of a real', ['service', 'real']);
  const up = gauge('ipvx_real_up', 'Health of a real: 1 up, 0 down (reals without a check count as up)', ['service', 'real']);
  const weight = gauge('ipvx_real_effective_weight', 'Weight the data plane uses after health and load', ['service', 'real']);
  const role = gauge('ipvx_ha_role', 'HA role of this director: 1 for the current role', ['role']);
  const services = gauge('ipvx_services', 'Configured virtual services', []);
  const scrapeOk = gauge('ipvx_scrape_ok', 'Whether the last scrape could read the data plane', []);
  // HA, labelled with the configured peer so the series exist only while HA runs
  // (unlabelled series would read 0 without HA). The node keeps the totals.
  const haCounter = (name: string, help: string, extra: string[] = []) => counter(name, help, ['peer', ...extra]);
  const haGauge = (name: string, help: string) => gauge(name, help, ['peer']);
  const hbSent = haCounter('ipvx_ha_heartbeats_sent_total', 'Heartbeats this director sent');
  const hbAccepted = haCounter('ipvx_ha_heartbeats_accepted_total', 'Authenticated heartbeats accepted from the peer');
  const haRejected = haCounter('ipvx_ha_rejected_total', 'Heartbeat and sync datagrams rejected, by why (forged, replayed, malformed, ...)', ['kind']);
  const peerAlive = haGauge('ipvx_ha_peer_alive', 'Whether the peer director was heard within deadtime');
  const hbAge = haGauge('ipvx_ha_last_heartbeat_age_seconds', 'Seconds since the last accepted heartbeat (absent before any)');
  const syncLag = haGauge('ipvx_ha_sync_lag_seconds', 'Active: age of the oldest unsent sync entry; standby: time since the last sync datagram');
  const syncSent = haCounter('ipvx_ha_sync_entries_sent_total', 'Connection entries sent to the standby');
  const syncReceived = haCounter('ipvx_ha_sync_entries_received_total', 'Connection entries received and installed or removed');
  const syncDropped = haCounter('ipvx_ha_sync_entries_dropped_total', 'Connection entries dropped because the send queue was full');
  const all = [conns, pkts, bytes, reasons, events, active, inactive, up, weight, role, services,
    hbSent, hbAccepted, haRejected, peerAlive, hbAge, syncLag, syncSent, syncReceived, syncDropped];
  // Counted as they happen (not reset per scrape): every up/down of a real and of a service's quorum.
  const transitions = counter('ipvx_real_transitions_total', 'Health transitions of a real, by the state it went to', ['service', 'real', 'to']);
  const serviceTransitions = counter('ipvx_service_transitions_total', 'Quorum transitions of a service (sorry server), by the state it went to', ['service', 'to']);
  c.on('event', (e: IpvxEvent) => {
    if (e.kind === 'real' && e.service && e.real && e.to) transitions.inc({ service: e.service, real: e.real, to: e.to });
    if (e.kind === 'service' && e.service && e.to) serviceTransitions.inc({ service: e.service, to: e.to });
  });

  // Not a collect() hook: the registry collects metrics concurrently, so the data must be in before.
  const read = async () => {
    for (const m of all) m.reset();
    role.set({ role: c.role }, 1);
    services.set(c.current.services.length);
    const ha = src.ha?.();
    if (ha) readHa(ha, c.current.ha?.peerAddress ?? '', Date.now());
    for (const s of c.health?.view() ?? []) {
      for (const r of s.reals) {
        up.set({ service: s.service, real: r.real }, r.state === 'down' ? 0 : 1);
        weight.set({ service: s.service, real: r.real }, r.effectiveWeight ?? 0);
      }
    }
    try {
      const { counters } = await c.stats();
      for (const s of counters.services) {
        const put = (real: string, x: { conns: bigint; pktsIn: bigint; pktsOut: bigint; bytesIn: bigint; bytesOut: bigint }) => {
          conns.inc({ service: s.service, real }, Number(x.conns));
          pkts.inc({ service: s.service, real, direction: 'in' }, Number(x.pktsIn));
          pkts.inc({ service: s.service, real, direction: 'out' }, Number(x.pktsOut));
          bytes.inc({ service: s.service, real, direction: 'in' }, Number(x.bytesIn));
          bytes.inc({ service: s.service, real, direction: 'out' }, Number(x.bytesOut));
        };
        put('', s);
        for (const r of s.reals) {
          put(r.real, r);
          active.set({ service: s.service, real: r.real }, r.activeConns);
          inactive.set({ service: s.service, real: r.real }, r.inactiveConns);
        }
      }
      for (const [k, v] of Object.entries(counters.global)) {
        if ((EVENTS as readonly string[]).includes(k)) events.inc({ event: k }, Number(v));
        else reasons.inc({ reason: k }, Number(v));
      }
      scrapeOk.set(1);
    } catch {
      scrapeOk.set(0);
    }
  };
  function readHa(st: HaStatus, peer: string, now: number): void {
    const l = { peer };
    hbSent.inc(l, st.heartbeatsSent);
    hbAccepted.inc(l, st.heartbeatsAccepted);
    for (const [kind, n] of Object.entries(st.rejected)) haRejected.inc({ peer, kind }, n);
    peerAlive.set(l, st.peer?.alive ? 1 : 0);
    if (st.lastHeartbeatAt !== null) hbAge.set(l, Math.max(0, now - st.lastHeartbeatAt) / 1000);
    if (st.syncLag !== null) syncLag.set(l, st.syncLag / 1000);
    syncSent.inc(l, st.sync.sender?.entries ?? 0);
    syncReceived.inc(l, (st.sync.receiver?.installed ?? 0) + (st.sync.receiver?.removed ?? 0));
    syncDropped.inc(l, st.sync.sender?.dropped ?? 0);
  }
  // Concurrent scrapes share one read (reset + inc must not interleave).
  let reading: Promise<void> | undefined;
  const refresh = () => (reading ??= read().finally(() => { reading = undefined; }));
  return { registry: reg, refresh };
}

export interface ServeOptions {
  /** TLS and basic authentication (web-config.ts). */
  web?: WebConfig;
  /** Where the warning about an open listener goes. */
  log?: Logger;
}

/** Whether `web` asks every client to prove who it is (a password or a verified certificate). */
function authenticates(web: WebConfig | undefined): boolean {
  return Boolean(web?.users?.size) || web?.tls?.clientAuth === 'RequireAndVerifyClientCert';
}

/**
 * Serve the metrics at http(s)://listen/metrics ("127.0.0.1:9100", "[::1]:9100"). They
 * show every VIP, real, weight, health and the HA role: off loopback without
 * authentication a warning is logged.
 */
export function serveMetrics(m: Metrics, listen: string, opts: ServeOptions = {}): Promise<Server> {
  const reg = m.registry;
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, ''), port = Number(listen.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) return Promise.reject(new Error(`--metrics ${listen}: expected ADDRESS:PORT`));
  const { web, log } = opts;
  if (!isLoopbackHost(host) && !authenticates(web)) {
    log?.warn('metrics are served to anyone who can reach them (VIPs, reals, weights, health, HA role): bind a loopback address, or give --metrics-web-config with basic_auth_users or verified client certificates', { listen, tls: Boolean(web?.tls) });
  }
  const auth = web?.users?.size ? new BasicAuth(web.users) : undefined;
  const clientAuth = web?.tls?.clientAuth ?? 'NoClientCert';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const sock = req.socket as TLSSocket;
      // The client certificate rules Node's TLS options cannot say on their own.
      if ((clientAuth === 'RequireAnyClientCert' && !sock.getPeerCertificate?.()?.raw)
        || (clientAuth === 'VerifyClientCertIfGiven' && sock.getPeerCertificate?.()?.raw && !sock.authorized)) {
        res.writeHead(403).end('a client certificate is required\n');
        return;
      }
      if (auth && !(await auth.check(req.headers.authorization))) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="ipvx metrics"' }).end('Unauthorized\n');
        return;
      }
      if (req.url !== '/metrics') { res.writeHead(404).end('see /metrics\n'); return; }
      m.refresh().then(() => reg.metrics()).then(
        (text) => res.writeHead(200, { 'content-type': reg.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(`${e.message}\n`),
      );
    })();
  };
  const t = web?.tls;
  const srv = t
    ? createHttpsServer({
      cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}), minVersion: t.minVersion, ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
      requestCert: clientAuth !== 'NoClientCert', rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
    }, handler)
    : createServer(handler);
  return new Promise((resolve, reject) => {
    srv.once('error', (e) => reject(new Error(`cannot serve metrics on ${listen}: ${e.message}`)));
    srv.listen(port, host, () => resolve(srv));
  });
}
