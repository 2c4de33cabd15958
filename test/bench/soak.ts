// `make bench ARGS=soak` (10 minutes; `--minutes N` longer, `--quick` about one): ipvx
// under churn for a long time. An HA pair of directors (DR, XDP data plane, health checks
// on) in front of four reals:
//
//   client --- router ===(front bridge)=== A, B
//                                          |  |
//                         (back bridge) === A, B, rs1..rs4
//
// While 20 long TCP echo connections and a short HTTP request every 100 ms run through
// the VIP (src/lab/servers/ha-load.ts):
//   - the configuration churns 10 times a second on both directors alike: reals
//     reweighted (both services), rs3 and rs4 removed and added again (the HTTP service);
//   - health checks flap: the check port of rs2 and rs4 opens and closes every 7 s (the
//     service port stays up: quiesce, no request should fail);
//   - the HA pair fails over once a minute: the active's links go down, the standby takes
//     the VIP, the links come back and the old active stays standby (no preempt);
//     with --quick, three times in its minute.
// Reported: long connections broken and bytes that came back wrong (goal 0), short
// requests that failed outside the failover windows (goal 0), packets misforwarded (TCP
// resets sent by a real from a service port: a segment of a connection it does not have;
// goal 0), each daemon's RSS and open descriptors at the start and the end, event-loop
// lag p99 (the daemon's own, from its metrics, every 10 s), and Watch events missed
// (serials skipped, 'missed' notices, churn changes accepted without an event).
import { Lab, type Host, type Proc } from '../../src/lab/topology.js';
import { buildHaPair, HaDirector } from '../../src/lab/ha-pair.js';
import { IpvxClient } from '../../src/api/client.js';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { IPVX_BIN } from '../../src/lab/classic.js';
import { haveCommand } from '../lib/have.js';
import { benchArgs } from './lib/args.js';
import { percentiles, table, fmt, machineLine } from './lib/stats.js';

const args = benchArgs({ minutes: { type: 'string' } });
const MINUTES = args.num('minutes', 10, 1);
const KEEPALIVE = 0.25, DEADTIME = 1.5;
const VIP = '198.51.100.10';
const REALS = ['203.0.113.11', '203.0.113.12', '203.0.113.13', '203.0.113.14'];
const CHECK_PORT = 8081;
const FLAPPERS = [1, 3]; // rs2, rs4
const CHURN_HZ = 10;
const CONNS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, f: () => Promise<boolean> | boolean, ms: number, every = 100): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { if (await f()) return; } catch { /* not yet */ }
    await sleep(every);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

function config(me: 2 | 3): string {
  const svc = (port: number, scheduler: string) => ({
    vip: VIP, port, protocol: 'tcp', scheduler, method: 'dr',
    reals: REALS.map((address) => ({ address, port, method: 'dr', weight: 1 })),
    health: { check: { type: 'tcp', port: CHECK_PORT }, interval: 1, timeout: 1, rise: 1, fall: 2, onFailure: 'quiesce' },
  });
  return JSON.stringify({
    services: [svc(80, 'wrr'), svc(9000, 'wlc')],
    ha: {
      enabled: true, localAddress: `198.51.100.${me}`, peerAddress: `198.51.100.${5 - me}`, port: 539,
      keepalive: KEEPALIVE, deadtime: DEADTIME, priority: me === 2 ? 150 : 100, preempt: false, key: 'soak shared key',
      vips: [{ address: VIP, prefixLength: 24, interface: 'front' }],
    },
  }, null, 1);
}

/** A director's daemon (health checks on), its client, and its own event-loop lag. */
class Director extends HaDirector {
  api!: IpvxClient;
  constructor(lab: Lab, host: Host, name: string, cfg: string) { super(lab, host, name, cfg, ['--log-level', 'warn']); }

  override async start(): Promise<void> {
    await super.start();
    this.api = this.client();
  }

  /** From the daemon's metrics: its event-loop lag p99 since the previous scrape (ms) and its V8 heap in use (MiB). */
  async scrape(): Promise<{ lagMs: number; heapMiB: number }> {
    const m = await this.metrics();
    const v = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(m)?.[1] ?? NaN);
    return { lagMs: v('nodejs_eventloop_lag_p99_seconds') * 1000, heapMiB: v('nodejs_heap_size_used_bytes') / 2 ** 20 };
  }

  alive(): boolean { return Boolean(this.proc?.running); }
}

async function build(lab: Lab) {
  const t = await buildHaPair(lab, { reals: REALS });
  for (const [i, r] of t.reals.entries()) {
    await lab.exec(r, process.execPath, [IPVX_BIN, 'realserver', 'setup', '--vip', VIP, '--method', 'dr']);
    await lab.node(r, server('http-name'), ['--name', `rs${i + 1}`, '--port', '80', '--host', '::'], { ready: 'ready' });
    await lab.node(r, server('tcp-echo'), ['--port', '9000', '--host', '::'], { ready: 'ready' });
    // The health check's port: always open on the reals that do not flap.
    if (!FLAPPERS.includes(i)) await lab.node(r, server('tcp-sink'), ['--port', String(CHECK_PORT)], { ready: 'ready' });
  }
  return { client: t.client, A: t.A, B: t.B, rs: t.reals };
}

/** Resets a real sends from a service port: each answers a segment of a connection it does not have. */
async function resetCounter(lab: Lab, rs: Host[]): Promise<(() => Promise<{ echo: number; http: number }>) | undefined> {
  if (!haveCommand('nft')) return undefined;
  for (const r of rs) {
    await lab.exec(r, 'nft', ['-f', '-'], { input: 'table inet soak {\n chain out {\n  type filter hook output priority 0;\n  tcp sport 9000 tcp flags & rst == rst counter\n  tcp sport 80 tcp flags & rst == rst counter\n }\n}\n' });
  }
  return async () => {
    const n = { echo: 0, http: 0 };
    for (const r of rs) {
      const [echo, http] = [...(await lab.exec(r, 'nft', ['list', 'chain', 'inet', 'soak', 'out'])).matchAll(/packets (\d+)/g)].map((m) => Number(m[1]));
      n.echo += echo ?? 0;
      n.http += http ?? 0;
    }
    return n;
  };
}

interface LoadResult {
  long: { sent: number; echoed: number; mismatch: number; error: string | null; lastEchoAt: number }[];
  short: { at: number; ok: boolean; ms: number; error?: string }[];
}

/** The least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n, my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0), sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx ? sxy / sxx : NaN;
}

async function main(): Promise<void> {
  const seconds = MINUTES * 60;
  console.log(`soak: ${MINUTES} min; HA pair (DR, XDP), 2 services x 4 reals, churn ${CHURN_HZ}/s, health flapping every 7 s, failover every 60 s`);
  console.log(machineLine());
  const lab = await Lab.create('ipvxsoak');
  try {
    const t = await build(lab);
    const A = new Director(lab, t.A, 'A', config(2));
    const B = new Director(lab, t.B, 'B', config(3));
    const dirs = [A, B];
    await Promise.all(dirs.map((d) => d.start()));
    await until('A active, B standby', async () => (await A.api.getStatus()).role === 'active' && (await B.api.getStatus()).role === 'standby', 30_000, 200);
    const resets = await resetCounter(lab, t.rs);

    // Watch streams: every serial once, in order.
    const watch = dirs.map((d) => {
      const w = { events: 0, gaps: 0, missed: 0, last: undefined as number | undefined, stream: d.api.watch() };
      void (async () => {
        try {
          for await (const e of w.stream.events) {
            if (e.kind === 'missed') { w.missed += Number(e.changesOmitted); w.last = undefined; continue; }
            if (e.kind !== 'config') continue;
            const s = Number(e.serial);
            if (w.last !== undefined && s !== w.last + 1) w.gaps += s - w.last - 1;
            w.last = s;
            w.events++;
          }
        } catch { /* cancelled at the end */ }
      })();
      return w;
    });
    await Promise.all(watch.map((w) => w.stream.subscribed));

    // Health flapping: the check port of rs2 and rs4 opens and closes.
    let flapping = true;
    const flap = (async () => {
      let on: Proc[] = [];
      while (flapping) {
        on = await Promise.all(FLAPPERS.map((i) => lab.node(t.rs[i]!, server('tcp-sink'), ['--port', String(CHECK_PORT)], { ready: 'ready' })));
        await sleep(7000);
        await Promise.all(on.map((p) => p.kill(2000)));
        on = [];
        if (flapping) await sleep(7000);
      }
    })();

    const load = await lab.node(t.client, server('ha-load'), ['--host', VIP, '--echo-port', '9000', '--http-port', '80', '--conns', String(CONNS), '--max-seconds', String(seconds + 120)], { ready: 'ready', readyTimeoutMs: 30_000 });
    await until('the standby knows the flows', async () => Number((await B.api.getStatus()).ha?.syncEntriesReceived ?? 0) >= CONNS, 20_000, 200);
    await sleep(2000);
    const start = { A: A.usage(), B: B.usage(), resets: resets ? await resets() : undefined, at: Date.now() };

    // Churn: the same change to both directors, 10 a second.
    let churning = true;
    const churn = { sent: 0, accepted: 0, refused: 0, errors: [] as string[] };
    const present = [true, true, true, true];
    let next = 1;
    const rnd = () => { next = (Math.imul(next, 1664525) + 1013904223) >>> 0; return next; };
    const churner = (async () => {
      while (churning) {
        const tick = Date.now();
        const port = rnd() % 2 ? 80 : 9000;
        const i = 2 + (rnd() % 2);
        const key = { vip: VIP, port, protocol: 'tcp' };
        const real = (address: string, weight: number) => ({ address, port, method: 'dr', weight });
        let op: (c: IpvxClient) => Promise<unknown>;
        if (port === 80 && rnd() % 3 === 0) {
          // rs3 or rs4 leaves the HTTP service or comes back. (Not the long connections'
          // service: a removed real's flows are rescheduled, so its connections break.)
          const was = present[i]!;
          present[i] = !was;
          op = (c) => (was ? c.deleteReal(key, { address: REALS[i]!, port }) : c.addReal(key, real(REALS[i]!, 1 + (rnd() % 4))));
        } else {
          const j = rnd() % 4;
          if (port === 80 && !present[j]) continue;
          const w = 1 + (rnd() % 5);
          op = (c) => c.updateReal(key, real(REALS[j]!, w));
        }
        churn.sent++;
        const r = await Promise.allSettled(dirs.map((d) => op(d.api)));
        if (r.every((x) => x.status === 'fulfilled')) churn.accepted++;
        else { churn.refused++; if (churn.errors.length < 5) churn.errors.push(r.map((x) => (x.status === 'rejected' ? String(x.reason) : 'ok')).join(' / ')); }
        await sleep(Math.max(0, 1000 / CHURN_HZ - (Date.now() - tick)));
      }
    })();

    // Event-loop lag every 10 s; RSS, heap in use and descriptors every minute (and at the start).
    const lag: Record<string, number[]> = { A: [], B: [] };
    type Use = { rssMiB: number; heapMiB: number; fds: number };
    const perMinute: { minute: number; A: Use; B: Use }[] = [];
    const sample = async (minute: number, last = { A: NaN, B: NaN }) => {
      const row = { minute } as { minute: number; A: Use; B: Use };
      for (const d of dirs) {
        const u = d.usage();
        const heap = Number.isFinite(last[d.name as 'A']) ? last[d.name as 'A'] : (await d.scrape().catch(() => ({ heapMiB: NaN }))).heapMiB;
        row[d.name as 'A'] = { rssMiB: u.rssKb / 1024, heapMiB: heap, fds: u.fds };
      }
      perMinute.push(row);
    };
    await sample(0);
    let sampling = true;
    const sampler = (async () => {
      for (let i = 1; sampling; i++) {
        await sleep(10_000);
        const heap = { A: NaN, B: NaN };
        for (const d of dirs) {
          const s = await d.scrape().catch(() => ({ lagMs: NaN, heapMiB: NaN }));
          if (Number.isFinite(s.lagMs)) lag[d.name]!.push(s.lagMs);
          heap[d.name as 'A'] = s.heapMiB;
        }
        if (i % 6 === 0 && sampling) await sample(i / 6, heap);
      }
    })();

    // Failover once a minute: the active's links go down until the other owns the VIP, then come back.
    const windows: [number, number][] = [];
    const failovers: { at: number; from: string; ms: number }[] = [];
    const owner = async () => {
      for (const d of dirs) {
        const [l] = JSON.parse(await lab.ip(d.host, ['-j', 'addr', 'show', 'dev', 'front'])) as { flags: string[]; addr_info: { local: string }[] }[];
        if (l?.flags.includes('UP') && l.addr_info.some((a) => a.local === VIP)) return d;
      }
      return undefined;
    };
    const end = start.at + seconds * 1000;
    const every = Math.min(60_000, (seconds * 1000) / 3); // --quick: three in its minute
    while (Date.now() < end) {
      await sleep(Math.min(every, end - Date.now()));
      if (Date.now() >= end - 5000) break;
      const active = await owner();
      if (!active) throw new Error('nobody owns the VIP');
      const other = active === A ? B : A;
      const at = Date.now();
      await lab.ip(active.host, ['link', 'set', 'front', 'down']);
      await lab.ip(active.host, ['link', 'set', 'back', 'down']);
      await until(`${other.name} owns the VIP`, async () => (await owner()) === other, 20_000, 50);
      const ms = Date.now() - at;
      await sleep(3000);
      await lab.ip(active.host, ['link', 'set', 'front', 'up']);
      await lab.ip(active.host, ['link', 'set', 'back', 'up']);
      await until(`${active.name} standby`, async () => (await active.api.getStatus()).role === 'standby', 30_000, 200);
      windows.push([at - 2000, Date.now() + 2000]);
      failovers.push({ at, from: active.name, ms });
      const use = dirs.map((d) => { const u = d.usage(); return `${d.name} ${fmt(u.rssKb / 1024)} MiB ${u.fds} fds`; }).join(', ');
      console.log(`  ${((at - start.at) / 1000).toFixed(0)} s: failover ${active.name} -> ${other.name} in ${ms} ms; churn ${churn.accepted}/${churn.sent}; ${use}`);
      for (const d of dirs) if (!d.alive()) throw new Error(`daemon ${d.name} died`);
    }
    churning = false; flapping = false; sampling = false;
    await churner;
    const stop = { A: A.usage(), B: B.usage(), resets: resets ? await resets() : undefined };
    await sample((Date.now() - start.at) / 60_000);
    await load.kill(30_000);
    await Promise.all([flap, sampler]);
    const serials = await Promise.all(dirs.map(async (d) => Number((await d.api.getStatus()).configSerial)));
    for (const w of watch) w.stream.cancel();
    for (const d of dirs) d.api.close();

    const result = JSON.parse(load.lines.find((l) => l.startsWith('{'))!) as LoadResult;
    const broken = result.long.filter((l) => l.error !== null || l.echoed !== l.sent).length;
    const mismatch = result.long.reduce((n, l) => n + l.mismatch, 0);
    const echoed = result.long.reduce((n, l) => n + l.echoed, 0);
    const failedShort = result.short.filter((s) => !s.ok);
    const outside = failedShort.filter((s) => !windows.some(([a, b]) => s.at >= a && s.at <= b));
    const misforwarded = stop.resets && start.resets ? stop.resets.echo - start.resets.echo : NaN;
    const httpResets = stop.resets && start.resets ? stop.resets.http - start.resets.http : NaN;
    const kinds = new Map<string, number>();
    for (const f of outside) kinds.set(f.error ?? 'status', (kinds.get(f.error ?? 'status') ?? 0) + 1);
    const eventsMissed = watch.map((w) => w.gaps + w.missed);

    console.log(`\nsoak: ${((Date.now() - start.at) / 60_000).toFixed(1)} min, ${failovers.length} failovers (takeover ${failovers.map((f) => f.ms).join(', ')} ms), churn ${churn.accepted} changes accepted of ${churn.sent} (x2 directors)${churn.errors.length ? `; refused: ${churn.errors.join(' | ')}` : ''}\n`);
    console.log(table(['what', 'figure', 'goal'], [
      ['long connections broken', `${broken} of ${result.long.length} (${fmt(echoed)} bytes echoed)`, '0'],
      ['bytes echoed wrong', String(mismatch), '0'],
      ['short requests failed outside failovers', `${outside.length} of ${result.short.length} (${failedShort.length - outside.length} in failover windows)`, '0'],
      ['packets misforwarded (resets from reals, long-connection service)', Number.isFinite(misforwarded) ? String(misforwarded) : 'n/a (no nft)', '0'],
      ['resets from reals, HTTP service (removed reals\' flows are rescheduled)', Number.isFinite(httpResets) ? String(httpResets) : 'n/a', ''],
      ...dirs.map((d) => [`daemon ${d.name} RSS start -> end`, `${fmt(start[d.name as 'A'].rssKb / 1024)} -> ${fmt(stop[d.name as 'A'].rssKb / 1024)} MiB`, 'no growth beyond noise']),
      ...dirs.map((d) => [`daemon ${d.name} open descriptors start -> end`, `${start[d.name as 'A'].fds} -> ${stop[d.name as 'A'].fds}`, 'no growth']),
      ...dirs.map((d) => { const p = percentiles(lag[d.name]!); return [`daemon ${d.name} event-loop lag p99 (10 s windows: median / max)`, `${fmt(p.p50, 1)} / ${fmt(p.max, 1)} ms`, '']; }),
      ...dirs.map((d, i) => [`Watch on ${d.name}: events, missed`, `${watch[i]!.events} (serial ${serials[i]}), ${eventsMissed[i]}`, '0 missed']),
    ]));
    // Per minute: a leak grows steadily after the warm-up; noise goes up and down.
    console.log(`\nper minute (RSS and V8 heap in use, MiB; open descriptors):\n`);
    console.log(table(['minute', 'A RSS', 'A heap', 'A fds', 'B RSS', 'B heap', 'B fds'], perMinute.map((r) => [
      Number.isInteger(r.minute) ? String(r.minute) : `${fmt(r.minute, 1)} (end)`, fmt(r.A.rssMiB), fmt(r.A.heapMiB), String(r.A.fds), fmt(r.B.rssMiB), fmt(r.B.heapMiB), String(r.B.fds),
    ])));
    const settled = perMinute.filter((r) => r.minute >= 2);
    if (settled.length >= 3) {
      console.log(`\nafter minute 2 (least-squares slope, MiB or descriptors a minute): ${dirs.map((d) => {
        const of = (f: (u: Use) => number) => fmt(slope(settled.map((r) => [r.minute, f(r[d.name as 'A'])])), 2);
        return `${d.name}: RSS ${of((u) => u.rssMiB)}, heap ${of((u) => u.heapMiB)}, fds ${of((u) => u.fds)}`;
      }).join('; ')}`);
    }
    if (outside.length) console.log(`\nshort requests failed outside failovers, by error: ${[...kinds].map(([k, n]) => `${k} x${n}`).join('; ')}\n  at (s after start): ${outside.slice(0, 40).map((f) => ((f.at - start.at) / 1000).toFixed(1)).join(' ')}`);
    const ok = broken === 0 && mismatch === 0 && outside.length === 0 && (!Number.isFinite(misforwarded) || misforwarded === 0) && eventsMissed.every((n) => n === 0);
    console.log(ok ? '\nsoak: every counted goal met (RSS and descriptors: compare start and end above)' : '\nsoak: GOALS MISSED (see above)');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await lab.destroy();
  }
}

await main();
