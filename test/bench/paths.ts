// Per-path cost of director objects side by side (before/after a data-plane change),
// with the method of pkt.ts (repeat, restore harness, harness cost subtracted) but
// fewer cases, so a change can be judged in a minute. Objects are loaded at the same
// time in the same process, each with its own maps, and alternate within every round.
//
//   node build/js/test/bench/paths.js --objects old.o,build/bpf/ipvx_lb.bpf.o [--rounds N]
//        [--repeat N] [--flows N] [--no-fill] [--calls N]
import { BpfObject, BpfProgram } from '../../src/bpf/index.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, DEFAULT_DEFENSE, DesiredState, Method } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';
import { buildFrame, macBytes, FrameOpts } from '../lib/packet.js';
import { openFloor, addFloorFlow } from './lib/floor.js';
import { summarize, fmt, fmtRatio, table, machineLine } from './lib/stats.js';
import { benchArgs } from './lib/args.js';
import { CLIENT_MAC, DIR_MAC, REAL_MAC, RestoreHarness, meanOfCalls, type Family } from './lib/restore.js';

const args = benchArgs({ objects: { type: 'string' }, repeat: { type: 'string' }, flows: { type: 'string' }, 'no-fill': { type: 'boolean' }, calls: { type: 'string' } });
const OBJECTS = (args.str('objects') ?? 'build/bpf/ipvx_lb.bpf.o').split(',');
const ROUNDS = args.num('rounds', 7);
const REPEAT = args.num('repeat', 500_000);
const FLOWS = args.num('flows', 1 << 20);
const NO_FILL = args.flag('no-fill');
/** --calls N: time with N runs of one repetition each (pkt's per-run method, cold caches) instead of repeat. */
const CALLS = args.num('calls', 0);

/** new: SYN of a new 5-tuple; flood: the same with the flood defence on (mh: no flow entry);
 *  other: to the director from a host; hc: to the director from a NAT real (a health-check reply). */
type Kind = 'new' | 'est' | 'udp' | 'reply' | 'other' | 'hc' | 'flood';
const VIP_HOST: Record<Method, number> = { dr: 10, tun: 11, nat: 12 };
const vip = (f: Family, m: Method) => (f === 4 ? `203.0.113.${VIP_HOST[m]}` : `2001:db8::${VIP_HOST[m]}`);
const realAddr = (f: Family) => (f === 4 ? '198.51.100.1' : '2001:db8:1::1');

const NO_DEFENSE = { ...DEFAULT_DEFENSE, newFlowRate: 0, dropEntry: 0 as const };
/** Flooded after the first new flow of a run: the mh services then forward new flows without an entry. */
const FLOOD_DEFENSE = { ...DEFAULT_DEFENSE, newFlowRate: 1 };

function desired(): DesiredState {
  const services = [];
  for (const f of [4, 6] as const) for (const method of ['dr', 'tun', 'nat'] as const) for (const protocol of ['tcp', 'udp'] as const) {
    services.push({
      vip: vip(f, method), port: 80, protocol, scheduler: 'mh' as const, flags: [], persistence: 0, persistenceMask: '', method,
      reals: [{ address: realAddr(f), port: method === 'nat' ? 8080 : 80, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    });
  }
  // The flood defence is off while the table fills and for the plain new-flow rows
  // (the 'flood' rows turn it on).
  const v = validateState({ services, timeouts: { ...DEFAULT_TIMEOUTS }, defense: NO_DEFENSE });
  if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
  return v.value;
}

const nextHop = (a: { family: number }): NextHop => ({
  ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC), mtu: 1500,
  src: ip(a.family === 4 ? '198.51.100.254' : '2001:db8:1::fe'),
});

const isNew = (k: Kind) => k === 'new' || k === 'flood';
const isPass = (k: Kind) => k === 'other' || k === 'hc';

function frame(f: Family, m: Method, kind: Kind): Uint8Array {
  const client = f === 4 ? '192.0.2.100' : '2001:db8:c::100';
  // A real's reply to a NAT flow, and packets for the director itself (ssh from a host,
  // a health-check reply from a real): none is for a VIP.
  const director = f === 4 ? '198.51.100.254' : '2001:db8:1::fe';
  if (kind === 'reply' || kind === 'other' || kind === 'hc') {
    return buildFrame({
      ethSrc: REAL_MAC, ethDst: DIR_MAC, df: true, proto: 'tcp', payload: new Uint8Array(18),
      ...(kind === 'reply'
        ? { src: realAddr(f), dst: client, tcp: { sport: 8080, dport: 40000, flags: 'A', seq: 1, ack: 1 } }
        : kind === 'hc'
          ? { src: realAddr(f), dst: director, tcp: { sport: 80, dport: 40000, flags: 'A', seq: 1, ack: 1 } }
          : { src: f === 4 ? '192.0.2.200' : '2001:db8:c::200', dst: director, tcp: { sport: 40000, dport: 22, flags: 'A', seq: 1, ack: 1 } }),
    });
  }
  const l4 = { sport: 40000, dport: 80 };
  const o: FrameOpts = {
    ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: f === 4 ? '192.0.2.100' : '2001:db8:c::100', dst: vip(f, m), df: true,
    ...(kind === 'udp'
      ? { proto: 'udp' as const, udp: l4 }
      : { proto: 'tcp' as const, tcp: { ...l4, flags: isNew(kind) ? 'S' : 'A', seq: 1, ack: isNew(kind) ? 0 : 1 } }),
    payload: new Uint8Array(isNew(kind) ? 0 : 18),
  };
  return buildFrame(o);
}

const base = BpfObject.open('build/bpf/bench_base.bpf.o');
base.load();
const wrap = new RestoreHarness();

function wrapped(p: BpfProgram, fr: Uint8Array, vary: boolean, f: Family, repeat = REPEAT): { ns: number; action: number } {
  return wrap.run(p, fr, vary, f, repeat);
}

/** ns/packet by the selected method: one run of REPEAT repetitions, or the mean of CALLS single runs. */
function timed(p: BpfProgram, fr: Uint8Array, vary: boolean, f: Family): { ns: number; action: number } {
  return CALLS ? meanOfCalls(CALLS, () => wrapped(p, fr, vary, f, 1)) : wrapped(p, fr, vary, f);
}

function timedDirect(p: BpfProgram, fr: Uint8Array): number {
  if (!CALLS) return p.testRun({ data: fr, repeat: REPEAT }).durationNs;
  return meanOfCalls(CALLS, () => ({ ns: p.testRun({ data: fr, repeat: 1 }).durationNs, action: 0 })).ns;
}

const CASES: { name: string; f: Family; m: Method; kind: Kind }[] = [
  { name: 'established TCP, DR, IPv4', f: 4, m: 'dr', kind: 'est' },
  { name: 'established TCP, DR, IPv6', f: 6, m: 'dr', kind: 'est' },
  { name: 'established TCP, TUN, IPv4', f: 4, m: 'tun', kind: 'est' },
  { name: 'established TCP, TUN, IPv6', f: 6, m: 'tun', kind: 'est' },
  { name: 'established TCP, NAT, IPv4', f: 4, m: 'nat', kind: 'est' },
  { name: 'established TCP, NAT, IPv6', f: 6, m: 'nat', kind: 'est' },
  { name: 'UDP (flow exists), DR, IPv4', f: 4, m: 'dr', kind: 'udp' },
  { name: 'NAT reply, IPv4', f: 4, m: 'nat', kind: 'reply' },
  { name: 'NAT reply, IPv6', f: 6, m: 'nat', kind: 'reply' },
  { name: 'not for a VIP, from a host (XDP_PASS), IPv4', f: 4, m: 'dr', kind: 'other' },
  { name: 'not for a VIP, from a host (XDP_PASS), IPv6', f: 6, m: 'dr', kind: 'other' },
  { name: 'not for a VIP, from a NAT real (XDP_PASS), IPv4', f: 4, m: 'dr', kind: 'hc' },
  { name: 'new TCP flow (SYN), DR, IPv4', f: 4, m: 'dr', kind: 'new' },
  { name: 'new TCP flow (SYN), DR, IPv6', f: 6, m: 'dr', kind: 'new' },
  { name: 'new TCP flow (SYN), TUN, IPv6', f: 6, m: 'tun', kind: 'new' },
  { name: 'new TCP flow (SYN), NAT, IPv4', f: 4, m: 'nat', kind: 'new' },
  { name: 'new TCP flow under the flood defence (mh: no entry), DR, IPv4', f: 4, m: 'dr', kind: 'flood' },
  { name: 'new TCP flow under the flood defence (mh: no entry), DR, IPv6', f: 6, m: 'dr', kind: 'flood' },
];

/** Median over rounds of a/b taken round by round (both lists in round order). */
function ratioOfRounds(a: number[], b: number[]): number {
  return summarize(a.map((x, i) => x / b[i]!)).median;
}

function main(): void {
  console.log(`## paths: per-path cost of ${OBJECTS.length} director object(s)\n${machineLine()}`);
  console.log(`${CALLS ? `${CALLS.toLocaleString('en')} runs of one repetition per figure` : `repeat ${REPEAT.toLocaleString('en')}`}, ${ROUNDS} rounds, flow table ${FLOWS.toLocaleString('en')}${NO_FILL ? '' : ' (filled)'}\n`);
  const state = desired();
  const lbs = OBJECTS.map((path) => {
    const h = LbHarness.open(path, (o) => { o.setMaxEntries('flows', FLOWS); o.setMaxEntries('nat_rev', FLOWS); });
    h.apply(state, nextHop);
    writeIfMac(h.maps, 1, macBytes(DIR_MAC)); // own MAC of lo, as the daemon writes it
    for (const f of [4, 6] as const) h.run(frame(f, 'nat', 'new')); // the NAT flows and their reverse entries, for the reply cases
    if (!NO_FILL) {
      const fill = wrapped(h.obj.program('balancer_ingress'), frame(4, 'dr', 'new'), true, 4);
      for (let n = REPEAT; n < FLOWS + (FLOWS >> 3); n += REPEAT) wrapped(h.obj.program('balancer_ingress'), frame(4, 'dr', 'new'), true, 4);
      console.log(`${path}: table filled (first ${REPEAT.toLocaleString('en')} new flows ${fill.ns} ns each)`);
    }
    return { path, h };
  });
  const floor = openFloor(FLOWS, vip(4, 'dr'), 80);
  const est4 = frame(4, 'dr', 'est');
  for (let n = 0; n < FLOWS + (FLOWS >> 3); n += REPEAT) wrapped(floor.program('floor_flow_insert'), frame(4, 'dr', 'new'), true, 4);
  addFloorFlow(floor, '192.0.2.100', 40000, vip(4, 'dr'), 80);
  const FLOORS = [
    { name: 'floor: service lookup (hash, 20-byte key) + MAC swap', prog: 'floor_svc_lookup', vary: false },
    { name: 'floor: flow lookup (LRU, 40-byte key, full table) + MAC swap', prog: 'floor_flow_lookup', vary: false },
    { name: 'floor: IPv4 header checksum + flow lookup + MAC swap', prog: 'floor_flow_lookup_csum', vary: false },
    { name: 'floor: service + flow lookups + MAC swap', prog: 'floor_svc_flow_lookup', vary: false },
    { name: 'floor: flow insert into the full LRU + MAC swap', prog: 'floor_flow_insert', vary: true },
  ];
  const res = new Map<string, number[]>();
  const push = (k: string, v: number) => { if (!res.has(k)) res.set(k, []); res.get(k)!.push(v); };
  for (let r = 0; r < ROUNDS; r++) {
    const harness: Record<string, number> = {};
    for (const f of [4, 6] as const) {
      const fr = frame(f, 'dr', 'est');
      const m = timedDirect(base.program('xdp_macswap'), fr);
      push(`macswap v${f}`, m);
      harness[`${f} same`] = timed(base.program('xdp_macswap'), fr, false, f).ns - m;
      harness[`${f} vary`] = timed(base.program('xdp_macswap'), fr, true, f).ns - m;
    }
    for (const fl of FLOORS) {
      const w = timed(floor.program(fl.prog), est4, fl.vary, 4);
      if (w.action !== XDP.TX) throw new Error(`${fl.name}: ${XDP_NAME[w.action]}`);
      push(fl.name, w.ns - harness[`4 ${fl.vary ? 'vary' : 'same'}`]!);
    }
    for (const c of CASES) {
      for (const { path, h } of (r % 2 ? [...lbs].reverse() : lbs)) {
        if (c.kind === 'flood') h.writer.writeDefense(FLOOD_DEFENSE);
        if (c.kind === 'reply') h.run(frame(c.f, 'nat', 'new')); // the reverse entry, in case the LRU evicted it
        const w = timed(h.obj.program('balancer_ingress'), frame(c.f, c.m, c.kind), isNew(c.kind), c.f);
        if (c.kind === 'flood') h.writer.writeDefense(NO_DEFENSE);
        if (w.action !== (isPass(c.kind) ? XDP.PASS : XDP.TX)) throw new Error(`${path} ${c.name}: ${XDP_NAME[w.action]}`);
        push(`${path} ${c.name}`, w.ns - harness[`${c.f} ${isNew(c.kind) ? 'vary' : 'same'}`]!);
      }
    }
  }
  const med = (k: string) => summarize(res.get(k)!).median;
  const rows: string[][] = [];
  for (const f of [4, 6] as const) {
    const s = summarize(res.get(`macswap v${f}`)!);
    rows.push([`MAC-swap XDP_TX v${f}`, '', fmt(s.min), fmt(s.median), fmt(s.max), '1.00x']);
  }
  for (const fl of FLOORS) {
    const s = summarize(res.get(fl.name)!);
    rows.push([fl.name, 'bench_floor', fmt(s.min), fmt(s.median), fmt(s.max), fmtRatio(s.median / med('macswap v4'))]);
  }
  for (const c of CASES) {
    for (const { path } of lbs) {
      const s = summarize(res.get(`${path} ${c.name}`)!);
      // Against the first object (the build before a change), per round: a ratio from one round's noise.
      const vsFirst = ratioOfRounds(res.get(`${path} ${c.name}`)!, res.get(`${lbs[0]!.path} ${c.name}`)!);
      rows.push([c.name, path, fmt(s.min), fmt(s.median), fmt(s.max), fmtRatio(s.median / med(`macswap v${c.f}`)), fmtRatio(vsFirst)]);
    }
  }
  console.log(table(['case', 'object', 'min ns', 'median ns', 'max ns', 'vs MAC-swap', `vs ${lbs[0]!.path}`], rows));
  const flow = res.get(FLOORS[1]!.name)!, csum = res.get(FLOORS[2]!.name)!;
  const diff = summarize(csum.map((x, i) => x - flow[i]!));
  console.log(`\nIPv4 header checksum check: ${fmt(diff.median, 1)} ns (per round: the floor with it minus the floor without, median; min ${fmt(diff.min, 1)}, max ${fmt(diff.max, 1)})`);
  for (const { h } of lbs) h.close();
  floor.close();
  base.close();
  wrap.close();
}

main();
