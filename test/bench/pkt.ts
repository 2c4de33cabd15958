// Per-packet cost of the director program through BPF_PROG_TEST_RUN, beside the
// cheapest XDP programs (XDP_DROP, MAC-swap XDP_TX) compiled and run in the same
// process. Method (docs/benchmarks.md): every figure is the kernel's mean ns per
// repetition of one test run with `repeat` repetitions; several rounds, cases
// interleaved within a round so noise spreads evenly; min/median/max over rounds.
//
// The kernel does not restore the frame between repetitions, so ipvx runs behind
// bench_restore (puts the original frame back, optionally gives it a new 5-tuple,
// tail-calls ipvx). That harness's own cost is measured in the same round by
// tail-calling the MAC-swap baseline through it, and subtracted.
//
//   node build/js/test/bench/pkt.js [--rounds N] [--repeat N] [--quick] [--object PATH]
//        [--katran PATH.o] [--flood-syns N] [--flood-established N]
//   (--object: another build of the director, e.g. the one before a change;
//    --katran: Katran's balancer_ingress built with its default flags, timed beside ipvx
//    in the goals table: test/bench/lib/katran.ts)
import { execFileSync } from 'node:child_process';
import { BpfObject, BpfProgram } from '../../src/bpf/index.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, DEFAULT_DEFENSE, DesiredState, Method, ServiceSpec, RealSpec } from '../../src/core/model.js';
import { ipTo16 } from '../../src/core/addr.js';
import { flowKey } from '../../src/dataplane/codec.js';
import { KatranBench } from './lib/katran.js';
import { openFloor, addFloorFlow } from './lib/floor.js';
import { validateState } from '../../src/core/validate.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';
import { buildFrame, macBytes, parseFrame, FrameOpts } from '../lib/packet.js';
import { summarize, fmt, fmtRatio, table, machineLine, verdict } from './lib/stats.js';
import { benchArgs } from './lib/args.js';
import { CLIENT_MAC, DIR_MAC, REAL_MAC, RestoreHarness, meanOfCalls, type Family } from './lib/restore.js';

const args = benchArgs({
  repeat: { type: 'string' }, object: { type: 'string' }, katran: { type: 'string' },
  'flood-syns': { type: 'string' }, 'flood-established': { type: 'string' },
});
const ROUNDS = args.num('rounds', 5, 3);
const REPEAT = args.num('repeat', 1_000_000, 200_000);
const OBJECT = args.str('object');
const KATRAN = args.str('katran');
/** New-flow runs stay under Katran's per-CPU limit of 125,000 new flows a second (see lib/katran.ts). */
const NEW_REPEAT = Math.min(REPEAT, 100_000);
const FLOOD_SYNS = args.num('flood-syns', 10_000_000, 1_000_000);
const FLOOD_ESTABLISHED = args.num('flood-established', 100_000, 20_000);
/** The flood defence off (timing every new flow as inserted), and flooded after one new flow. */
const NO_DEFENSE = { ...DEFAULT_DEFENSE, newFlowRate: 0, dropEntry: 0 as const };
const FLOOD_DEFENSE = { ...DEFAULT_DEFENSE, newFlowRate: 1 };
const FLOW_TABLE = 1 << 20;
const MANY = 1000;

const NAT_PORT = 8080;

type Kind = 'new' | 'est' | 'udp' | 'reply';
const METHOD_VIP: Record<Method, number> = { dr: 10, tun: 11, nat: 12 };

const vip = (f: Family, m: Method) => (f === 4 ? `203.0.113.${METHOD_VIP[m]}` : `2001:db8::${METHOD_VIP[m]}`);
const client = (f: Family) => (f === 4 ? '192.0.2.100' : '2001:db8:c::100');
const dirAddr = (f: Family) => (f === 4 ? '198.51.100.254' : '2001:db8:1::fe');

/**
 * `n` distinct real addresses in the documentation ranges. IPv4 has only three /24s
 * (762 usable addresses), so DR/TUN services of "1,000" IPv4 reals get 750 and NAT
 * ones 1,000 as 250 addresses x 4 ports; the data plane's per-packet work does not
 * depend on the count (Maglev table of fixed size), only the memory touched does.
 */
function reals(f: Family, method: Method, n: number): { address: string; port: number }[] {
  if (f === 6) return Array.from({ length: n }, (_, i) => ({ address: `2001:db8:1::${(i + 1).toString(16)}`, port: method === 'nat' ? NAT_PORT : 80 }));
  if (method === 'nat') {
    return Array.from({ length: n }, (_, i) => ({ address: `198.51.100.${(i % 250) + 1}`, port: NAT_PORT + Math.floor(i / 250) }));
  }
  const range = (prefix: string, skip: number[]) =>
    Array.from({ length: 254 }, (_, i) => i + 1).filter((h) => !skip.includes(h)).map((h) => `${prefix}.${h}`);
  const pool = [...range('198.51.100', [254]), ...range('203.0.113', [10, 11, 12]), ...range('192.0.2', [100])];
  return pool.slice(0, Math.min(n, 750)).map((address) => ({ address, port: 80 }));
}

function service(f: Family, method: Method, n: number, port: number, protocol: 'tcp' | 'udp'): ServiceSpec {
  return {
    vip: vip(f, method), port, protocol, scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method,
    reals: reals(f, method, n).map((r): RealSpec => ({ ...r, port: method === 'nat' ? r.port : port, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
  };
}

/** Port 80: one real; port 81: many. TCP and UDP services on both. */
const vport = (many: boolean) => (many ? 81 : 80);

function desired(): DesiredState {
  const services: ServiceSpec[] = [];
  for (const f of [4, 6] as const) for (const m of ['dr', 'tun', 'nat'] as const) for (const many of [false, true]) {
    for (const proto of ['tcp', 'udp'] as const) services.push(service(f, m, many ? MANY : 1, vport(many), proto));
  }
  const v = validateState({ services, timeouts: { ...DEFAULT_TIMEOUTS }, defense: NO_DEFENSE });
  if (!v.ok) throw new Error(`bench state is not valid: ${JSON.stringify(v.errors.slice(0, 3))}`);
  return v.value;
}

const nextHop = (a: { family: number }): NextHop => ({
  ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC), mtu: 1500, src: ip(dirAddr(a.family as Family)),
});

function clientFrame(f: Family, m: Method, many: boolean, kind: Kind): FrameOpts {
  const l4 = { sport: 40000, dport: vport(many) };
  return {
    ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: client(f), dst: vip(f, m), df: true,
    ...(kind === 'udp'
      ? { proto: 'udp' as const, udp: l4 }
      : { proto: 'tcp' as const, tcp: { ...l4, flags: kind === 'new' ? 'S' : 'A', seq: 1, ack: kind === 'new' ? 0 : 1 } }),
    payload: new Uint8Array(kind === 'new' ? 0 : 18),
  };
}

/** Offsets the harness rewrites for new flows: the L4 source port, the last byte of the source address. */
class Bench {
  readonly h: LbHarness;
  readonly base: BpfObject;
  readonly wrap: RestoreHarness;

  constructor() {
    this.h = LbHarness.open(OBJECT ?? 'build/bpf/ipvx_lb.bpf.o', (o) => {
      o.setMaxEntries('flows', FLOW_TABLE);
      o.setMaxEntries('nat_rev', FLOW_TABLE);
    });
    this.base = BpfObject.open('build/bpf/bench_base.bpf.o');
    this.base.load();
    this.wrap = new RestoreHarness();
  }

  get lb(): BpfProgram { return this.h.obj.program('balancer_ingress'); }
  get drop(): BpfProgram { return this.base.program('xdp_drop'); }
  get macswap(): BpfProgram { return this.base.program('xdp_macswap'); }

  /** ns/packet of a program whose output is a valid input again (plain repeat). */
  direct(p: BpfProgram, frame: Uint8Array, repeat = REPEAT): { ns: number; action: number } {
    const r = p.testRun({ data: frame, repeat });
    return { ns: r.durationNs, action: r.retval };
  }

  /** ns/packet of `p` behind the restore harness (harness cost included). */
  wrapped(p: BpfProgram, frame: Uint8Array, vary: boolean, f: Family, repeat = REPEAT): { ns: number; action: number } {
    return this.wrap.run(p, frame, vary, f, repeat);
  }

  /**
   * ns/packet with one repetition per test run, `calls` runs, kernel-reported durations
   * summed: each figure then also carries the test run's fixed cost (timer reads,
   * context setup), much as a driver adds its own per-packet cost around XDP.
   */
  perCall(p: BpfProgram, frame: Uint8Array, vary: boolean, f: Family, calls: number, viaHarness: boolean): number {
    return meanOfCalls(calls, () => (viaHarness ? this.wrapped(p, frame, vary, f, 1) : this.direct(p, frame, 1))).ns;
  }

  /** The real a NAT client frame was sent to (its reply is built from it). */
  natReply(f: Family, many: boolean): Uint8Array {
    const o = clientFrame(f, 'nat', many, 'new');
    const out = this.h.run(buildFrame(o));
    if (out.action !== XDP.TX) throw new Error(`NAT client frame: ${XDP_NAME[out.action]}`);
    const p = parseFrame(out.out);
    const l4 = p.ip!.l4 as { dport: number };
    return buildFrame({
      ethSrc: REAL_MAC, ethDst: DIR_MAC, src: p.ip!.dst, dst: client(f), df: true, proto: 'tcp',
      tcp: { sport: l4.dport, dport: 40000, flags: 'A', seq: 1, ack: 1 }, payload: new Uint8Array(18),
    });
  }
}

interface Case { name: string; family: Family; method: Method; many: boolean; kind: Kind }

function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of ['new', 'est', 'udp', 'reply'] as const) {
    for (const method of ['dr', 'tun', 'nat'] as const) {
      if (kind === 'reply' && method !== 'nat') continue;
      for (const family of [4, 6] as const) for (const many of [false, true]) {
        out.push({ name: `${kind} ${method} v${family}`, family, method, many, kind });
      }
    }
  }
  return out;
}

const KIND_TEXT: Record<Kind, string> = { new: 'new TCP flow (SYN)', est: 'established TCP', udp: 'UDP (flow exists)', reply: 'NAT reply' };

function instructionCounts(progs: BpfProgram[]): string[][] {
  return progs.map((p) => {
    try {
      const j = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'id', String(p.info().id)], { encoding: 'utf8' }));
      return [p.name, String(j.bytes_xlated / 8), String(j.bytes_jited)];
    } catch {
      return [p.name, '-', '-'];
    }
  });
}

/**
 * The same programs timed the way DESIGN.md's reference figures were (one repetition
 * per run): the fixed cost of a run is in every figure, baselines included.
 */
function perCallTable(b: Bench): void {
  const CALLS = args.quick ? 5000 : 20_000;
  const res = new Map<string, number[]>();
  const push = (k: string, v: number) => { if (!res.has(k)) res.set(k, []); res.get(k)!.push(v); };
  for (let r = 0; r < ROUNDS; r++) {
    for (const f of [4, 6] as const) {
      const fr = buildFrame(clientFrame(f, 'dr', false, 'est'));
      push(`drop v${f}`, b.perCall(b.drop, fr, false, f, CALLS, false));
      push(`macswap v${f}`, b.perCall(b.macswap, fr, false, f, CALLS, false));
      // Through the harness, minus the harness's own cost (MAC-swap through it minus MAC-swap).
      const hs = b.perCall(b.macswap, fr, false, f, CALLS, true) - res.get(`macswap v${f}`)!.at(-1)!;
      const hv = b.perCall(b.macswap, fr, true, f, CALLS, true) - res.get(`macswap v${f}`)!.at(-1)!;
      for (const m of ['dr', 'tun'] as const) {
        push(`est ${m} v${f}`, b.perCall(b.lb, buildFrame(clientFrame(f, m, false, 'est')), false, f, CALLS, true) - hs);
        push(`new ${m} v${f}`, b.perCall(b.lb, buildFrame(clientFrame(f, m, false, 'new')), true, f, CALLS, true) - hv);
      }
    }
  }
  const rows: string[][] = [];
  for (const f of [4, 6] as const) {
    const ref = summarize(res.get(`macswap v${f}`)!).median;
    const row = (label: string, k: string, goal?: number) => {
      const s = summarize(res.get(k)!);
      const ratio = s.median / ref;
      return [label, fmt(s.min), fmt(s.median), fmt(s.max), fmtRatio(ratio), goal ? `<= ${goal}x ${verdict(ratio <= goal)}` : 'baseline'];
    };
    rows.push(row(`XDP_DROP v${f}`, `drop v${f}`), row(`MAC-swap XDP_TX v${f}`, `macswap v${f}`));
    for (const m of ['dr', 'tun'] as const) {
      rows.push(row(`established TCP, ${m.toUpperCase()}, IPv${f}, 1 real`, `est ${m} v${f}`, 1.5));
      rows.push(row(`new TCP flow (SYN), ${m.toUpperCase()}, IPv${f}, 1 real`, `new ${m} v${f}`, 2));
    }
  }
  console.log(`one repetition per run, ${CALLS.toLocaleString('en')} runs per figure, ${ROUNDS} rounds (fixed cost of a run included in every figure)`);
  console.log(table(['case (per-run method)', 'min ns', 'median ns', 'max ns', 'vs MAC-swap', 'goal'], rows));
}

const otherFrame = (f: Family) => buildFrame({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: f === 4 ? '192.0.2.200' : '2001:db8:c::200', dst: dirAddr(f), df: true, proto: 'tcp',
  tcp: { sport: 40000, dport: 22, flags: 'A', seq: 1, ack: 1 }, payload: new Uint8Array(18),
});

/**
 * The goals of the per-packet work, side by side in one process and one round order:
 * ipvx (DR and TUN services of 750 / 1,000 reals, mh), Katran (--katran, its maps filled
 * alike: the same VIP:port and reals) and the floors. Ratios are medians of per-round
 * ratios. Without --katran: ipvx and the floors.
 */
function goalsTable(b: Bench): void {
  const k = KATRAN ? openKatran() : undefined;
  const floor = openFloor(FLOW_TABLE, vip(4, 'dr'), vport(true));
  try {
    for (let n = 0; n < FLOW_TABLE + (FLOW_TABLE >> 3); n += REPEAT) b.wrapped(floor.program('floor_flow_insert'), buildFrame(clientFrame(4, 'dr', true, 'new')), true, 4);
    addFloorFlow(floor, client(4), 40000, vip(4, 'dr'), vport(true));
    const res = new Map<string, number[]>();
    const push = (key: string, v: number) => { if (!res.has(key)) res.set(key, []); res.get(key)!.push(v); };
    for (let r = 0; r < ROUNDS; r++) {
      for (const f of [4, 6] as const) {
        const est = buildFrame(clientFrame(f, 'dr', true, 'est'));
        const syn = buildFrame(clientFrame(f, 'dr', true, 'new'));
        const m = b.direct(b.macswap, est).ns;
        const same = b.wrapped(b.macswap, est, false, f).ns - m;
        const vary = b.wrapped(b.macswap, syn, true, f, NEW_REPEAT).ns - m;
        push(`macswap v${f}`, m);
        const time = (key: string, p: BpfProgram, fr: Uint8Array, isNew: boolean, want: number) => {
          const w = isNew ? b.wrapped(p, fr, true, f, NEW_REPEAT) : b.wrapped(p, fr, false, f);
          if (w.action !== want) throw new Error(`${key}: ${XDP_NAME[w.action]}`);
          push(key, w.ns - (isNew ? vary : same));
        };
        time(`ipvx est dr v${f}`, b.lb, est, false, XDP.TX);
        time(`ipvx est tun v${f}`, b.lb, buildFrame(clientFrame(f, 'tun', true, 'est')), false, XDP.TX);
        time(`ipvx new v${f}`, b.lb, syn, true, XDP.TX);
        b.h.writer.writeDefense(FLOOD_DEFENSE);
        time(`ipvx flood v${f}`, b.lb, syn, true, XDP.TX);
        b.h.writer.writeDefense(NO_DEFENSE);
        push(`ipvx pass v${f}`, b.direct(b.lb, otherFrame(f)).ns);
        if (k) {
          time(`katran est v${f}`, k.program, est, false, XDP.TX);
          k.rateLimit('off');
          time(`katran new v${f}`, k.program, syn, true, XDP.TX);
          k.rateLimit('flooded');
          time(`katran flood v${f}`, k.program, syn, true, XDP.TX);
          push(`katran pass v${f}`, b.direct(k.program, otherFrame(f)).ns);
        }
        if (f === 4) {
          time('floor lookup', floor.program('floor_flow_lookup'), est, false, XDP.TX);
          time('floor insert', floor.program('floor_flow_insert'), syn, true, XDP.TX);
        }
      }
    }
    const med = (key: string) => summarize(res.get(key)!).median;
    const ratio = (a: string, bk: string) => summarize(res.get(a)!.map((x, i) => x / res.get(bk)![i]!)).median;
    const rows: string[][] = [];
    const row = (what: string, ipvx: string, katran: string | undefined, floorKey: string | undefined, goals: { vsK?: number; vsFloor?: number }) => {
      const vsK = katran && res.has(katran) ? ratio(ipvx, katran) : NaN;
      const vsF = floorKey ? ratio(ipvx, floorKey) : NaN;
      const judge: string[] = [];
      if (goals.vsK !== undefined) judge.push(`<= ${goals.vsK}x Katran ${Number.isFinite(vsK) ? verdict(vsK <= goals.vsK) : '(no --katran)'}`);
      if (goals.vsFloor !== undefined) judge.push(`<= ${goals.vsFloor}x floor ${verdict(vsF <= goals.vsFloor)}`);
      rows.push([what, fmt(med(ipvx)), katran && res.has(katran) ? fmt(med(katran)) : '-', floorKey ? fmt(med(floorKey)) : '-',
        fmtRatio(vsK), fmtRatio(vsF), judge.join('; ')]);
    };
    for (const f of [4, 6] as const) {
      const fl = f === 4;
      row(`established TCP, DR (Katran: IPIP), IPv${f}`, `ipvx est dr v${f}`, `katran est v${f}`, fl ? 'floor lookup' : undefined, { vsK: 0.6, ...(fl ? { vsFloor: 1.35 } : {}) });
      row(`established TCP, TUN (Katran: IPIP), IPv${f}`, `ipvx est tun v${f}`, `katran est v${f}`, undefined, { vsK: 0.7 });
      row(`new flow (SYN, full table), limit off, IPv${f}`, `ipvx new v${f}`, `katran new v${f}`, fl ? 'floor insert' : undefined, { vsK: 1.0, ...(fl ? { vsFloor: 1.1 } : {}) });
      row(`new flow under the flood defence, IPv${f}`, `ipvx flood v${f}`, `katran flood v${f}`, undefined, { vsK: 1.0 });
      row(`not for a VIP (XDP_PASS), IPv${f}`, `ipvx pass v${f}`, `katran pass v${f}`, undefined, { vsK: 1.0 });
    }
    console.log(`goals: ipvx beside Katran${k ? ` (${KATRAN})` : ' (not given: --katran PATH.o)'} and the floors; new flows ${NEW_REPEAT.toLocaleString('en')} a run, the rest ${REPEAT.toLocaleString('en')}; median ns, ratios of medians per round`);
    console.log(`MAC-swap v4 ${fmt(med('macswap v4'))} ns, v6 ${fmt(med('macswap v6'))} ns; floors: flow lookup + MAC swap (LRU, 40-byte key, full 1M table), flow insert into the full LRU + MAC swap (IPv4)`);
    console.log(table(['case', 'ipvx ns', 'Katran ns', 'floor ns', 'ipvx/Katran', 'ipvx/floor', 'goal'], rows));
  } finally {
    k?.close();
    floor.close();
  }
}

/** Katran with the VIPs and reals of ipvx's DR services of many reals, its LRUs filled. */
function openKatran(): KatranBench {
  const k = KatranBench.open(KATRAN!, [4, 6].map((f) => ({
    vip: vip(f as Family, 'dr'), port: vport(true), reals: reals(f as Family, 'dr', MANY).map((r) => r.address),
  })), REAL_MAC, FLOW_TABLE);
  k.fill(FLOW_TABLE);
  for (const f of [4, 6] as const) k.addFlow(client(f), 40000, vip(f, 'dr'), vport(true));
  return k;
}

/**
 * The flood goal: FLOOD_ESTABLISHED established flows (SYN, then ACK) of the DR mh
 * service in the full table, then FLOOD_SYNS SYNs of distinct 5-tuples through test runs
 * with the default defence; how many established flows are still in the table and still
 * forwarded to their real.
 */
function floodGoal(b: Bench): void {
  const f = 4;
  const est = (i: number): FrameOpts => ({
    // 250 addresses x 400 ports of a documentation /24 other than the flood's.
    ...clientFrame(f, 'dr', true, 'new'), src: `198.51.100.${(i % 250) + 1}`, tcp: { sport: 20000 + Math.floor(i / 250), dport: vport(true), flags: 'S' },
  });
  b.h.writer.writeDefense(NO_DEFENSE);
  const realOf: string[] = [];
  for (let i = 0; i < FLOOD_ESTABLISHED; i++) {
    const o = est(i);
    realOf.push(parseFrame(b.h.run(buildFrame(o)).out).eth.dst);
    b.h.run(buildFrame({ ...o, tcp: { ...o.tcp!, flags: 'A' } }));
  }
  b.h.writer.writeDefense({ ...DEFAULT_DEFENSE });
  const syn = buildFrame(clientFrame(f, 'dr', true, 'new'));
  const t0 = process.hrtime.bigint();
  for (let n = 0; n < FLOOD_SYNS; n += 1_000_000) b.wrapped(b.lb, syn, true, f, Math.min(1_000_000, FLOOD_SYNS - n));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  let kept = 0;
  for (let i = 0; i < FLOOD_ESTABLISHED; i++) {
    const o = est(i);
    const key = flowKey.encode({ src: ipTo16(ip(o.src)), dst: ipTo16(ip(o.dst)), sport: o.tcp!.sport, dport: vport(true), proto: 6, family: 4 });
    const inTable = b.h.maps.flows.lookup(key) !== undefined;
    const out = b.h.run(buildFrame({ ...o, tcp: { ...o.tcp!, flags: 'PA' }, payload: 'x' }));
    if (inTable && out.action === XDP.TX && parseFrame(out.out).eth.dst === realOf[i]) kept++;
  }
  const share = kept / FLOOD_ESTABLISHED;
  const ev = b.h.events();
  b.h.writer.writeDefense(NO_DEFENSE);
  console.log(`flood: ${FLOOD_ESTABLISHED.toLocaleString('en')} established flows, then ${FLOOD_SYNS.toLocaleString('en')} SYNs of distinct 5-tuples (${(FLOOD_SYNS / secs / 1e6).toFixed(2)} M/s through test runs), default defence (new_flow_rate ${DEFAULT_DEFENSE.newFlowRate}/s per CPU)`);
  console.log(table(['what', 'figure', 'goal'], [
    ['established flows still in the table and on their real', `${kept.toLocaleString('en')} (${(share * 100).toFixed(2)} %)`, `>= 99 % ${verdict(share >= 0.99)}`],
    ['new flows forwarded without an entry (flow_no_entry)', String(ev.flow_no_entry ?? 0n), ''],
    ['seconds a CPU was flooded (flood_windows)', String(ev.flood_windows ?? 0n), ''],
  ]));
}

function main(): void {
  console.log(`## pkt: per-packet cost through BPF_PROG_TEST_RUN\n${machineLine()}`);
  if (OBJECT) console.log(`director object: ${OBJECT}`);
  console.log(`repeat ${REPEAT.toLocaleString('en')} per run, ${ROUNDS} rounds; flow table (LRU) of ${FLOW_TABLE.toLocaleString('en')} entries, filled before timing\n`);
  const b = new Bench();
  try {
    const state = desired();
    b.h.apply(state, nextHop);
    // The director's own MAC for the interface test runs arrive on (lo), as the daemon writes it.
    writeIfMac(b.h.maps, 1, macBytes(DIR_MAC));
    const frames = new Map<string, Uint8Array>();
    for (const c of cases()) {
      frames.set(c.name + c.many, c.kind === 'reply' ? b.natReply(c.family, c.many) : buildFrame(clientFrame(c.family, c.method, c.many, c.kind)));
    }
    const base4 = buildFrame(clientFrame(4, 'dr', false, 'est'));
    const base6 = buildFrame(clientFrame(6, 'dr', false, 'est'));
    // Fill the flow table: new flows until the LRU holds FLOW_TABLE entries.
    const fill = b.wrapped(b.lb, buildFrame(clientFrame(4, 'dr', true, 'new')), true, 4, FLOW_TABLE + (FLOW_TABLE >> 3));
    console.log(`flow table filled (${fill.ns} ns/packet while filling)\n`);

    const res = new Map<string, number[]>();
    const push = (k: string, v: number) => { if (!res.has(k)) res.set(k, []); res.get(k)!.push(v); };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [fam, fr] of [[4, base4], [6, base6]] as const) {
        const d = b.direct(b.drop, fr); if (d.action !== XDP.DROP) throw new Error('xdp_drop');
        push(`drop v${fam}`, d.ns);
        const m = b.direct(b.macswap, fr);
        push(`macswap v${fam}`, m.ns);
        // The harness's own cost, in the same round: MAC-swap behind it minus MAC-swap alone.
        push(`harness v${fam} same`, b.wrapped(b.macswap, fr, false, fam).ns - m.ns);
        push(`harness v${fam} vary`, b.wrapped(b.macswap, fr, true, fam).ns - m.ns);
        // Cross-check of the method: DR established leaves a valid input, so it can be timed without the harness
        // (without the own-MAC entry: from the second repetition on the frame is addressed to the real's MAC).
        writeIfMac(b.h.maps, 1, undefined);
        const dr = b.direct(b.lb, buildFrame(clientFrame(fam, 'dr', false, 'est')));
        writeIfMac(b.h.maps, 1, macBytes(DIR_MAC));
        push(`direct est dr v${fam}`, dr.ns);
      }
      for (const c of cases()) {
        const fr = frames.get(c.name + c.many)!;
        if (c.kind === 'reply') b.natReply(c.family, c.many); // the reverse entry, in case the LRU evicted it
        const vary = c.kind === 'new';
        const w = b.wrapped(b.lb, fr, vary, c.family);
        if (w.action !== XDP.TX) throw new Error(`${c.name}: ${XDP_NAME[w.action]} (${JSON.stringify(b.h.reasons(), (_k, v) => typeof v === 'bigint' ? String(v) : v)})`);
        const last = res.get(`harness v${c.family} ${vary ? 'vary' : 'same'}`)!;
        push(`${c.name} ${c.many}`, w.ns - last[last.length - 1]!);
      }
    }
    const med = (k: string) => summarize(res.get(k)!).median;
    const row = (label: string, k: string, ref: number, goal?: number): string[] => {
      const s = summarize(res.get(k)!);
      const ratio = s.median / ref;
      return [label, fmt(s.min), fmt(s.median), fmt(s.max), fmtRatio(ratio), goal ? `<= ${goal}x ${verdict(ratio <= goal)}` : ''];
    };
    const H = ['case', 'min ns', 'median ns', 'max ns', 'vs MAC-swap', 'goal'];
    const rows: string[][] = [];
    for (const fam of [4, 6] as const) {
      const ref = med(`macswap v${fam}`);
      rows.push([`XDP_DROP v${fam}`, ...row('', `drop v${fam}`, ref).slice(1, 5), 'baseline']);
      rows.push([`MAC-swap XDP_TX v${fam}`, ...row('', `macswap v${fam}`, ref).slice(1, 5), 'baseline']);
    }
    console.log(table(H, rows));
    console.log('');
    const rows2: string[][] = [];
    for (const c of cases()) {
      const ref = med(`macswap v${c.family}`);
      const goal = c.method === 'nat' || c.kind === 'reply' ? undefined : c.kind === 'new' ? 2 : 1.5;
      rows2.push(row(`${KIND_TEXT[c.kind]}, ${c.method.toUpperCase()}, IPv${c.family}, ${c.many ? (c.family === 4 && c.method !== 'nat' ? '750' : '1000') : '1'} real${c.many ? 's' : ''}`, `${c.name} ${c.many}`, ref, goal));
    }
    console.log(table(['ipvx (harness cost subtracted)', ...H.slice(1)], rows2));
    console.log('');
    const rows3: string[][] = [];
    for (const fam of [4, 6] as const) {
      const ref = med(`macswap v${fam}`);
      rows3.push(row(`restore harness, same frame, v${fam}`, `harness v${fam} same`, ref));
      rows3.push(row(`restore harness, new 5-tuple, v${fam}`, `harness v${fam} vary`, ref));
      rows3.push(row(`cross-check: established DR v${fam} without harness (no own-MAC entry)`, `direct est dr v${fam}`, ref));
    }
    console.log(table(['method', ...H.slice(1)], rows3.map((r) => r.slice(0, 5))));
    console.log('');
    perCallTable(b);
    console.log('');
    goalsTable(b);
    console.log('');
    floodGoal(b);
    console.log('');
    console.log(table(['program', 'xlated insns', 'jited bytes'], instructionCounts([b.lb, b.macswap, b.drop])));
  } finally {
    b.h.close();
    b.base.close();
    b.wrap.close();
  }
}

main();
