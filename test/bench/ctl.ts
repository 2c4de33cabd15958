// Control plane: Maglev table build for 1,000 reals; ApplyConfig of 10,000
// services x 10 reals to a daemon running the real XDP data plane in a lab
// namespace (time, daemon RSS); a weight change's time from RPC to the reals map.
//
//   node build/js/test/bench/ctl.js [--rounds N] [--quick] [--services N] [--profile] [--heap]
import { fileURLToPath } from 'node:url';
import { mkdtempSync, copyFileSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maglevTable, MH_DEFAULT_TABLE_SIZE } from '../../src/core/sched/maglev.js';
import { withLab } from '../../src/lab/topology.js';
import { IpvxClient } from '../../src/api/client.js';
import type { DesiredState } from '../../src/api/client.js';
import { BpfMap } from '../../src/bpf/index.js';
import { pinDir } from '../../src/dataplane/pins.js';
import { realInfo, REAL_F } from '../../src/dataplane/codec.js';
import { sleep, until } from '../lib/wait.js';
import { summarize, fmt, table, machineLine, verdict } from './lib/stats.js';
import { summarizeHeap } from './lib/heap-summary.js';
import { benchArgs } from './lib/args.js';

const args = benchArgs({ services: { type: 'string' }, profile: { type: 'boolean' }, heap: { type: 'boolean' } });
const ROUNDS = args.num('rounds', 5, 3);
const SERVICES = args.num('services', 10_000, 1000);
const PROFILE = args.flag('profile'), HEAP = args.flag('heap');
/** Each ApplyConfig of the full size takes long (see docs/benchmarks.md): one round unless asked. */
const APPLY_ROUNDS = args.num('rounds', 1);
const note = (msg: string) => console.error(`ctl: ${msg}`);
const REALS = 10;
/** The real added and deleted by the add/delete rows (lives on the peer host). */
const ADDED_REAL = '192.0.2.100';

const DAEMON = fileURLToPath(new URL('../../src/daemon/main.js', import.meta.url));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function maglevRows(): string[][] {
  const reals = Array.from({ length: 1000 }, (_, i) => ({ key: `2001:db8:1::${(i + 1).toString(16)}|80`, weight: 1 + (i % 4) }));
  const rows: string[][] = [];
  for (const size of [MH_DEFAULT_TABLE_SIZE, 65521]) {
    maglevTable(reals, size); // warm the JIT
    const t: number[] = [];
    for (let r = 0; r < Math.max(ROUNDS, 10); r++) { const t0 = process.hrtime.bigint(); maglevTable(reals, size); t.push(ms(t0)); }
    const s = summarize(t);
    rows.push([`Maglev table, 1000 reals, ${size} slots${size === MH_DEFAULT_TABLE_SIZE ? ' (ipvx default)' : ''}`, fmt(s.min, 1), fmt(s.median, 1), fmt(s.max, 1), 'ms', `< 100 ms ${verdict(s.max < 100)}`]);
  }
  return rows;
}

/** SERVICES services of REALS DR reals each; service 0's reals have addresses of their own (the weight probe). */
function bigState(weight0 = 1): DesiredState {
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    vip: `203.0.113.${1 + Math.floor(i / 40)}`, port: 1000 + (i % 40), protocol: 'tcp', scheduler: 'wlc', flags: [],
    persistence: 0, persistenceMask: '', method: 'dr',
    reals: Array.from({ length: REALS }, (_, j) => ({
      address: i === 0 ? `192.0.2.${j + 1}` : `198.51.100.${j + 1}`, port: 1000 + (i % 40), method: 'dr',
      weight: i === 0 && j === 0 ? weight0 : 1, upperThreshold: 0, lowerThreshold: 0,
    })),
  }));
  return { services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 } } as unknown as DesiredState;
}

function rssMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function daemonRows(): Promise<string[][]> {
  const tmp = mkdtempSync(join(tmpdir(), 'ipvx-bench-ctl-'));
  try {
    return await withLab('bnctl', async (lab) => {
      const dir = await lab.addHost('dir');
      const peer = await lab.addHost('peer');
      await lab.link(dir, peer, { xdp: true, aIf: 'eth0', bIf: 'eth0' });
      await lab.addAddress(dir, 'eth0', '198.51.100.254/24');
      await lab.addAddress(dir, 'eth0', '192.0.2.254/24');
      // The real that AddReal adds answers ARP, as a real server would.
      await lab.addAddress(peer, 'eth0', `${ADDED_REAL}/24`);
      // Profiled after load (see src/daemon/profile-signal.ts): SIGUSR2 around the big ApplyConfig and the weight changes.
      // --heap: SIGUSR1 writes a heap snapshot after the big ApplyConfig and after the edits.
      if (PROFILE || HEAP) process.env.IPVX_PROFILE_DIR = tmp;
      // IPVX_BENCH_DAEMON_NODE_ARGS: extra node flags for the daemon (to measure V8 heap settings).
      const nodeArgs = (process.env.IPVX_BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const d = await lab.spawn(dir, process.execPath, [...nodeArgs, DAEMON, 'run', '--run-dir', tmp, '--state', join(tmp, 'state.yaml'),
        '--interfaces', 'eth0', '--no-health', '--log-level', 'warn']);
      const sock = join(tmp, `${lab.nsId(dir)}.sock`);
      await until('the daemon socket', () => existsSync(sock), 30_000, 100)
        .catch((e: Error) => { throw new Error(`${e.message}; daemon stderr: ${d.stderr.slice(-1500)}`); });
      const c = new IpvxClient(`unix:${sock}`, { timeoutMs: 120_000 });
      try {
        await c.getStatus().catch((e: Error) => { throw new Error(`${e.message}; daemon stderr: ${d.stderr.slice(-1500)}`); });
        const idle = rssMb(d.pid!);
        const applyMs: number[] = [];
        const rss: number[] = [];
        for (let r = 0; r < APPLY_ROUNDS; r++) {
          // Alternate between empty and full: each round writes every service anew.
          await c.applyConfig({ services: [], timeouts: { tcp: 900, tcpFin: 120, udp: 300 } } as never);
          if (PROFILE && r === 0) process.kill(d.pid!, 'SIGUSR2');
          const t0 = process.hrtime.bigint();
          await c.applyConfig(bigState());
          applyMs.push(ms(t0));
          rss.push(rssMb(d.pid!).rss);
          note(`ApplyConfig ${SERVICES} x ${REALS}: ${fmt(applyMs.at(-1)!)} ms, RSS ${fmt(rss.at(-1)!)} MB`);
          if (HEAP && r === 0) await heapSnapshot(d, tmp, 'after ApplyConfig');
        }
        const hwm = rssMb(d.pid!).hwm;
        const a = summarize(applyMs);
        const rows = [
          [`ApplyConfig ${SERVICES} services x ${REALS} reals (empty -> full)`, fmt(a.min), fmt(a.median), fmt(a.max), 'ms', `< 5000 ms ${verdict(a.max < 5000)}`],
          [`daemon RSS after it (idle before: ${fmt(idle.rss)} MB)`, fmt(summarize(rss).min), fmt(summarize(rss).median), fmt(summarize(rss).max), 'MB', `< 300 MB ${verdict(summarize(rss).max < 300)}`],
          ['daemon peak RSS (VmHWM)', '', fmt(hwm), '', 'MB', `< 300 MB ${verdict(hwm < 300)}`],
        ];
        rows.push(...await weightRows(c, lab.nsId(dir)));
        if (HEAP) await heapSnapshot(d, tmp, 'after the edits');
        if (PROFILE) { process.kill(d.pid!, 'SIGUSR2'); await sleep(3000); }
        return rows;
      } finally {
        c.close();
        await d.kill(30_000);
        if (PROFILE) printProfile(tmp);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** RPC (UpdateReal) -> weight visible in the pinned reals map, polled from here; and the RPC's own round trip. */
async function weightRows(c: IpvxClient, nsId: string): Promise<string[][]> {
  const reals = BpfMap.openPinned(join(pinDir(nsId), 'reals'));
  try {
    const target = Uint8Array.of(192, 0, 2, 1);
    let id = -1;
    const { keys, values } = reals.lookupBatch(4096);
    for (let i = 0; i < values.length; i++) {
      const v = realInfo.decode(values[i]!);
      if (target.every((b, j) => v.addr[j] === b) && v.flags & REAL_F.live) { id = new DataView(keys[i]!.buffer, keys[i]!.byteOffset).getUint32(0, true); break; }
    }
    if (id < 0) throw new Error('probe real not found in the reals map');
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, id, true);
    const weightNow = () => realInfo.decode(reals.lookup(key)!).weight;
    const toMap: number[] = [];
    const rpc: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const w = 2 + (r % 2);
      const t0 = process.hrtime.bigint();
      let seen = 0;
      const call = c.updateReal({ vip: '203.0.113.1', port: 1000, protocol: 'tcp' },
        { address: '192.0.2.1', port: 1000, method: 'dr', weight: w, upperThreshold: 0, lowerThreshold: 0 }).then(() => ms(t0));
      while (!seen) {
        if (weightNow() === w) seen = ms(t0);
        else await new Promise((res) => setImmediate(res));
      }
      toMap.push(seen);
      rpc.push(await call);
      note(`weight change ${r + 1}: map after ${fmt(seen, 1)} ms, RPC done after ${fmt(rpc.at(-1)!, 1)} ms`);
    }
    // AddReal / DeleteReal of a real the service does not have; the maps are written
    // before the RPC returns (apply, then save), so the round trip bounds RPC -> map.
    const add: number[] = [];
    const del: number[] = [];
    const svc = { vip: '203.0.113.1', port: 1000, protocol: 'tcp' } as const;
    const real = { address: ADDED_REAL, port: 1000, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 } as const;
    for (let r = 0; r < ROUNDS; r++) {
      let t0 = process.hrtime.bigint();
      await c.addReal(svc, real);
      add.push(ms(t0));
      t0 = process.hrtime.bigint();
      await c.deleteReal(svc, real);
      del.push(ms(t0));
      note(`add real ${r + 1}: ${fmt(add.at(-1)!, 1)} ms, delete ${fmt(del.at(-1)!, 1)} ms`);
    }
    const m = summarize(toMap);
    const p = summarize(rpc);
    const a = summarize(add);
    const d = summarize(del);
    return [
      [`weight change: UpdateReal RPC -> reals map (${SERVICES} services loaded)`, fmt(m.min, 1), fmt(m.median, 1), fmt(m.max, 1), 'ms', `< 50 ms ${verdict(m.median < 50)}`],
      ['weight change: UpdateReal RPC round trip (incl. state file save)', fmt(p.min, 1), fmt(p.median, 1), fmt(p.max, 1), 'ms', ''],
      ['add real: AddReal RPC round trip (round 1 also resolves its next hop)', fmt(a.min, 1), fmt(a.median, 1), fmt(a.max, 1), 'ms', ''],
      ['delete real: DeleteReal RPC round trip', fmt(d.min, 1), fmt(d.median, 1), fmt(d.max, 1), 'ms', ''],
    ];
  } finally {
    reals.close();
  }
}

/** SIGUSR1 to the daemon (src/daemon/profile-signal.ts), wait for the snapshot, keep it and print what it holds. */
async function heapSnapshot(d: { pid?: number; stderr: string }, dir: string, when: string): Promise<void> {
  const before = (d.stderr.match(/heap snapshot written/g) ?? []).length;
  process.kill(d.pid!, 'SIGUSR1');
  await until('the heap snapshot', () => (d.stderr.match(/heap snapshot written/g) ?? []).length !== before, 120_000, 100).catch(() => undefined);
  const files = readdirSync(dir).filter((n) => n.endsWith('.heapsnapshot')).sort();
  const f = files.at(-1);
  if (!f) { note(`no heap snapshot ${when}`); return; }
  const keep = join(tmpdir(), `ipvx-ctl-${process.pid}-${files.length}.heapsnapshot`);
  copyFileSync(join(dir, f), keep);
  rmSync(join(dir, f));
  console.log(`(heap snapshot ${when} kept at ${keep}; rss ${fmt(rssMb(d.pid!).rss)} MB)`);
  try {
    const { total, rows } = summarizeHeap(JSON.parse(readFileSync(keep, 'utf8')), 25);
    console.log(`heap ${when}: ${fmt(total / 1048576)} MB self size`);
    for (const r of rows) console.log(`${fmt(r.bytes / 1048576, 1).padStart(8)} MB ${String(r.count).padStart(9)}  ${r.what}`);
  } catch (e) {
    note(`heap snapshot too large to summarize here (${(e as Error).message}); run test/bench/lib/heap-summary.js on it`);
  }
}

/** Functions of the daemon's CPU profile (node --cpu-prof) by self time, top 15. */
function printProfile(dir: string): void {
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!f) { console.log('(no CPU profile written)'); return; }
  const keep = join(tmpdir(), `ipvx-ctl-${process.pid}.cpuprofile`);
  copyFileSync(join(dir, f), keep);
  console.log(`(profile kept at ${keep})`);
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: { id: number; hitCount: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] };
  const by = new Map<string, number>();
  for (const n of p.nodes) {
    const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(build\/js|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    by.set(k, (by.get(k) ?? 0) + n.hitCount);
  }
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  const top = [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  console.log(`\ndaemon CPU profile, self time (${total} samples):`);
  console.log(table(['function', 'self %'], top.map(([k, v]) => [k, fmt((100 * v) / total, 1)])));
}

console.log(`## ctl: control plane\n${machineLine()}\n`);
const rows = [...maglevRows(), ...await daemonRows()];
console.log(table(['what', 'min', 'median', 'max', 'unit', 'goal'], rows));
