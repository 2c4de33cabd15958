// Packet rate end to end: a generator namespace sends live frames
// (BPF_F_TEST_XDP_LIVE_FRAMES, many flows) to a director namespace, which sends
// them back to the generator, where an XDP program counts and drops them.
// One-arm topology (the director forwards out of the interface the frames came in
// on, XDP_TX), so the ceiling is a program that only reflects frames there.
//
//   gen (eth0, sink_count) <==veth==> dir (eth0: reflect | ipvx DR | ipvx TUN)
//
//   node build/js/test/bench/rate.js [--rounds N] [--count N] [--flows N] [--quick] [--compare OLD.o]
//   (--compare: also run ipvx DR/TUN with another build of the director, e.g. before a change)
import { fileURLToPath } from 'node:url';
import { withLab, Lab, Host } from '../../src/lab/topology.js';
import { DEFAULT_TIMEOUTS, DesiredState, Method } from '../../src/core/model.js';
import { buildFrame } from '../lib/packet.js';
import { summarize, fmtRate, fmtRatio, fmt, table, machineLine, verdict } from './lib/stats.js';
import { benchArgs } from './lib/args.js';

const args = benchArgs({ count: { type: 'string' }, flows: { type: 'string' }, compare: { type: 'string' } });
const ROUNDS = args.num('rounds', 5, 3);
const COUNT = args.num('count', 2_000_000, 500_000);
const FLOWS = args.num('flows', 10_000);
const COMPARE = args.str('compare');

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const BPF = (name: string) => fileURLToPath(new URL(`../../../bpf/${name}`, import.meta.url));

const GEN_MAC = '02:00:00:00:0b:01';
const DIR_MAC = '02:00:00:00:0d:01';
const GEN_IP = '192.0.2.1';
const DIR_IP = '192.0.2.254';
const VIP = '203.0.113.10';
const DPORT = 9;

interface Round { sent: number; received: number; seconds: number }

/** One round: the generator process sends COUNT frames once and reports what came back. */
async function generateOnce(lab: Lab, gen: Host): Promise<Round> {
  const frame = buildFrame({
    ethSrc: GEN_MAC, ethDst: DIR_MAC, src: '192.0.2.100', dst: VIP, proto: 'udp', udp: { sport: 10000, dport: DPORT },
    payload: new Uint8Array(18), // 64-byte frame on the wire with the FCS
  });
  const out = await lab.runNode(gen, js('./rate-gen.js'), [
    '--ifname', 'eth0', '--frame', Buffer.from(frame).toString('hex'), '--sport-off', '34', '--dport', String(DPORT),
    '--flows', String(FLOWS), '--count', String(COUNT),
  ]);
  const line = out.trim().split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`generator printed no result: ${out}`);
  return JSON.parse(line) as Round;
}

function state(method: Method): DesiredState {
  return {
    services: [{
      vip: VIP, port: DPORT, protocol: 'udp', scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method,
      reals: [{ address: GEN_IP, port: DPORT, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    }],
    timeouts: { ...DEFAULT_TIMEOUTS },
  };
}

async function main(): Promise<void> {
  console.log(`## rate: packets per second forwarded, live frames\n${machineLine()}`);
  console.log(`${ROUNDS} rounds of ${COUNT.toLocaleString('en')} UDP frames (64 bytes), ${FLOWS.toLocaleString('en')} flows; IPv4\n`);
  const results = new Map<string, Round[]>();
  await withLab('bnrate', async (lab) => {
    const gen = await lab.addHost('gen');
    const dir = await lab.addHost('dir');
    await lab.link(gen, dir, { xdp: true, aMac: GEN_MAC, bMac: DIR_MAC, aIf: 'eth0', bIf: 'eth0' });
    await lab.addAddress(gen, 'eth0', `${GEN_IP}/24`);
    await lab.addAddress(dir, 'eth0', `${DIR_IP}/24`);
    // The real (the generator itself) is resolved before ipvx starts: no ARP race in the figures.
    await lab.ip(dir, ['neigh', 'replace', GEN_IP, 'lladdr', GEN_MAC, 'dev', 'eth0', 'nud', 'permanent']);
    const variants: { name: string; up: () => Promise<() => Promise<void>> }[] = [
      {
        name: 'reflector (ceiling)',
        up: async () => {
          await lab.ip(dir, ['-force', 'link', 'set', 'dev', 'eth0', 'xdpdrv', 'obj', BPF('bench_reflect.bpf.o'), 'sec', 'xdp']);
          return async () => { await lab.ip(dir, ['link', 'set', 'dev', 'eth0', 'xdpdrv', 'off']); };
        },
      },
      {
        // The reflector plus one flow-table lookup: what any balancer with a flow table can reach at best.
        name: 'reflector + flow lookup (floor)',
        up: async () => {
          await lab.ip(dir, ['-force', 'link', 'set', 'dev', 'eth0', 'xdpdrv', 'obj', BPF('bench_reflect_flow.bpf.o'), 'sec', 'xdp']);
          return async () => { await lab.ip(dir, ['link', 'set', 'dev', 'eth0', 'xdpdrv', 'off']); };
        },
      },
      ...(['dr', 'tun'] as const).flatMap((m) => (COMPARE ? [undefined, COMPARE] : [undefined]).map((object) => ({
        name: `ipvx ${m.toUpperCase()}${object ? ' (--compare object)' : ''}`,
        up: async () => {
          const p = await lab.node(dir, js('../e2e/fixtures/director.js'), [
            '--state', JSON.stringify(state(m)), '--interfaces', 'eth0',
            ...(object ? ['--object', object] : []),
          ], { ready: 'ready', readyTimeoutMs: 30_000 });
          return async () => {
            await p.kill(5000);
            if (process.env.BENCH_DEBUG) console.error(m, p.lines.find((l) => l.startsWith('{')));
          };
        },
      }))),
    ];
    // Variants alternate round by round, so drifting noise hits all of them alike.
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) {
        const down = await v.up();
        try {
          const got = await generateOnce(lab, gen);
          if (!results.has(v.name)) results.set(v.name, []);
          results.get(v.name)!.push(got);
        } finally {
          await down();
        }
      }
    }
  });
  const pps = (k: string) => results.get(k)!.map((x) => x.received / x.seconds);
  const ceilings = pps('reflector (ceiling)');
  const ceiling = summarize(ceilings).median;
  const rows = [...results.keys()].map((k) => {
    const s = summarize(pps(k));
    const lost = results.get(k)!.reduce((n, x) => n + (x.sent - x.received), 0) / results.get(k)!.reduce((n, x) => n + x.sent, 0);
    // Each round's figure over the ceiling of the same round: the load of the moment hits both.
    const ratio = summarize(pps(k).map((v, i) => v / ceilings[i]!)).median;
    return [k, fmtRate(s.min), fmtRate(s.median), fmtRate(s.max), `${fmt(lost * 100, 1)}%`, fmtRatio(s.median / ceiling), fmtRatio(ratio),
      k.startsWith('ipvx') ? `>= 0.80x ${verdict(ratio >= 0.8)}` : 'baseline'];
  });
  console.log(table(['director program', 'min pps', 'median pps', 'max pps', 'not counted', 'medians vs ceiling', 'median of round ratios', 'goal'], rows));
  console.log('\ngoal judged on the median of round ratios (each round\'s figure over the ceiling measured in the same round)');
}


await main();
