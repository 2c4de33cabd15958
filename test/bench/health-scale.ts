// Benchmark (not a test): the daemon health-checking many reals.
//
//   node build/js/test/bench/health-scale.js [--reals 10000] [--interval 5] [--check http|tcp]
//        [--window 20] [--dataplane memory|xdp] [--profile-dir DIR] [--quick]
//
// A lab of two namespaces: `dir` runs the daemon (`daemon.js run`, health checks on),
// `srv` holds ceil(reals/100) addresses with 100 listening ports each (one Node process,
// test/bench/fixtures/check-target.js). The config has one service per address
// (VIP 203.0.113.x:80, NAT) with 100 reals, all checked with the same check.
//
// Measured, and printed as a table:
// - checks per second: connections the targets served over the window / window
//   (the target is reals / interval);
// - daemon CPU (user + system, % of one core) and RSS over the window;
// - API latency while checking: GetStatus every 100 ms, GetStats every second (p50/p99/max);
// - detection at scale: every target stops; time until all reals are down (Watch
//   events), against interval x fall + timeout; then they start again and the time until
//   all are up, against interval x rise.
// Bounded: each phase has a deadline; the lab (namespaces, processes) is removed at the end
// and on failure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLab, type Host, type Lab, type Proc } from '../../src/lab/topology.js';
import { IpvxClient, type Event } from '../../src/api/client.js';
import { sleep, untilWith } from '../lib/wait.js';
import { benchArgs } from './lib/args.js';
import { machineLine, percentiles, table } from './lib/stats.js';

const args = benchArgs({
  reals: { type: 'string' }, interval: { type: 'string' }, check: { type: 'string' },
  window: { type: 'string' }, dataplane: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  'profile-dir': { type: 'string' }, // CPU-profile the daemon from the stop of the targets until all are down
});
const values = {
  reals: args.str('reals') ?? (args.quick ? '1000' : '10000'), // --quick (`make bench ARGS="... --quick"`): 1,000 reals
  interval: args.str('interval') ?? '5', window: args.str('window') ?? '20',
  check: args.str('check') ?? 'http', dataplane: args.str('dataplane') ?? 'memory',
  profileDir: args.str('profile-dir'),
};
if (args.flag('help')) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 20).join('\n'));
  process.exit(0);
}
const REALS = Number(values.reals), INTERVAL = Number(values.interval), WINDOW_S = Number(values.window);
const CHECK = values.check === 'tcp' ? 'tcp' : 'http';
const PORTS_PER_ADDR = 100, FIRST_PORT = 10000;
const TIMEOUT = 2, RISE = 1, FALL = 2;
const bad = [
  !(Number.isInteger(REALS) && REALS >= 1 && REALS <= 25_000) && `--reals ${values.reals}: 1-25000`,
  !(INTERVAL > 0 && INTERVAL <= 60) && `--interval ${values.interval}: seconds, above 0, at most 60`,
  !(WINDOW_S >= 1 && WINDOW_S <= 120) && `--window ${values.window}: 1-120 seconds`,
  !['http', 'tcp'].includes(values.check) && `--check ${values.check}: http or tcp`,
  !['memory', 'xdp'].includes(values.dataplane) && `--dataplane ${values.dataplane}: memory or xdp`,
].filter(Boolean);
if (bad.length) {
  console.error(`health-scale: ${bad.join('; ')}`);
  process.exit(2);
}
const ADDRS = Math.ceil(REALS / PORTS_PER_ADDR);
const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const DAEMON = js('../../src/daemon/main.js');
const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

const until = untilWith({ timeoutMs: 60_000, everyMs: 200 });

function cpuAndRss(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssPages = Number(f[21]);
  return { cpuS: (Number(f[11]) + Number(f[12])) / TICK, rssMiB: (rssPages * 4096) / 2 ** 20 };
}

const served = (p: Proc): number => {
  for (let i = p.lines.length - 1; i >= 0; i--) {
    try { return (JSON.parse(p.lines[i]!) as { served: number }).served; } catch { /* "ready" */ }
  }
  return 0;
};

function config(): object {
  const services = [];
  for (let a = 0; a < ADDRS; a++) {
    const n = Math.min(PORTS_PER_ADDR, REALS - a * PORTS_PER_ADDR);
    services.push({
      vip: `203.0.113.${a + 1}`, port: 80, scheduler: 'wrr', method: 'nat',
      reals: Array.from({ length: n }, (_, i) => ({ address: realAddr(a), port: FIRST_PORT + i, weight: 1 })),
      health: { check: CHECK === 'http' ? { type: 'http', path: '/' } : { type: 'tcp' }, interval: INTERVAL, timeout: TIMEOUT, rise: RISE, fall: FALL },
    });
  }
  return { services };
}
/** 198.51.100.1-250, then 192.0.2.1-250. */
const realAddr = (a: number) => (a < 250 ? `198.51.100.${a + 1}` : `192.0.2.${a - 249}`);

async function lab(l: Lab): Promise<Record<string, string | number>[]> {
  const dir = await l.addHost('dir');
  const srv = await l.addHost('srv');
  const link = await l.link(dir, srv, { ...(values.dataplane === 'xdp' ? { xdp: true } : {}) });
  await l.addAddress(dir, link.a.ifname, '198.51.100.254/24');
  await l.addAddress(dir, link.a.ifname, '192.0.2.254/24');
  for (let a = 0; a < ADDRS; a++) await l.addAddress(srv, link.b.ifname, `${realAddr(a)}/24`);
  // Many short connections from one host: let TIME_WAIT sockets be reused for new checks.
  await l.setSysctl(dir, 'net.ipv4.tcp_tw_reuse', 1);
  await l.setSysctl(srv, 'net.core.somaxconn', 4096);
  const startTargets = (h: Host) => l.node(h, js('./fixtures/check-target.js'), ['--first-port', String(FIRST_PORT), '--ports', String(Math.min(PORTS_PER_ADDR, REALS)), '--mode', CHECK], { ready: 'ready' });
  let targets = await startTargets(srv);

  const work = mkdtempSync(join(tmpdir(), 'ipvx-bench-health-'));
  const inode = l.nsId(dir);
  const rows: Record<string, string | number>[] = [];
  const row = (metric: string, value: string | number, note = '') => rows.push({ metric, value, note });
  let api: IpvxClient | undefined;
  let cancelWatch: (() => void) | undefined;
  try {
    writeFileSync(join(work, 'config.yaml'), JSON.stringify(config()));
    const startedAt = Date.now();
    const daemon = await l.spawn(dir, process.execPath, [
      DAEMON, 'run', '--run-dir', join(work, 'run'), '--state', join(work, 'state.yaml'), '--config', join(work, 'config.yaml'),
      '--dataplane', values.dataplane, '--interfaces', link.a.ifname, '--detach-on-stop', '--log-level', 'warn',
    ], values.profileDir ? { env: { ...process.env, IPVX_PROFILE_DIR: values.profileDir } } : {});
    api = new IpvxClient(`unix:${join(work, 'run', `${inode}.sock`)}`, { timeoutMs: 30_000 });
    await until('the daemon to serve', async () => {
      if (!daemon.running) throw new Error(`daemon exited: ${daemon.stderr.slice(-2000)}`);
      return api!.getStatus().then(() => true, () => false);
    }, 120_000);
    const pid = (await api.getStatus()).pid;
    row('daemon start with the config', `${((Date.now() - startedAt) / 1000).toFixed(1)} s`, `${REALS} reals in ${ADDRS} services`);

    const events: Event[] = [];
    const w = api.watch();
    cancelWatch = w.cancel;
    void (async () => { try { for await (const e of w.events) events.push(e); } catch { /* cancelled */ } })();
    await w.subscribed;

    // Warm-up: every real checked at least once (first checks are spread over one interval).
    await until('every target checked once', () => served(targets) >= REALS, (INTERVAL + TIMEOUT) * 1000 + 30_000);

    // The window: checks served, daemon CPU, API latency.
    const status: number[] = [], stats: number[] = [];
    const c0 = cpuAndRss(pid), s0 = served(targets), t0 = Date.now();
    const end = t0 + WINDOW_S * 1000;
    let nextStats = t0;
    let statsBytes = 0;
    while (Date.now() < end) {
      const a = performance.now();
      await api.getStatus();
      status.push(performance.now() - a);
      if (Date.now() >= nextStats) {
        const b = performance.now();
        const r = await api.getStats();
        stats.push(performance.now() - b);
        statsBytes = JSON.stringify(r).length;
        nextStats += 1000;
      }
      await sleep(100);
    }
    await sleep(1100); // the targets print their count once a second
    const c1 = cpuAndRss(pid), s1 = served(targets), t1 = Date.now();
    const secs = (t1 - t0) / 1000;
    const upNow = (await api.getStats()).services.reduce((n, s) => n + s.reals.filter((r) => r.health === 'up').length, 0);
    row('checks per second achieved', Math.round((s1 - s0) / secs), `target ${Math.round(REALS / INTERVAL)} (${REALS} reals / ${INTERVAL} s), ${CHECK}`);
    row('reals up (GetStats)', `${upNow} / ${REALS}`);
    row('daemon CPU', `${(((c1.cpuS - c0.cpuS) / secs) * 100).toFixed(1)} %`, 'of one core, user + system');
    row('CPU per check', `${(((c1.cpuS - c0.cpuS) / Math.max(1, s1 - s0)) * 1e6).toFixed(0)} us`);
    row('daemon RSS', `${c1.rssMiB.toFixed(0)} MiB`);
    const st = percentiles(status), ss = percentiles(stats);
    row('GetStatus latency p50 / p99 / max', `${st.p50.toFixed(1)} / ${st.p99.toFixed(1)} / ${st.max.toFixed(1)} ms`, `${st.n} calls, every 100 ms`);
    row('GetStats latency p50 / p99 / max', `${ss.p50.toFixed(0)} / ${ss.p99.toFixed(0)} / ${ss.max.toFixed(0)} ms`, `${ss.n} calls, ${(statsBytes / 1e6).toFixed(1)} MB as JSON`);

    // Detection at scale: every target goes away at once. Counted from GetStats (the
    // Watch stream carries the same transitions, but a reader that falls 10,000 events
    // behind is cut off by design).
    const count = async (state: string) => (await api!.getStats()).services.reduce((n, s) => n + s.reals.filter((r) => r.health === state).length, 0);
    // SIGUSR2 starts the daemon's CPU profiler (src/daemon/profile-signal.ts); the next one writes it.
    if (values.profileDir) process.kill(pid, 'SIGUSR2');
    const killedAt = Date.now();
    await targets.kill();
    const bound = INTERVAL * FALL + TIMEOUT;
    let downs = 0;
    try {
      await until('every real down', async () => (downs = await count('down')) >= REALS, (bound + 30) * 1000, 250);
      row('all reals down after the targets stopped', `${((Date.now() - killedAt) / 1000).toFixed(2)} s`, `bound interval x fall + timeout = ${bound} s (polled every 250 ms)`);
    } catch (e) {
      row('all reals down after the targets stopped', `only ${downs} / ${REALS}`, (e as Error).message.slice(0, 120));
    }
    if (values.profileDir) process.kill(pid, 'SIGUSR2');
    const restartAt = Date.now();
    targets = await startTargets(srv);
    let ups = 0;
    try {
      await until('every real up', async () => (ups = await count('up')) >= REALS, (INTERVAL * RISE + TIMEOUT + 30) * 1000, 250);
      row('all reals up after the targets restarted', `${((Date.now() - restartAt) / 1000).toFixed(2)} s`, `bound interval x rise (+ timeout) = ${INTERVAL * RISE + TIMEOUT} s`);
    } catch (e) {
      row('all reals up after the targets restarted', `only ${ups} / ${REALS}`, (e as Error).message.slice(0, 120));
    }
    row('Watch events received (real up/down)', events.filter((e) => e.kind === 'real').length, `${2 * REALS} transitions happened`);
    cancelWatch();
    await daemon.kill(10_000);
  } finally {
    cancelWatch?.();
    api?.close();
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

const rows = await withLab('ipvxbhc', lab);
console.log(`\nhealth-scale: ${REALS} reals, ${CHECK} checks every ${INTERVAL} s (timeout ${TIMEOUT} s, rise ${RISE}, fall ${FALL}), ${values.dataplane} data plane, ${WINDOW_S} s window`);
console.log(machineLine());
console.log(table(['metric', 'value', 'note'], rows.map((r) => [String(r.metric), String(r.value), String(r.note)])));
process.exit(0);
