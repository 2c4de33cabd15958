// Per-new-flow cost of lc/wlc with many reals: a SYN of a flow never seen (the restore
// harness gives every repetition a new 5-tuple) to a wlc service of N reals, for each
// director object given (e.g. the build before the sampled choice, which scanned at most
// 64 reals, beside this one). The harness's own cost is measured in the same round
// (harness + MAC swap minus MAC swap) and subtracted, as in paths.ts.
//
//   node build/js/test/bench/leastconn.js [--objects old.o,build/bpf/ipvx_lb.bpf.o] [--rounds N] [--repeat N]
import { BpfObject } from '../../src/bpf/index.js';
import { DEFAULT_TIMEOUTS, DesiredState } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { realConns } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';
import { buildFrame, macBytes } from '../lib/packet.js';
import { summarize, fmt, fmtRatio, table, machineLine } from './lib/stats.js';
import { benchArgs } from './lib/args.js';
import { CLIENT_MAC, DIR_MAC, RestoreHarness, Samples, harnessCost } from './lib/restore.js';

const args = benchArgs({ objects: { type: 'string' }, repeat: { type: 'string' } });
const OBJECTS = (args.str('objects') ?? 'build/bpf/ipvx_lb.bpf.o').split(',');
const ROUNDS = args.num('rounds', 5, 3);
const REPEAT = args.num('repeat', 200_000, 50_000);
const SIZES = [8, 16, 17, 64, 1000, 4096];
const VIP = (n: number) => `2001:db8::${n.toString(16)}`;

function desired(): DesiredState {
  const services = SIZES.map((n) => ({
    vip: VIP(n), port: 80, protocol: 'tcp' as const, scheduler: 'wlc' as const, flags: [], persistence: 0, persistenceMask: '', method: 'dr' as const,
    reals: Array.from({ length: n }, (_, i) => ({
      address: `2001:db8:1::${(i + 1).toString(16)}`, port: 80, method: 'dr' as const, weight: 1 + (i % 5), upperThreshold: 0, lowerThreshold: 0,
    })),
  }));
  const v = validateState({ services, timeouts: { ...DEFAULT_TIMEOUTS } });
  if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
  return v.value;
}

const nextHop = (): NextHop => ({ ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes('02:00:00:00:0a:01'), mtu: 1500 });

const syn = (n: number) => buildFrame({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '2001:db8:c::100', dst: VIP(n), proto: 'tcp', tcp: { sport: 40000, dport: 80, flags: 'S' },
});

function main(): void {
  console.log(`## leastconn: per-new-flow cost of wlc by number of reals\n${machineLine()}`);
  console.log(`repeat ${REPEAT.toLocaleString('en')} new flows per figure, ${ROUNDS} rounds; reals of weights 1-5 with 0-9 active connections each\n`);
  const state = desired();
  const lbs = OBJECTS.map((path) => {
    const h = LbHarness.open(path, (o) => o.setMaxEntries('flows', 1 << 20));
    h.apply(state, nextHop);
    writeIfMac(h.maps, 1, macBytes(DIR_MAC));
    // Some load on every real, so comparisons are not all ties.
    for (const [, ids] of h.writer.serviceIds()) {
      for (const rs of ids.reals.values()) h.maps.real_conns.update(u32Key(rs.id), realConns.encode({ active: rs.id % 10, inactive: rs.id % 7 }));
    }
    return { path, h };
  });
  const base = BpfObject.open('build/bpf/bench_base.bpf.o');
  base.load();
  const wrap = new RestoreHarness();
  const res = new Samples();
  for (let r = 0; r < ROUNDS; r++) {
    const harness = harnessCost(wrap, base.program('xdp_macswap'), syn(64), 6, REPEAT).vary;
    for (const n of SIZES) {
      for (const { path, h } of (r % 2 ? [...lbs].reverse() : lbs)) {
        const w = wrap.run(h.obj.program('balancer_ingress'), syn(n), true, 6, REPEAT);
        if (w.action !== XDP.TX) throw new Error(`${path} ${n} reals: ${XDP_NAME[w.action]}`);
        res.push(`${path}|${n}`, w.ns - harness);
      }
    }
  }
  const rows: string[][] = [];
  const first = OBJECTS[0]!;
  const ref = res.get(`${first}|64`)!;
  for (const n of SIZES) {
    for (const { path } of lbs) {
      const v = res.get(`${path}|${n}`)!;
      const s = summarize(v);
      // Each round's figure over the first object's 64-real figure of the same round.
      const ratio = summarize(v.map((x, i) => x / ref[i]!)).median;
      rows.push([n.toLocaleString('en'), path, fmt(s.min), fmt(s.median), fmt(s.max), fmtRatio(ratio)]);
    }
  }
  console.log(table(['reals', 'object', 'min ns', 'median ns', 'max ns', `vs ${first} at 64 (median of round ratios)`], rows));
  for (const { h } of lbs) h.close();
  base.close();
  wrap.close();
}

main();
