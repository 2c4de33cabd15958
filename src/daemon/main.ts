// `ipvx daemon run|start|stop|status`: one daemon per network namespace, found by
// the namespace's identity (/run/ipvx/<identity>.sock: src/common/netns.ts). The daemon's composition root:
// run() wires the parts (data plane, controller, API server, HA, BGP, metrics) and waits
// for SIGTERM; start/stop manage the process, status asks the running daemon. This file
// is also an entry point of its own (`node daemon/main.js run ...`), so `start` does not
// depend on the CLI.
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync, mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { netnsId } from '../common/netns.js';
import { resolveRunDir, runFiles, stateDir, type RunFiles } from '../common/paths.js';
import { claimStateDir, runningDaemon, purgeNamespace } from './namespace-files.js';
import { processAlive } from '../common/process-alive.js';
import { warnAboutVeths } from './veth-check.js';
import { IpvxClient, DaemonUnavailable, DaemonPermissionDenied } from '../api/client.js';
import { Controller } from './controller.js';
import { startServer, tcpCredentials } from '../api/server.js';
import { loadSavedState, saveState, moveAside, StateFileError, SavedState } from '../config/store.js';
import { parseConfig } from '../config/schema.js';
import { validateState, type Limits } from '../core/validate.js';
import { readLimits } from '../dataplane/limits.js';
import { formatErrors } from '../core/result.js';
import { metricsRegistry, serveMetrics } from '../metrics/exporter.js';
import { loadWebConfig } from '../metrics/web-config.js';
import type { Dataplane } from '../dataplane/port.js';
import { HaSupervisor, directorHaFactory, haStatusMessage } from './ha.js';
import { BgpSupervisor, birdFor } from './bgp.js';
import { birdPathErrors } from '../bgp/paths.js';
import { programPolicy, programErrors } from '../health/programs.js';
import { releaseMemory, memoryHousekeeping, releaseAfterRefusals } from './memory-release.js';
import { profileOnSignal } from './profile-signal.js';
import { VERSION } from '../common/version.js';
import { pinoLogger, type Logger } from '../common/log.js';
import { runSync } from '../common/command.js';
import { countersLines, defenseLines } from '../cli/dataplane-text.js';

const OPTIONS = {
  config: { type: 'string' }, state: { type: 'string' }, 'run-dir': { type: 'string' },
  'listen-tcp': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' },
  'insecure-loopback': { type: 'boolean' }, 'insecure-no-client-auth': { type: 'boolean' }, metrics: { type: 'string' }, interfaces: { type: 'string' },
  'xdp-mode': { type: 'string' }, dataplane: { type: 'string' }, 'detach-on-stop': { type: 'boolean' },
  'reset-state': { type: 'boolean' }, 'log-level': { type: 'string' }, 'no-health': { type: 'boolean' },
  counters: { type: 'boolean' },
  'max-flows': { type: 'string' }, 'ha-sync-interval': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  'exec-allow': { type: 'string', multiple: true }, 'script-user': { type: 'string' }, 'metrics-web-config': { type: 'string' },
  purge: { type: 'boolean' }, detach: { type: 'boolean' },
} as const;

export const DAEMON_HELP = `Usage: ipvx daemon run|start|stop|status [options]
  run                   run in the foreground (systemd Type=notify: READY=1 via systemd-notify)
  start                 start in the background; returns once the daemon answers on its socket
  stop                  SIGTERM the daemon of this network namespace and wait (forwarding continues)
    --purge             then remove this namespace's pinned maps, saved state and run files
                        (refused while the data plane is attached: add --detach to detach it)
  status                show the daemon's status (--counters: every data-plane counter)
Options:
  --config FILE         desired state (YAML) to apply at start instead of the saved state; it is then saved
  --state FILE          saved state (default /var/lib/ipvx/<netns>/state.yaml; <netns> is
                        host, the namespace's name (ip netns), or cookie-<N> for an unnamed one)
  --run-dir DIR         socket, pid and log files (default $IPVX_RUN_DIR, else /run/ipvx)
  --interfaces A,B      attach to these (default: every up, non-loopback interface)
  --xdp-mode native|generic
  --max-flows N         flow table size
  --dataplane xdp|memory
                        memory = a fake data plane that forwards nothing (API tests only)
  --listen-tcp H:P      also serve gRPC over TCP, with mutual TLS: --tls-cert/--tls-key and --tls-ca
                        (only clients with a certificate signed by that CA get in)
  --insecure-loopback   allow plaintext TCP, on a loopback address only
  --insecure-no-client-auth
                        allow TLS without --tls-ca: every client that reaches the port can
                        change the load balancer (not recommended)
  --metrics H:P         Prometheus metrics at http://H:P/metrics (they show every VIP, real and
                        weight: keep them on loopback, or protect them with --metrics-web-config)
  --metrics-web-config FILE
                        TLS and basic auth for the metrics, in the Prometheus exporter-toolkit
                        format (tls_server_config, basic_auth_users with bcrypt hashes)
  --detach-on-stop      on stop, detach the XDP program and unpin the maps (default: keep forwarding)
  --reset-state         if the state file is broken, move it aside and start empty
  --no-health           do not run health checks
  --exec-allow PATH     a program (or a directory of programs) that health checks may run
                        (exec, send-expect's sendProgram, a command load source); repeat for
                        more. Without, no check may run a program. They must be root's.
  --script-user USER    run those programs as USER (default: ipvx_script if it exists, else nobody)
  --ha-sync-interval S  HA: seconds between flow-table diffs sent to the standby (default 0.3)
  --log-level LEVEL     trace|debug|info|warn|error (default info); logs are JSON on stderr`;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string
};

export interface DaemonPaths extends RunFiles {
  state: string;
  /** The namespace's own state directory, when the state is kept in the default place (not --state). */
  stateDir?: string;
}

export function daemonPaths(v: Values, ns = netnsId(), env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const files = runFiles(resolveRunDir(v['run-dir'], env), ns);
  if (v.state) return { ...files, state: v.state };
  const dir = stateDir(ns);
  return { ...files, state: `${dir}/state.yaml`, stateDir: dir };
}

export async function runDaemonCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    console.error(`ipvx daemon: ${(e as Error).message}\n${DAEMON_HELP}`);
    return 2;
  }
  if (values.help || !sub || sub === 'help') { console.log(DAEMON_HELP); return sub ? 0 : 2; }
  const p = daemonPaths(values);
  try {
    switch (sub) {
      case 'run': return await run(values, p);
      case 'start': return await start(rest, p);
      case 'stop': return await stop(p, values);
      case 'status': return await status(p, Boolean(values.counters));
      default:
        console.error(`ipvx daemon: unknown command '${sub}' (run, start, stop, status)`);
        return 2;
    }
  } catch (e) {
    console.error(`ipvx daemon: ${(e as Error).message}`);
    return 1;
  }
}

/**
 * The desired state to start with: --config, else the saved state, else empty. Throws with
 * the reason. A --config replaces the saved state: it gets the next serial, so a client that
 * read the saved one cannot overwrite it unknowingly.
 */
function initialState(v: Values, p: DaemonPaths, limits: Limits, log: Logger): SavedState | undefined {
  if (v.config) {
    const r = parseConfig(readFileSync(v.config, 'utf8'), (s) => validateState(s, limits));
    if (!r.ok) throw new Error(`config file ${v.config} is not valid: ${formatErrors(r.errors)}`);
    let saved: number | undefined;
    try { saved = loadSavedState(p.state)?.serial; } catch { saved = undefined; }
    return { state: r.value.state, serial: (saved ?? 0) + 1 };
  }
  try {
    return loadSavedState(p.state, limits);
  } catch (e) {
    if (!(e instanceof StateFileError)) throw e;
    if (!v['reset-state']) {
      throw new Error(`${e.message}\n  The daemon does not start over a broken state. Fix the file, start with --config FILE, or start with --reset-state to move it aside and start empty.`);
    }
    const aside = moveAside(p.state);
    log.warn('state file was broken; moved aside, starting empty', { file: p.state, movedTo: aside, reason: e.detail });
    return undefined;
  }
}

async function createDataplane(v: Values, log: Logger): Promise<Dataplane & { adopted?: boolean }> {
  if (v.dataplane === 'memory') {
    const { MemoryDataplane } = await import('../dataplane/memory.js');
    return new MemoryDataplane({ record: false });
  }
  if (v.dataplane && v.dataplane !== 'xdp') throw new Error(`--dataplane ${v.dataplane}: expected xdp or memory`);
  const { createDataplane: create } = await import('../dataplane/xdp.js');
  return create({
    ...(v.interfaces ? { interfaces: v.interfaces.split(',').filter(Boolean) } : {}),
    mode: v['xdp-mode'] === 'generic' ? 'generic' : 'native',
    ...(v['max-flows'] ? { maxFlows: Number(v['max-flows']) } : {}),
    log,
  });
}

async function run(v: Values, p: DaemonPaths): Promise<number> {
  const log = pinoLogger(pino({ level: v['log-level'] ?? 'info', base: { netns: netnsId(), pid: process.pid } }, pino.destination({ fd: 2, sync: true })));
  refuseRunning(p);
  const tls = v['tls-cert'] || v['tls-key'] ? { cert: need(v, 'tls-cert'), key: need(v, 'tls-key'), ...(v['tls-ca'] ? { ca: v['tls-ca'] } : {}) } : undefined;
  const listen = { ...(v['listen-tcp'] ? { tcp: v['listen-tcp'] } : {}), ...(tls ? { tls } : {}), insecureLoopback: Boolean(v['insecure-loopback']), insecureNoClientAuth: Boolean(v['insecure-no-client-auth']) };
  if (listen.tcp) tcpCredentials(listen); // refuse bad TCP/TLS options before touching the data plane
  if (v['metrics-web-config'] && !v.metrics) throw new Error('--metrics-web-config needs --metrics H:P');
  const metricsWeb = v['metrics-web-config'] ? loadWebConfig(v['metrics-web-config']) : undefined;
  const syncInterval = v['ha-sync-interval'] === undefined ? 0.3 : Number(v['ha-sync-interval']);
  if (!(syncInterval >= 0.05 && syncInterval <= 60)) throw new Error(`--ha-sync-interval ${v['ha-sync-interval']}: expected seconds between 0.05 and 60`);
  const limits = readLimits();
  // Which programs health checks may run, as whom: the daemon's options decide, not the API.
  const programs = programPolicy(v['exec-allow'] ?? [], v['script-user']);
  if (programs.user?.uid === 0) log.warn('health check programs run as root (--script-user)', { user: programs.user.name });
  if (p.stateDir) claimStateDir(p.stateDir, log);
  const initial = initialState(v, p, limits, log);
  const refused = initial ? programErrors(initial.state, programs) : [];
  if (refused.length) {
    throw new Error(`the ${v.config ? `config file ${v.config}` : `saved state ${p.state}`} has health checks that run programs this daemon may not run: ${formatErrors(refused)}`);
  }
  const dp = await createDataplane(v, log);
  profileOnSignal(process.env.IPVX_PROFILE_DIR, log);
  const controller = new Controller({
    dataplane: dp, ...(initial ? { initial: initial.state, initialSerial: initial.serial } : {}), save: (s, serial) => saveState(p.state, s, serial), limits, health: !v['no-health'],
    healthOptions: { programs },
    log, onLargeChange: memoryHousekeeping(log),
    // BIRD's files come from the API: only where root keeps files, and no directory is made for them.
    // Health check programs only as the daemon's options allow (services unchanged since the last check are skipped).
    checkHost: (next, prev) => [...(next.bgp && next.bgp !== prev.bgp ? birdPathErrors(next.bgp) : []), ...programErrors(next, programs, prev)],
  });
  await controller.start();
  if (v.dataplane !== 'memory') warnAboutVeths(controller.interfaces(), log);
  // The saved state's load leaves the same garbage as a large ApplyConfig.
  if (controller.current.services.length) log.debug('memory released after loading the state', { ms: releaseMemory({ toOs: true }).ms });
  if (v.config) saveState(p.state, controller.current, controller.serial);
  const ha = new HaSupervisor(controller, directorHaFactory(dp, { syncIntervalMs: syncInterval * 1000 }), log);
  ha.follow();
  const bgp = new BgpSupervisor(controller, birdFor, log);
  bgp.follow();
  const startedAt = new Date().toISOString();
  // GetStatus waits for HA's first start: until its thread is up and has judged the local
  // health, the role is not known (a status then said 'standalone' for a configured HA).
  let haStarted!: () => void;
  const haReady = new Promise<void>((resolve) => { haStarted = resolve; });
  const srv = await startServer({
    controller, socketPath: p.socket, ...listen, onRefused: releaseAfterRefusals(log),
    status: async () => {
      await haReady;
      const hs = ha.status();
      return { version: VERSION, netns: netnsId(), startedAt, adopted: Boolean(dp.adopted), ...(hs ? { ha: haStatusMessage(hs) } : {}), ...bgpStatus(await bgp.status()) };
    },
  }).catch(async (e: Error) => { await bgp.stop(); controller.stop(); await dp.close({ detach: false }); throw e; });
  const metrics = v.metrics ? await serveMetrics(metricsRegistry(controller, { ha: () => ha.status() }), v.metrics, { ...(metricsWeb ? { web: metricsWeb } : {}), log }) : undefined;
  await ha.sync(controller.current.ha).finally(haStarted);
  await bgp.sync(); // announce once the data plane forwards and HA has its role
  writeFileSync(p.pid, String(process.pid));
  log.info('serving', { socket: p.socket, tcp: v['listen-tcp'], metrics: v.metrics, interfaces: controller.interfaces(), adopted: Boolean(dp.adopted), services: controller.current.services.length });
  notifyReady(log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const detach = Boolean(v['detach-on-stop']);
  log.info(detach ? 'stopping; detaching the data plane' : 'stopping; the data plane keeps forwarding', { detach });
  await bgp.stop(); // withdraw the VIPs first: routers move the flows while we still forward
  await ha.stop();
  controller.stop();
  await srv.close();
  metrics?.close();
  await dp.close({ detach });
  rmSync(p.pid, { force: true });
  return 0;
}

function need(v: Values, k: 'tls-cert' | 'tls-key'): string {
  const x = v[k];
  if (!x) throw new Error('TLS needs both --tls-cert and --tls-key');
  return x;
}

/**
 * systemd Type=notify. Node has no unix datagram sockets, so READY=1 goes through
 * systemd-notify; as it is a child process, the unit needs NotifyAccess=all.
 */
function notifyReady(log: Logger): void {
  if (!process.env.NOTIFY_SOCKET) return;
  try {
    runSync('systemd-notify', ['--ready', `--pid=${process.pid}`, '--status=serving']);
  } catch (e) {
    log.warn('NOTIFY_SOCKET is set but systemd-notify failed; systemd will not see the daemon ready', { error: (e as Error).message });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refuse to start beside a running daemon of this namespace's files (ours, or another namespace's). */
function refuseRunning(p: DaemonPaths): void {
  const d = runningDaemon(p.pid);
  if (!d || d.pid === process.pid) return;
  if (d.sameNamespace === false) {
    throw new Error(`${p.pid} names pid ${d.pid}, a daemon of another network namespace (one deleted and made again under the same name?); `
      + `stop that one (kill ${d.pid}) or start this one with another --run-dir`);
  }
  throw new Error(`already running in this network namespace (pid ${d.pid}); stop it with: ipvx daemon stop`);
}

async function start(args: string[], p: DaemonPaths): Promise<number> {
  refuseRunning(p);
  mkdirSync(p.log.slice(0, p.log.lastIndexOf('/')), { recursive: true, mode: 0o700 });
  const out = openSync(p.log, 'a', 0o600);
  const logStart = statSync(p.log).size; // show only what this start wrote
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'run', ...args], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  const logTail = () => (existsSync(p.log) ? readFileSync(p.log).subarray(logStart).toString('utf8').trim().split('\n').slice(-12).join('\n') : '');
  for (let i = 0; i < 600; i++) {
    if (exited !== undefined) {
      console.error(`ipvx daemon: failed to start (exit ${exited}); ${p.log} says:\n${logTail()}`);
      return 1;
    }
    if (existsSync(p.socket)) {
      const c = new IpvxClient(`unix:${p.socket}`, { timeoutMs: 1000 });
      try {
        const s = await c.getStatus();
        if (s.pid !== child.pid) throw new Error('another daemon answers'); // keep waiting for ours (or its exit)
        child.unref();
        console.log(`ipvx daemon started (pid ${child.pid}, socket ${p.socket}, ${s.services} services)`);
        for (const w of startWarnings(existsSync(p.log) ? readFileSync(p.log).subarray(logStart).toString('utf8') : '')) console.error(`warning: ${w}`);
        return 0;
      } catch {
        // not serving yet
      } finally {
        c.close();
      }
    }
    await sleep(100);
  }
  console.error(`ipvx daemon: did not answer on ${p.socket} within 60 s; ${p.log} says:\n${logTail()}`);
  return 1;
}

/** The messages of warnings (pino level >= 40) among the JSON lines a start logged. */
export function startWarnings(logText: string): string[] {
  const out: string[] = [];
  for (const line of logText.split('\n')) {
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string };
      if ((j.level ?? 0) >= 40 && j.msg) out.push(j.msg);
    } catch { /* not a log line */ }
  }
  return out;
}

async function stop(p: DaemonPaths, v: Values): Promise<number> {
  if (v.detach && !v.purge) { console.error('ipvx daemon stop: --detach goes with --purge (or start the daemon with --detach-on-stop)'); return 2; }
  // --purge of a namespace whose daemon is not running is what it is for: no error then.
  const stopped = !v.purge || runningDaemon(p.pid) ? await stopProcess(p) : 0;
  if (!v.purge || stopped !== 0) return stopped;
  const r = await purgeNamespace(p, { detach: Boolean(v.detach) });
  if (!r.ok) { console.error(`ipvx daemon: ${r.reason}`); return 1; }
  console.log(r.removed.length ? `removed: ${r.removed.join(' ')}` : 'nothing to remove');
  return 0;
}

async function stopProcess(p: DaemonPaths): Promise<number> {
  if (!existsSync(p.pid)) { console.error(`ipvx daemon: not running in this network namespace (no ${p.pid})`); return 1; }
  const d = runningDaemon(p.pid);
  if (!d) { rmSync(p.pid, { force: true }); console.error('ipvx daemon: not running (removed a stale pid file)'); return 1; }
  if (d.sameNamespace === false) { console.error(`ipvx daemon: ${p.pid} names pid ${d.pid}, which runs in another network namespace; not stopping it`); return 1; }
  const pid = d.pid;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300 && processAlive(pid); i++) await sleep(100);
  if (processAlive(pid)) { console.error(`ipvx daemon: pid ${pid} did not stop within 30 s`); return 1; }
  console.log('ipvx daemon stopped');
  return 0;
}

async function status(p: DaemonPaths, counters = false): Promise<number> {
  let c: IpvxClient;
  try {
    c = IpvxClient.local(p.socket);
  } catch (e) {
    // As LSB status: 3 not running, 4 unknown (here: this user may not ask).
    if (e instanceof DaemonUnavailable) { console.error(e.message); return e instanceof DaemonPermissionDenied ? 4 : 3; }
    throw e;
  }
  try {
    const s = await c.getStatus();
    console.log([
      `ipvx ${s.version}, netns ${s.netns}, running since ${s.startedAt}${s.adopted ? ' (adopted a running data plane)' : ''}`,
      `interfaces: ${s.interfaces.join(' ') || '-'}`,
      `services: ${s.services}, reals: ${s.reals}`,
      `role: ${s.role}`,
      ...haLines(s.ha),
      ...(s.bgp ? formatBgpStatus(s.bgp) : []),
      ...defenseLines(s.defense, s.globalCounters),
      ...(counters ? countersLines(s.globalCounters) : []),
    ].join('\n'));
    return 0;
  } catch (e) {
    if (e instanceof DaemonUnavailable) { console.error(e.message); return e instanceof DaemonPermissionDenied ? 4 : 3; }
    throw e;
  } finally {
    c.close();
  }
}

/** `ipvx daemon status` lines for HA: peer, last heartbeat, sync lag, rejections. */
export function haLines(h: import('../api/gen/ipvx/v1/HaStatus.js').HaStatus__Output | null | undefined): string[] {
  if (!h) return [];
  const age = Number(h.lastHeartbeatAgeMs);
  const lag = Number(h.syncLagMs);
  const rejected = Object.entries(h.rejected).filter(([, n]) => n !== '0').map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `peer: ${h.peer}${h.peerRole ? ` (${h.peerRole}, priority ${h.peerPriority}, ${h.peerAlive ? 'alive' : 'silent'})` : ' (never heard)'}, our priority ${h.priority}`,
    `last heartbeat: ${age >= 0 ? `${h.lastHeartbeat} (${(age / 1000).toFixed(1)} s ago)` : 'never'}`,
    `sync lag: ${lag >= 0 ? `${lag} ms` : '-'}, entries sent ${h.syncEntriesSent}, received ${h.syncEntriesReceived}${h.syncDropped !== '0' ? `, dropped ${h.syncDropped}` : ''}`,
    `heartbeats: sent ${h.heartbeatsSent}, accepted ${h.heartbeatsAccepted}, rejected ${rejected || '0'}`,
  ];
}

const bgpStatus = (b: object | undefined) => (b ? { bgp: b } : {});

/** `ipvx daemon status` lines for BGP: sessions and announced prefixes. */
export function formatBgpStatus(b: { announced: string[]; wanted: string[]; sessions: { name: string; peer: string; state: string; info: string; since: string }[]; error: string; withdrawnReason: string }): string[] {
  const up = b.sessions.filter((x) => x.state === 'Established').length;
  const lines = [
    `bgp: ${up}/${b.sessions.length} sessions established; announced: ${b.announced.join(' ') || '-'}`,
    ...b.sessions.map((x) => `  peer ${x.peer} (${x.name}): ${x.state}${x.since ? ` since ${x.since}` : ''}${x.info && x.info !== x.state ? ` [${x.info}]` : ''}`),
  ];
  if (b.withdrawnReason) lines.push(`  everything withdrawn: ${b.withdrawnReason}`);
  else if (b.wanted.join(' ') !== b.announced.join(' ')) lines.push(`  wanted: ${b.wanted.join(' ') || '-'} (BIRD does not hold that yet)`);
  if (b.error) lines.push(`  error: ${b.error}`);
  return lines;
}

// Entry point for `start` (and for running without the CLI dispatcher).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDaemonCommand(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => { console.error(e.message); process.exit(1); });
}
