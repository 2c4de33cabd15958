// The daemon's composition root, `ipvx daemon run|start|stop|status`: one daemon per
// network namespace, found by the inode of the namespace (/run/ipvx/<inode>.sock).
// run() wires the parts (data plane, controller, API server, HA, BGP, metrics) and
// waits for SIGTERM; start/stop are process management (process.ts), status asks the
// running daemon (status.ts). This file is also an entry point of its own
// (`node daemon/main.js run ...`), so `start` does not depend on the CLI.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { netnsId } from '../dataplane/pins.js';
import { Controller } from './controller.js';
import { startServer, tcpCredentials } from '../api/server.js';
import { loadSavedState, saveState, moveAside, StateFileError, SavedState } from '../config/store.js';
import { parseConfig } from '../config/schema.js';
import { validateState, type Limits } from '../core/validate.js';
import { readLimits } from '../dataplane/limits.js';
import { formatErrors } from '../core/result.js';
import { metricsRegistry, serveMetrics } from '../metrics/exporter.js';
import type { Dataplane } from '../dataplane/port.js';
import { HaSupervisor, directorHaFactory, haStatusMessage } from './ha.js';
import { BgpSupervisor, birdFor } from './bgp.js';
import { releaseMemory, memoryHousekeeping } from './memory-release.js';
import { profileOnSignal } from './profile-signal.js';
import { refuseIfRunning, start, stop, notifyReady, type DaemonPaths } from './process.js';
import { status } from './status.js';
import type { DesiredState } from '../core/model.js';
import { VERSION } from '../common/version.js';
import { pinoLogger, type Logger } from '../common/log.js';

const OPTIONS = {
  config: { type: 'string' }, state: { type: 'string' }, 'run-dir': { type: 'string' },
  'listen-tcp': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' },
  'insecure-loopback': { type: 'boolean' }, 'insecure-no-client-auth': { type: 'boolean' }, metrics: { type: 'string' }, interfaces: { type: 'string' },
  'xdp-mode': { type: 'string' }, dataplane: { type: 'string' }, 'detach-on-stop': { type: 'boolean' },
  'reset-state': { type: 'boolean' }, 'log-level': { type: 'string' }, 'no-health': { type: 'boolean' },
  'max-flows': { type: 'string' }, 'ha-sync-interval': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export const DAEMON_HELP = `Usage: ipvx daemon run|start|stop|status [options]
  run                   run in the foreground (systemd Type=notify: READY=1 via systemd-notify)
  start                 start in the background; returns once the daemon answers on its socket
  stop                  SIGTERM the daemon of this network namespace and wait (forwarding continues)
  status                show the daemon's status
Options:
  --config FILE         desired state (YAML) to apply at start instead of the saved state; it is then saved
  --state FILE          saved state (default /var/lib/ipvx/<netns>/state.yaml)
  --run-dir DIR         socket, pid and log files (default /run/ipvx)
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
  --metrics H:P         Prometheus metrics at http://H:P/metrics
  --detach-on-stop      on stop, detach the XDP program and unpin the maps (default: keep forwarding)
  --reset-state         if the state file is broken, move it aside and start empty
  --no-health           do not run health checks
  --ha-sync-interval S  HA: seconds between flow-table diffs sent to the standby (default 0.3)
  --log-level LEVEL     trace|debug|info|warn|error (default info); logs are JSON on stderr`;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export function daemonPaths(v: Values, ns = netnsId()): DaemonPaths {
  const run = v['run-dir'] ?? '/run/ipvx';
  return { socket: `${run}/${ns}.sock`, pid: `${run}/${ns}.pid`, log: `${run}/${ns}.log`, state: v.state ?? `/var/lib/ipvx/${ns}/state.yaml` };
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
      case 'start': return await start(rest, p, fileURLToPath(import.meta.url));
      case 'stop': return await stop(p);
      case 'status': return await status(p);
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
  refuseIfRunning(p.pid);
  const tls = v['tls-cert'] || v['tls-key'] ? { cert: need(v, 'tls-cert'), key: need(v, 'tls-key'), ...(v['tls-ca'] ? { ca: v['tls-ca'] } : {}) } : undefined;
  const listen = { ...(v['listen-tcp'] ? { tcp: v['listen-tcp'] } : {}), ...(tls ? { tls } : {}), insecureLoopback: Boolean(v['insecure-loopback']), insecureNoClientAuth: Boolean(v['insecure-no-client-auth']) };
  if (listen.tcp) tcpCredentials(listen); // refuse bad TCP/TLS options before touching the data plane
  const syncInterval = v['ha-sync-interval'] === undefined ? 0.3 : Number(v['ha-sync-interval']);
  if (!(syncInterval >= 0.05 && syncInterval <= 60)) throw new Error(`--ha-sync-interval ${v['ha-sync-interval']}: expected seconds between 0.05 and 60`);
  const limits = readLimits();
  const initial = initialState(v, p, limits, log);
  const dp = await createDataplane(v, log);
  profileOnSignal(process.env.IPVX_PROFILE_DIR, log);
  const controller = new Controller({
    dataplane: dp, ...(initial ? { initial: initial.state, initialSerial: initial.serial } : {}), save: (s, serial) => saveState(p.state, s, serial), limits, health: !v['no-health'],
    log, onLargeChange: memoryHousekeeping(log),
  });
  await controller.start();
  // The saved state's load leaves the same garbage as a large ApplyConfig.
  if (controller.current.services.length) log.debug('memory released after loading the state', { ms: releaseMemory({ toOs: true }).ms });
  if (v.config) saveState(p.state, controller.current, controller.serial);
  const ha = new HaSupervisor(controller, directorHaFactory(dp, { syncIntervalMs: syncInterval * 1000 }), log);
  ha.follow();
  const bgp = new BgpSupervisor(controller, birdFor, log);
  bgp.follow();
  const startedAt = new Date().toISOString();
  const srv = await startServer({
    controller, socketPath: p.socket, ...listen,
    status: async () => {
      const hs = ha.status();
      return { version: VERSION, netns: netnsId(), startedAt, adopted: Boolean(dp.adopted), ...(hs ? { ha: haStatusMessage(hs) } : {}), ...bgpStatus(await bgp.status()) };
    },
  }).catch(async (e: Error) => { await bgp.stop(); controller.stop(); await dp.close({ detach: false }); throw e; });
  const metrics = v.metrics ? await serveMetrics(metricsRegistry(controller, { ha: () => ha.status() }), v.metrics) : undefined;
  await ha.sync(controller.current.ha);
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

const bgpStatus = (b: object | undefined) => (b ? { bgp: b } : {});

function need(v: Values, k: 'tls-cert' | 'tls-key'): string {
  const x = v[k];
  if (!x) throw new Error('TLS needs both --tls-cert and --tls-key');
  return x;
}

// Entry point for `start` (and for running without the CLI dispatcher).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDaemonCommand(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => { console.error(e.message); process.exit(1); });
}
