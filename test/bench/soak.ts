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
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type Host, type Proc } from '../../src/lab/topology.js';
import { IpvxClient } from '../../src/api/client.js';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { IPVX_BIN } from '../../src/lab/classic.js';
import { haveCommand } from '../lib/have.js';
import { benchArgs } from './lib/args.js';
import { percentiles, table, fmt, machineLine } from './lib/stats.js';

const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
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

class Director {
  proc: Proc | undefined;
  readonly dir: string;
  client!: IpvxClient;
  constructor(readonly lab: Lab, readonly host: Host, readonly name: string, cfg: string) {
    this.dir = mkdtempSync(join(tmpdir(), `ipvx-soak-${name}-`));
    lab.removeOnDestroy(this.dir);
    writeFileSync(join(this.dir, 'config.yaml'), cfg);
  }

  async start(): Promise<void> {
    this.proc = await this.lab.node(this.host, DAEMON, [
      'run', '--config', join(this.dir, 'config.yaml'), '--state', join(this.dir, 'state.yaml'), '--run-dir', join(this.dir, 'run'),
      '--interfaces', 'front,back', '--ha-sync-interval', '0.2', '--log-level', 'warn', '--metrics', '127.0.0.1:9100',
    ]);
    await until(`${this.name} serving`, () => readdirSync(join(this.dir, 'run')).some((f) => f.endsWith('.sock')), 60_000, 200);
    this.client = new IpvxClient(`unix:${join(this.dir, 'run', readdirSync(join(this.dir, 'run')).find((f) => f.endsWith('.sock'))!)}`, { timeoutMs: 20_000 });
    await until(`${this.name} answers`, () => this.client.getStatus().then(() => true, () => false), 60_000, 200);
  }

  /** RSS (kB) and open descriptors of the daemon's process. */
  usage(): { rssKb: number; fds: number } {
    const pid = this.proc!.pid!;
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]), fds: readdirSync(`/proc/${pid}/fd`).length };
  }

  /** The daemon's event-loop lag p99 since its previous scrape, in ms. */
  async lagP99Ms(): Promise<number> {
    const m = await this.lab.exec(this.host, process.execPath, ['-e', "fetch('http://127.0.0.1:9100/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"]);
    return Number(/^nodejs_eventloop_lag_p99_seconds ([0-9.e+-]+)$/m.exec(m)?.[1] ?? NaN) * 1000;
  }

  alive(): boolean { return Boolean(this.proc?.running); }
}

async function build(lab: Lab) {
  const client = await lab.addHost('client');
  const router = await lab.addHost('router');
  const A = await lab.addHost('dirA');
  const B = await lab.addHost('dirB');
  const swf = await lab.addHost('swf');
  const swb = await lab.addHost('swb');
  const rs = await Promise.all(REALS.map((_, i) => lab.addHost(`rs${i + 1}`)));
  const cr = await lab.link(client, router);
  const front: string[] = [], back: string[] = [];
  front.push((await lab.link(router, swf, { xdp: true, aIf: 'front' })).b.ifname);
  back.push((await lab.link(router, swb, { xdp: true, aIf: 'back' })).b.ifname);
  for (const d of [A, B]) {
    front.push((await lab.link(d, swf, { xdp: true, aIf: 'front' })).b.ifname);
    back.push((await lab.link(d, swb, { xdp: true, aIf: 'back' })).b.ifname);
  }
  const rsIf: string[] = [];
  for (const r of rs) {
    const l = await lab.link(r, swb, { xdp: true, aIf: 'eth0' });
    back.push(l.b.ifname);
    rsIf.push(l.a.ifname);
  }
  await lab.bridge(swf, 'br0', front);
  await lab.bridge(swb, 'br0', back);
  await lab.addAddress(client, cr.a.ifname, '192.0.2.1/24');
  await lab.addAddress(router, cr.b.ifname, '192.0.2.254/24');
  await lab.addRoute(client, 'default', '192.0.2.254');
  await lab.addAddress(router, 'front', '198.51.100.1/24');
  await lab.addAddress(router, 'back', '203.0.113.254/24');
  await lab.setSysctl(router, 'net.ipv4.ip_forward', 1);
  await lab.setSysctl(router, 'net.ipv4.conf.all.rp_filter', 0);
  await lab.setSysctl(router, 'net.ipv4.conf.back.rp_filter', 0);
  for (const [d, n] of [[A, 2], [B, 3]] as const) {
    await lab.addAddress(d, 'front', `198.51.100.${n}/24`);
    await lab.addAddress(d, 'back', `203.0.113.${n}/24`);
    await lab.addRoute(d, '192.0.2.0/24', '198.51.100.1');
  }
  for (const [i, r] of rs.entries()) {
    await lab.addAddress(r, rsIf[i]!, `${REALS[i]}/24`);
    await lab.addRoute(r, 'default', '203.0.113.254');
    await lab.exec(r, process.execPath, [IPVX_BIN, 'realserver', 'setup', '--vip', VIP, '--method', 'dr']);
    await lab.node(r, server('http-name'), ['--name', `rs${i + 1}`, '--port', '80', '--host', '::'], { ready: 'ready' });
    await lab.node(r, server('tcp-echo'), ['--port', '9000', '--host', '::'], { ready: 'ready' });
    // The health check's port: always open on the reals that do not flap.
    if (!FLAPPERS.includes(i)) await lab.node(r, server('tcp-sink'), ['--port', String(CHECK_PORT)], { ready: 'ready' });
  }
  return { client, router, A, B, rs };
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
    await until('A active, B standby', async () => (await A.client.getStatus()).role === 'active' && (await B.client.getStatus()).role === 'standby', 30_000, 200);
    const resets = await resetCounter(lab, t.rs);

    // Watch streams: every serial once, in order.
    const watch = dirs.map((d) => {
      const w = { events: 0, gaps: 0, missed: 0, last: undefined as number | undefined, stream: d.client.watch() };
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
    await until('the standby knows the flows', async () => Number((await B.client.getStatus()).ha?.syncEntriesReceived ?? 0) >= CONNS, 20_000, 200);
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
        const r = await Promise.allSettled(dirs.map((d) => op(d.client)));
        if (r.every((x) => x.status === 'fulfilled')) churn.accepted++;
        else { churn.refused++; if (churn.errors.length < 5) churn.errors.push(r.map((x) => (x.status === 'rejected' ? String(x.reason) : 'ok')).join(' / ')); }
        await sleep(Math.max(0, 1000 / CHURN_HZ - (Date.now() - tick)));
      }
    })();

    // Event-loop lag, every 10 s.
    const lag: Record<string, number[]> = { A: [], B: [] };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(10_000);
        for (const d of dirs) { const v = await d.lagP99Ms().catch(() => NaN); if (Number.isFinite(v)) lag[d.name]!.push(v); }
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
      await until(`${active.name} standby`, async () => (await active.client.getStatus()).role === 'standby', 30_000, 200);
      windows.push([at - 2000, Date.now() + 2000]);
      failovers.push({ at, from: active.name, ms });
      console.log(`  ${((at - start.at) / 1000).toFixed(0)} s: failover ${active.name} -> ${other.name} in ${ms} ms; churn ${churn.accepted}/${churn.sent}`);
      for (const d of dirs) if (!d.alive()) throw new Error(`daemon ${d.name} died`);
    }
    churning = false; flapping = false; sampling = false;
    await churner;
    const stop = { A: A.usage(), B: B.usage(), resets: resets ? await resets() : undefined };
    await load.kill(30_000);
    await Promise.all([flap, sampler]);
    const serials = await Promise.all(dirs.map(async (d) => Number((await d.client.getStatus()).configSerial)));
    for (const w of watch) w.stream.cancel();
    for (const d of dirs) d.client.close();

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
    if (outside.length) console.log(`\nshort requests failed outside failovers, by error: ${[...kinds].map(([k, n]) => `${k} x${n}`).join('; ')}\n  at (s after start): ${outside.slice(0, 40).map((f) => ((f.at - start.at) / 1000).toFixed(1)).join(' ')}`);
    const ok = broken === 0 && mismatch === 0 && outside.length === 0 && (!Number.isFinite(misforwarded) || misforwarded === 0) && eventsMissed.every((n) => n === 0);
    console.log(ok ? '\nsoak: every counted goal met (RSS and descriptors: compare start and end above)' : '\nsoak: GOALS MISSED (see above)');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await lab.destroy();
  }
}

await main();
