// `make bench [ARGS="pkt rate tcp ctl --quick"]`: runs the selected sub-benchmarks
// (all by default), each in a process of its own (the per-packet one moves its
// thread into a fresh network namespace), one after the other so they do not share
// the two cores. Benchmark names come first; everything from the first argument
// that starts with '-' on is options (and their values, `--matrix spread`), passed
// to every sub-benchmark.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES: Record<string, string> = {
  pkt: 'per-packet cost through BPF_PROG_TEST_RUN (ns/packet vs XDP_DROP and MAC-swap XDP_TX)',
  rate: 'packets per second forwarded with live frames (ipvx DR/TUN vs a reflector)',
  tcp: 'HTTP requests/s and p99 through ipvx NAT/DR/TUN vs nftables DNAT, HAProxy, direct; two traffic matrices (--matrix)',
  marks: 'per-packet cost of firewall-mark rules (none vs 100) on the established, new-flow and pass paths',
  leastconn: 'per-new-flow cost of wlc with 8 to 4,096 reals (--objects old.o,new.o to compare builds)',
  ctl: 'control plane: Maglev build, ApplyConfig 10,000 x 10, weight change RPC -> map',
  'health-scale': 'health checks of 10,000 reals: checks/s, daemon CPU and RSS, API latency while checking',
  hostile: 'hostile requests to an HA active: longest heartbeat gap and GetStatus latency while each is processed (--compare DIR: a baseline build)',
  soak: 'an HA pair for 10 minutes (--minutes N, --quick: 1) under churn, health flapping and a failover a minute: broken connections, RSS, fds, lag (only when named)',
};
/** Run only when named: too long for `make bench` without arguments. */
const ON_REQUEST = new Set(['soak']);

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`Usage: node build/js/test/bench/run.js [${Object.keys(BENCHES).join('|')} ...] [--quick] [options]\n` +
    `  names come first; everything from the first '-' argument on is passed to every benchmark\n` +
    Object.entries(BENCHES).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n'));
  process.exit(0);
}
const firstOpt = argv.findIndex((a) => a.startsWith('-'));
const words = firstOpt < 0 ? argv : argv.slice(0, firstOpt);
const opts = firstOpt < 0 ? [] : argv.slice(firstOpt);
const unknown = words.filter((a) => !(a in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')}; options go after the names)`);
  process.exit(2);
}
const names = words;
let failed = 0;
for (const name of names.length ? names : Object.keys(BENCHES).filter((n) => !ON_REQUEST.has(n))) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url)), ...opts], { stdio: 'inherit' });
  console.log(`\n(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s${r.status ? `, exit ${r.status}` : ''})\n`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
