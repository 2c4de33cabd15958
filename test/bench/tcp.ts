// TCP through the balancer: wrk in a client namespace against nginx real servers,
// through ipvx (NAT, DR, TUN), nftables DNAT (kube-proxy style), HAProxy in TCP mode,
// and straight to the reals (same hops, the director's kernel only routing):
// requests/s and p99 latency, every variant in the same run, variants alternating
// round by round.
//
//   client --- dir ---- rs1
//                 \---- rs2        (a veth per link, native XDP on every end)
//
// Two traffic matrices, each with its own direct baseline (docs/benchmarks.md, tcp):
// - spread: each wrk process's connections are spread over both reals, as a balancer
//   spreads them. Direct = an address both reals hold, routed by the director's kernel
//   over both with an L4-hash ECMP route (routing only: no NAT, no conntrack).
// - paired: wrk process i talks only to real i. Direct = real i's own address (the
//   baseline of earlier runs); balancers = one service per wrk process with real i as
//   its only real (nftables: a plain DNAT per VIP; HAProxy: a frontend per VIP).
// On 2 vCPUs the matrix decides how the scheduler can place the four processes; it
// applies to every variant of a table alike.
//
//   node build/js/test/bench/tcp.js [--rounds N] [--seconds N] [--conns N] [--matrix spread|paired|both] [--quick]
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLab, Lab, Host } from '../../src/lab/topology.js';
import { DEFAULT_TIMEOUTS, DesiredState, Method } from '../../src/core/model.js';
import { summarize, fmt, fmtRatio, fmtRate, table, machineLine, verdict } from './lib/stats.js';
import { benchArgs } from './lib/args.js';
import { sleep } from '../lib/wait.js';

const args = benchArgs({ seconds: { type: 'string' }, conns: { type: 'string' }, matrix: { type: 'string' } });
const ROUNDS = args.num('rounds', 3, 1);
const SECONDS = args.num('seconds', 8, 3);
const CONNS = args.num('conns', 32);
type Matrix = 'spread' | 'paired';
const MATRIX_ARG = args.str('matrix') ?? 'both';
if (!['spread', 'paired', 'both'].includes(MATRIX_ARG)) throw new Error(`--matrix ${MATRIX_ARG}: spread, paired or both`);
const MATRICES: Matrix[] = MATRIX_ARG === 'both' ? ['spread', 'paired'] : [MATRIX_ARG as Matrix];

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const PASS_OBJ = fileURLToPath(new URL('../../../bpf/ipvx_pass.bpf.o', import.meta.url));
const VIP = '203.0.113.10';
/** paired: the second wrk process's service. */
const VIP2 = '203.0.113.11';
/** spread, direct: an address on both reals' lo, routed by the director over both (ECMP, L4 hash). */
const ANYCAST = '203.0.113.20';
const CLIENT = '192.0.2.1';
const DIR_FRONT = '192.0.2.254';
const REALS = [{ addr: '198.51.100.1', dir: '198.51.100.126', plen: 25 }, { addr: '198.51.100.129', dir: '198.51.100.254', plen: 25 }];

interface Topo { client: Host; dir: Host; rs: Host[]; tmp: string }

async function build(lab: Lab, tmp: string): Promise<Topo> {
  const client = await lab.addHost('client');
  const dir = await lab.addHost('dir');
  const rs = [await lab.addHost('rs1'), await lab.addHost('rs2')];
  await lab.link(client, dir, { xdp: true, aIf: 'eth0', bIf: 'eth0' });
  await lab.addAddress(client, 'eth0', `${CLIENT}/24`);
  await lab.addAddress(dir, 'eth0', `${DIR_FRONT}/24`);
  await lab.addRoute(client, '203.0.113.0/24', DIR_FRONT);
  await lab.addRoute(client, '198.51.100.0/24', DIR_FRONT);
  for (const [i, r] of rs.entries()) {
    const ifDir = `eth${i + 1}`;
    await lab.link(dir, r, { xdp: true, aIf: ifDir, bIf: 'eth0' });
    await lab.addAddress(dir, ifDir, `${REALS[i]!.dir}/${REALS[i]!.plen}`);
    await lab.addAddress(r, 'eth0', `${REALS[i]!.addr}/${REALS[i]!.plen}`);
    await lab.addRoute(r, 'default', REALS[i]!.dir);
    // Resolved before any balancer starts: no ARP race in the first second.
    await lab.ip(dir, ['neigh', 'replace', REALS[i]!.addr, 'lladdr', await lab.mac(r, 'eth0'), 'dev', ifDir, 'nud', 'permanent']);
    await lab.ip(r, ['neigh', 'replace', REALS[i]!.dir, 'lladdr', await lab.mac(dir, ifDir), 'dev', 'eth0', 'nud', 'permanent']);
  }
  await lab.ip(client, ['neigh', 'replace', DIR_FRONT, 'lladdr', await lab.mac(dir, 'eth0'), 'dev', 'eth0', 'nud', 'permanent']);
  await lab.ip(dir, ['neigh', 'replace', CLIENT, 'lladdr', await lab.mac(client, 'eth0'), 'dev', 'eth0', 'nud', 'permanent']);
  await lab.setSysctl(dir, 'net.ipv4.ip_forward', 1);
  await lab.setSysctl(dir, 'net.ipv4.conf.all.rp_filter', 0);
  for (const i of ['eth0', 'eth1', 'eth2']) await lab.setSysctl(dir, `net.ipv4.conf.${i}.rp_filter`, 0);
  // The spread matrix's direct path: kernel routing only, each connection hashed (5-tuple)
  // to one real; the reals answer from the address they hold on lo.
  await lab.setSysctl(dir, 'net.ipv4.fib_multipath_hash_policy', 1);
  for (const r of rs) await lab.ip(r, ['addr', 'add', `${ANYCAST}/32`, 'dev', 'lo']);
  await lab.ip(dir, ['route', 'add', `${ANYCAST}/32`, ...REALS.flatMap((r, i) => ['nexthop', 'via', r.addr, 'dev', `eth${i + 1}`])]);
  for (const [i, r] of rs.entries()) {
    const conf = join(tmp, `nginx-rs${i + 1}.conf`);
    writeFileSync(conf, [
      'worker_processes 1;', 'daemon off;', `pid ${tmp}/nginx-rs${i + 1}.pid;`, 'error_log stderr warn;',
      'events { worker_connections 4096; }',
      'http {', '  access_log off;', `  client_body_temp_path ${tmp}/body-${i}; proxy_temp_path ${tmp}/proxy-${i};`,
      '  keepalive_requests 1000000;',
      '  server { listen 80 backlog=4096; location / { return 200 "ok\\n"; } }', '}', '',
    ].join('\n'));
    await lab.spawn(r, 'nginx', ['-c', conf]);
  }
  const t = { client, dir, rs, tmp };
  for (const r of REALS) await waitHttp(lab, t, r.addr);
  await waitHttp(lab, t, ANYCAST);
  return t;
}

async function waitHttp(lab: Lab, t: Topo, host: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      await lab.exec(t.client, 'wrk', ['-t1', '-c1', '-d1s', `http://${host}/`], { timeoutMs: 5000 });
      return;
    } catch { await new Promise((r) => setTimeout(r, 200)); }
  }
  throw new Error(`no HTTP answer from ${host}`);
}

interface Wrk {
  rps: number; p99ms: number; errors: number;
  /** connections established per real, mid-run */
  split?: number[];
  /** CPU used by processes outside the lab during the run, % of one CPU (other engineers' tests) */
  otherCpu?: number;
  /** wrk starts until the connections split evenly (spread, direct) */
  tries?: number;
}

/**
 * CPU time (clock ticks: utime + stime + children's) of every process that is neither
 * this one nor inside the lab's namespaces. Children that exit are counted once their
 * parent reaps them; a process that exits during the run is missed (a lower bound).
 */
function otherCpuTicks(lab: Lab): number {
  const ours = new Set<number>([process.pid]);
  for (const ns of lab.namespaces) {
    try {
      for (const p of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/)) if (p) ours.add(Number(p));
    } catch { /* gone */ }
  }
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || ours.has(Number(d))) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* exited */ }
  }
  return ticks;
}
const CLK_TCK = 100;

function parseWrk(out: string): Wrk {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const m = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const p99ms = m ? Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1) : NaN;
  const e = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p99ms, errors: (e ? e.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + non2xx };
}

/** Two wrk processes (one thread each, half the connections each) to `targets`; summed rps, worst p99. */

/** Connections established to port 80 on each real. */
async function split(lab: Lab, t: Topo): Promise<number[]> {
  return Promise.all(t.rs.map(async (r) =>
    (await lab.exec(r, 'ss', ['-Htn', 'state', 'established', '( sport = :80 )'])).split('\n').filter((l) => l.trim()).length));
}

/** Tries before an uneven ECMP split is accepted (and shown in the table). */
const EVEN_TRIES = 40;

/**
 * Two wrk processes (one thread each, half the connections each) to `targets`; summed
 * rps, worst p99. `even`: the connections must land half on each real, as round robin
 * puts them; the spread matrix's ECMP route hashes each connection's ports, so wrk is
 * restarted (new source ports) until the hash splits them evenly.
 */
async function load(lab: Lab, t: Topo, targets: [string, string], even = false): Promise<Wrk> {
  for (let attempt = 1; ; attempt++) {
    const other0 = otherCpuTicks(lab);
    const t0 = Date.now();
    const procs = await Promise.all(targets.map((h) => lab.spawn(t.client, 'wrk',
      ['-t1', `-c${CONNS / 2}`, `-d${SECONDS}s`, '--latency', `http://${h}/`])));
    try {
      if (even && attempt < EVEN_TRIES) {
        await sleep(300);
        const s = await split(lab, t);
        if (s[0] !== s[1]) {
          await Promise.all(procs.map((p) => p.kill(1000)));
          continue;
        }
      }
      await sleep(SECONDS * 500);
      const sp = await split(lab, t);
      const deadline = sleep((SECONDS + 30) * 1000).then(() => { throw new Error('wrk did not finish'); });
      await Promise.race([Promise.all(procs.map((p) => p.exited)), deadline]);
      const otherCpu = Math.max(0, ((otherCpuTicks(lab) - other0) / CLK_TCK) / ((Date.now() - t0) / 1000) * 100);
      const w = procs.map((p) => {
        if (p.exitCode !== 0) throw new Error(`wrk exited with ${p.exitCode ?? p.exitSignal}: ${p.stderr.trim()}`);
        return parseWrk(p.lines.join('\n'));
      });
      return { rps: w[0]!.rps + w[1]!.rps, p99ms: Math.max(w[0]!.p99ms, w[1]!.p99ms), errors: w[0]!.errors + w[1]!.errors, split: sp, otherCpu, tries: attempt };
    } finally {
      await Promise.all(procs.map((p) => p.kill(1000)));
    }
  }
}

/** The VIPs of a matrix: spread, both wrk processes to one VIP of both reals; paired, VIP i with real i only. */
function services(matrix: Matrix): { vip: string; reals: typeof REALS }[] {
  return matrix === 'spread' ? [{ vip: VIP, reals: REALS }] : [{ vip: VIP, reals: [REALS[0]!] }, { vip: VIP2, reals: [REALS[1]!] }];
}
const targetsOf = (matrix: Matrix): [string, string] => (matrix === 'spread' ? [VIP, VIP] : [VIP, VIP2]);

function ipvxState(method: Method, matrix: Matrix): DesiredState {
  return {
    services: services(matrix).map((s) => ({
      vip: s.vip, port: 80, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method,
      reals: s.reals.map((r) => ({ address: r.addr, port: 80, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
    })),
    timeouts: { ...DEFAULT_TIMEOUTS },
  };
}

interface Variant {
  name: string; targets: [string, string]; up: (lab: Lab, t: Topo) => Promise<() => Promise<void>>;
  /** Restart wrk until its connections land half on each real (ECMP). */
  even?: boolean;
}

const DIRECT = 'direct (no balancer)';

function variants(matrix: Matrix): Variant[] {
  const vips = services(matrix).map((s) => s.vip);
  return [
    matrix === 'spread'
      ? { name: DIRECT, targets: [ANYCAST, ANYCAST], even: true, up: async () => async () => {} }
      : { name: DIRECT, targets: [REALS[0]!.addr, REALS[1]!.addr], up: async () => async () => {} },
    {
      name: matrix === 'spread' ? 'nftables DNAT numgen' : 'nftables DNAT', targets: targetsOf(matrix),
      up: async (lab, t) => {
        const rules = join(t.tmp, 'dnat.nft');
        const dnat = matrix === 'spread'
          ? [`    ip daddr ${VIP} tcp dport 80 dnat to numgen inc mod 2 map { 0 : ${REALS[0]!.addr}, 1 : ${REALS[1]!.addr} }`]
          : services(matrix).map((s) => `    ip daddr ${s.vip} tcp dport 80 dnat to ${s.reals[0]!.addr}`);
        writeFileSync(rules, `table ip ipvxbench {\n  chain pre {\n    type nat hook prerouting priority dstnat; policy accept;\n` +
          `${dnat.join('\n')}\n  }\n}\n`);
        await lab.exec(t.dir, 'nft', ['-f', rules]);
        return async () => { await lab.exec(t.dir, 'nft', ['delete', 'table', 'ip', 'ipvxbench']); };
      },
    },
    {
      name: 'HAProxy (mode tcp)', targets: targetsOf(matrix),
      up: async (lab, t) => {
        const conf = join(t.tmp, 'haproxy.cfg');
        writeFileSync(conf, ['global', '  maxconn 8192', 'defaults', '  mode tcp', '  timeout connect 5s', '  timeout client 60s',
          '  timeout server 60s',
          ...services(matrix).flatMap((s, i) => [`frontend f${i}`, `  bind ${s.vip}:80`, `  default_backend b${i}`, `backend b${i}`,
            '  balance roundrobin', ...s.reals.map((r) => `  server rs${REALS.indexOf(r) + 1} ${r.addr}:80`)]), ''].join('\n'));
        for (const v of vips) await lab.ip(t.dir, ['addr', 'add', `${v}/32`, 'dev', 'lo']);
        const p = await lab.spawn(t.dir, 'haproxy', ['-f', conf, '-db']);
        for (const v of vips) await waitHttp(lab, t, v);
        return async () => {
          await p.kill(3000);
          for (const v of vips) await lab.ip(t.dir, ['addr', 'del', `${v}/32`, 'dev', 'lo']);
        };
      },
    },
    ...(['nat', 'dr', 'tun'] as const).map((m): Variant => ({
      name: `ipvx ${m.toUpperCase()}`, targets: targetsOf(matrix),
      up: async (lab, t) => {
        const rsProcs = m === 'nat' ? [] : await Promise.all(t.rs.map((r) =>
          lab.node(r, js('../e2e/fixtures/realserver.js'), ['--vip', vips.join(','), '--method', m], { ready: 'ready' })));
        const d = await lab.node(t.dir, js('../e2e/fixtures/director.js'), [
          '--state', JSON.stringify(ipvxState(m, matrix)), '--interfaces', 'eth0,eth1,eth2',
        ], { ready: 'ready', readyTimeoutMs: 30_000 });
        for (const v of vips) await waitHttp(lab, t, v);
        return async () => {
          await d.kill(5000);
          await Promise.all(rsProcs.map((p) => p.kill(5000)));
          // The director detached; links get their pass-all programs back (frames into a veth need XDP there).
          for (const i of ['eth0', 'eth1', 'eth2']) await lab.ip(t.dir, ['-force', 'link', 'set', 'dev', i, 'xdpdrv', 'obj', PASS_OBJ, 'sec', 'xdp.frags']);
          if (m === 'tun') for (const r of t.rs) await lab.ip(r, ['-force', 'link', 'set', 'dev', 'eth0', 'xdpdrv', 'obj', PASS_OBJ, 'sec', 'xdp.frags']);
        };
      },
    })),
  ];
}

/** Other CPU (% of one CPU) below which a run counts as quiet. */
const QUIET_CPU = 5;

const GOALS: Record<string, [number, string]> = { 'ipvx NAT': [0.95, '>= 0.95x'], 'ipvx DR': [0.97, '>= 0.97x'], 'ipvx TUN': [0.97, '>= 0.97x'] };

/** One table: every variant of a matrix against that matrix's direct path, ratios taken per round (same round), medians of those. */
function report(matrix: Matrix, res: Map<string, Wrk[]>): void {
  const direct = res.get(DIRECT)!;
  const nftName = [...res.keys()].find((k) => k.startsWith('nftables'))!;
  const nft = res.get(nftName)!;
  const perRound = (ws: Wrk[], f: (w: Wrk, i: number) => number) => summarize(ws.map(f)).median;
  const rows = [...res.entries()].map(([k, ws]) => {
    const rps = summarize(ws.map((w) => w.rps));
    const p99 = summarize(ws.map((w) => w.p99ms));
    const ratio = perRound(ws, (w, i) => w.rps / direct[i]!.rps);
    const p99Ratio = perRound(ws, (w, i) => w.p99ms / direct[i]!.p99ms);
    const aboveNft = perRound(ws, (w, i) => w.rps / nft[i]!.rps);
    const g = GOALS[k];
    let judged = 'baseline';
    if (g) {
      const ok = ratio >= g[0] && p99Ratio <= 1.1 && (k !== 'ipvx NAT' || aboveNft > 1);
      judged = `${g[1]}, p99 <= 1.1x${k === 'ipvx NAT' ? `, > nft (${fmtRatio(aboveNft)})` : ''}: ${verdict(ok)}`;
    }
    // The busiest real's share of the connections, over rounds (50% = even).
    const shares = ws.filter((w) => w.split && w.split.some((n) => n > 0)).map((w) => Math.max(...w.split!) / w.split!.reduce((a, b) => a + b, 0));
    const busiest = summarize(shares);
    const split = shares.length ? (fmt(busiest.min * 100) === fmt(busiest.max * 100) ? `${fmt(busiest.max * 100)}%` : `${fmt(busiest.min * 100)}-${fmt(busiest.max * 100)}%`) : '-';
    const other = summarize(ws.map((w) => w.otherCpu ?? NaN));
    // Rounds in which neither this run nor the round's direct run shared the CPUs with
    // other processes: a p99 is set by rare stalls, and another process's burst is one.
    const quiet = ws.map((w, i) => [w, direct[i]!] as const).filter(([w, d]) => (w.otherCpu ?? 100) < QUIET_CPU && (d.otherCpu ?? 100) < QUIET_CPU);
    const q = quiet.length
      ? `${fmtRatio(summarize(quiet.map(([w, d]) => w.rps / d.rps)).median)} / ${fmtRatio(summarize(quiet.map(([w, d]) => w.p99ms / d.p99ms)).median)} (${quiet.length})`
      : '-';
    return [k, fmtRate(rps.min), fmtRate(rps.median), fmtRate(rps.max), fmtRatio(ratio), fmt(p99.median, 2), fmtRatio(p99Ratio),
      split, `${fmt(other.median)}/${fmt(other.max)}%`, q, String(ws.reduce((n, w) => n + w.errors, 0)), judged];
  });
  console.log(`### matrix: ${matrix} (${matrix === 'spread'
    ? 'each wrk process to both reals; direct = ECMP route over both reals'
    : 'wrk process i to real i only; direct = real i\'s address, balancers = one service per wrk process with real i'})\n`);
  console.log(table(['path', 'min req/s', 'median req/s', 'max req/s', 'vs direct', 'p99 ms', 'p99 vs direct', 'busiest real', 'other CPU', 'quiet rounds: vs direct / p99', 'errors', 'goal'], rows));
  console.log('\n(vs direct, p99 vs direct, > nft: medians of per-round ratios; busiest real: its share of the connections, 50% = even;\n' +
    ' other CPU: median/max over rounds of the CPU that processes outside the benchmark used during the runs, % of one CPU;\n' +
    ` quiet rounds: the same two ratios over the rounds where this run and the round's direct run had other CPU < ${QUIET_CPU}% (how many))\n`);
  // A p99 is set by rare stalls: the rounds show whether a median hides one bad round or a steady difference.
  console.log(table(['path', ...res.get(DIRECT)!.map((_, i) => `round ${i + 1}: req/s, p99 ms`)],
    [...res.entries()].map(([k, ws]) => [k, ...ws.map((w) => `${fmtRate(w.rps)}, ${fmt(w.p99ms, 2)}`)])));
  console.log('');
}

async function main(): Promise<void> {
  console.log(`## tcp: HTTP through the balancer (wrk -> nginx)\n${machineLine()}`);
  console.log(`${ROUNDS} rounds x ${SECONDS} s per variant, 2 wrk processes x 1 thread, ${CONNS} keep-alive connections in all, ` +
    `2 nginx reals (1 worker each); IPv4; matrix: ${MATRICES.join(', ')}\n`);
  const res = new Map<Matrix, Map<string, Wrk[]>>(MATRICES.map((m) => [m, new Map()]));
  const tmp = mkdtempSync(join(tmpdir(), 'ipvx-bench-tcp-'));
  try {
    await withLab('bntcp', async (lab) => {
      const t = await build(lab, tmp);
      for (let r = 0; r < ROUNDS; r++) {
        for (const matrix of MATRICES) {
          for (const v of variants(matrix)) {
            const down = await v.up(lab, t);
            try {
              const w = await load(lab, t, v.targets, v.even);
              const m = res.get(matrix)!;
              if (!m.has(v.name)) m.set(v.name, []);
              m.get(v.name)!.push(w);
              if (process.env.BENCH_DEBUG) console.error(matrix, v.name, JSON.stringify(w));
            } finally {
              await down();
            }
          }
        }
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const [matrix, m] of res) report(matrix, m);
}

await main();
