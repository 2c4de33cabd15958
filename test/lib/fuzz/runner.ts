// The data-plane fuzzer: random configurations and frames through the real program
// (BPF_PROG_TEST_RUN, maps filled by the real MapWriter), each answer compared with the
// reference model's: verdict and frame sent for every frame; maps, counters and events at
// the end of every episode. Deterministic from its seed; a disagreement is reported with
// the seed, the frame in hex, both answers, and a reproducer (configuration, map
// contents before the frame, the frame) that test/bpf/fuzz-corpus.test.ts can replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import koffi from 'koffi';
import { execFileSync } from 'node:child_process';
import { LbHarness, XDP_NAME } from '../lb-harness.js';
import { writeIfMac } from '../../../src/dataplane/ifmacs.js';
import { floodState, FLOW, REAL_F, type ReasonName } from '../../../src/dataplane/codec.js';
import { u32Key } from '../../../src/dataplane/layout.js';
import { ip } from '../../../src/core/addr.js';
import { macBytes } from '../packet.js';
import { Director, type Answer } from '../model/director.js';
import { loadWorld, diffWorld, writeTables, readTotals } from '../model/load.js';
import { keys, type World, type FlowV } from '../model/world.js';
import { sameChecksum, toHex, rd16 } from '../model/bytes.js';
import { Rng } from './rng.js';
import { randomScenario, filterNeighbours, INGRESS, type Scenario, clientAddr } from './scenario.js';
import { FrameGen, type Burst } from './frames.js';
import { scenarioJson, worldJson, worldOpts, setIdent, type Reproducer } from './reproducer.js';

export interface FuzzOptions {
  frames: number;
  seed: number;
  /** Frames per episode (one configuration, maps emptied and seeded at its start). */
  episode?: number;
  /** The object under test (IPVX_LB_OBJECT to try another build). */
  object?: string;
  /** Check the maps after every frame instead of at the end of each episode (diagnosis). */
  checkEveryFrame?: boolean;
  /** Run only this episode (with the seed of the run that reported it). */
  onlyEpisode?: number;
  /** Where reproducers of disagreements are written. */
  outDir?: string;
  /** Stop after this many disagreements. */
  maxFailures?: number;
  log?: (line: string) => void;
}

export interface Failure {
  seed: number;
  episode: number;
  frame: number;
  category: string;
  mutation?: string;
  kind: 'verdict' | 'frame' | 'state';
  input: string;
  model: { action: string; reason: string; path: string[]; out?: string };
  program: { action: string; out?: string };
  detail: string[];
  reproducer?: string;
}

export interface FuzzSummary {
  seed: number;
  frames: number;
  episodes: number;
  seconds: number;
  categories: Map<string, number>;
  reasons: Map<string, number>;
  events: Map<string, number>;
  /** Episodes whose configuration had each feature (mark rules, one-packet, GUE, GRE, sampled least-connection). */
  configs: Map<string, number>;
  failures: Failure[];
}

const PASS = 2;

/** The name of an XDP action number. */
const actionName = (n: number): string => XDP_NAME[n] ?? `action ${n}`;

/** Keep this thread on one CPU: the flood defence's state is per CPU. */
function pinToOneCpu(): void {
  try {
    const libc = koffi.load('libc.so.6');
    const setaffinity = libc.func('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)');
    const mask = new Uint8Array(128);
    mask[0] = 1;
    setaffinity(0, mask.length, mask);
  } catch { /* not fatal: flood episodes then rely on traffic on every CPU */ }
}

/** A veth pair in the harness's namespace: a second interface to redirect to. */
function redirectPort(h: LbHarness): number | undefined {
  try {
    execFileSync('ip', ['link', 'add', 'fz0', 'type', 'veth', 'peer', 'name', 'fz1'], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'set', 'fz0', 'up'], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'set', 'fz1', 'up'], { stdio: 'ignore' });
    const idx = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'fz0'], { encoding: 'utf8' })) as { ifindex: number }[])[0]!.ifindex;
    h.maps.tx_ports.update(u32Key(idx), u32Key(idx));
    return idx;
  } catch {
    return undefined;
  }
}

export function episodeSeed(seed: number, episode: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(episode + 1, 0x85ebca6b)) >>> 0;
}

/** Compare the program's answer with the model's; undefined when they agree. */
export function disagreement(ans: Answer, action: number, out: Uint8Array, input: Uint8Array): { kind: 'verdict' | 'frame'; detail: string[] } | undefined {
  if (actionName(action) !== ans.action) return { kind: 'verdict', detail: [`model ${ans.action} (${ans.reason}), program ${actionName(action)}`] };
  if (ans.action === 'DROP') return undefined;
  const want = ans.action === 'PASS' ? input : ans.sent!.frame;
  const flex = new Set(ans.action === 'PASS' ? [] : ans.sent!.csums);
  const detail: string[] = [];
  if (want.length !== out.length) detail.push(`length: model ${want.length}, program ${out.length}`);
  for (let i = 0; i < Math.min(want.length, out.length); i++) {
    if (flex.has(i) && i + 1 < want.length && i + 1 < out.length && sameChecksum(rd16(want, i), rd16(out, i))) { i++; continue; }
    if (want[i] !== out[i]) { detail.push(`byte ${i}: model ${want[i]!.toString(16)}, program ${out[i]!.toString(16)}`); if (detail.length > 8) break; }
  }
  return detail.length ? { kind: 'frame', detail } : undefined;
}

export class Fuzzer {
  readonly h: LbHarness;
  private readonly port: number | undefined;
  private readonly failures: Failure[] = [];
  private readonly categories = new Map<string, number>();
  private readonly configs = new Map<string, number>();
  private readonly signatures = new Map<string, number>();

  constructor(private readonly o: FuzzOptions) {
    pinToOneCpu();
    this.h = LbHarness.open(o.object);
    this.port = redirectPort(this.h);
  }

  close(): void { this.h.close(); }

  private now(): bigint { return process.hrtime.bigint(); }

  run(): FuzzSummary {
    const o = this.o, log = o.log ?? (() => {});
    const per = o.episode ?? 2000;
    const start = Date.now();
    const before = readTotals(this.h.maps);
    let done = 0, episode = o.onlyEpisode ?? 0;
    while (done < o.frames) {
      done += this.episode(episode, Math.min(per, o.frames - done));
      if (o.onlyEpisode !== undefined) break;
      if (this.failures.length >= (o.maxFailures ?? 50)) { log(`stopping: ${this.failures.length} disagreements`); break; }
      episode++;
      if (episode % 50 === 0) log(`${done} frames, ${episode} episodes, ${this.failures.length} disagreements, ${((Date.now() - start) / 1000).toFixed(0)} s`);
    }
    const after = readTotals(this.h.maps);
    const reasons = new Map<string, number>();
    for (const [k, v] of after.reasons) if (v - before.reasons.get(k)! > 0) reasons.set(k, v - before.reasons.get(k)!);
    const events = new Map<string, number>();
    for (const [k, v] of after.events) if (v - before.events.get(k)! > 0) events.set(k, v - before.events.get(k)!);
    return {
      seed: o.seed, frames: done, episodes: episode + (o.onlyEpisode !== undefined ? 1 : 0) - (o.onlyEpisode ?? 0),
      seconds: (Date.now() - start) / 1000, categories: this.categories, reasons, events, configs: this.configs, failures: this.failures,
    };
  }

  /** One configuration, `n` frames; returns the frames run. */
  episode(index: number, n: number): number {
    const rng = new Rng(episodeSeed(this.o.seed, index));
    const sc = randomScenario(rng, this.port);
    for (const f of scenarioFeatures(sc)) this.configs.set(f, (this.configs.get(f) ?? 0) + 1);
    this.setUp(sc, rng);
    let world = loadWorld(this.h.maps, worldOpts(sc));
    let model = new Director(world);
    const neighbours = filterNeighbours([...new Set(sc.state.services.filter((s) => !s.fwmark).map((s) => s.vip))]);
    const gen = new FrameGen(rng, sc, () => world, neighbours);
    let ran = 0;
    while (ran < n) {
      if (sc.flooded) this.keepFlooded();
      const burst = gen.next();
      for (const frame of burst.frames) {
        if (ran >= n) break;
        ran++;
        this.categories.set(burst.category, (this.categories.get(burst.category) ?? 0) + 1);
        world.begin();
        const ans = model.step(frame, this.now());
        const r = this.h.run(frame);
        const d = disagreement(ans, r.action, r.out, frame);
        if (d) {
          world.undo();
          this.report({ kind: d.kind, detail: d.detail, episode: index, frame: ran - 1, burst, input: frame, ans, action: r.action, out: r.out, sc, world });
          world = loadWorld(this.h.maps, worldOpts(sc));
          model = new Director(world);
          continue;
        }
        if (this.o.checkEveryFrame) {
          const diff = diffWorld(world, this.h.maps);
          if (diff.length) {
            world.undo();
            this.report({ kind: 'state', detail: diff, episode: index, frame: ran - 1, burst, input: frame, ans, action: r.action, out: r.out, sc, world });
            world = loadWorld(this.h.maps, worldOpts(sc));
            model = new Director(world);
            continue;
          }
        }
        world.commit();
      }
    }
    if (!this.o.checkEveryFrame) {
      const diff = diffWorld(world, this.h.maps);
      if (diff.length) this.report({ kind: 'state', detail: diff, episode: index, frame: ran - 1, sc });
    }
    return ran;
  }

  private floodSetNs = 0n;

  /**
   * A flooded scenario's CPU stays flooded while its windows see more than one new flow
   * (new_flow_rate 1); a stall of the shared machine (a second without frames) would end
   * it, which the model does not follow. Written again every 200 ms.
   */
  private keepFlooded(): void {
    const now = this.now();
    if (now - this.floodSetNs < 200_000_000n) return;
    this.setFlood(true, now);
  }

  private setFlood(flooded: boolean, now: bigint): void {
    const cpus = this.h.maps.flood.lookupPerCpu(u32Key(0)).length;
    // The window began 100 ms ago: the program's jiffy clock may lag this one by a tick.
    const state = floodState.encode(flooded ? { windowNs: now - 100_000_000n, count: 2, flooded: 1 } : { windowNs: 0n, count: 0, flooded: 0 });
    this.h.maps.flood.updatePerCpu(u32Key(0), Array.from({ length: cpus }, () => state));
    this.floodSetNs = now;
  }

  /** The configuration written, the tables emptied and seeded, the flood state set. */
  private setUp(sc: Scenario, rng: Rng): void {
    const h = this.h;
    h.apply(sc.state, (a) => sc.hops.get(a.text));
    writeIfMac(h.maps, INGRESS, sc.ifMac ? macBytes(sc.ifMac) : undefined);
    h.resetFlows();
    const now = this.now();
    this.setFlood(sc.flooded, now);
    setIdent(h, rng.u32() | 1);
    const w = loadWorld(h.maps, worldOpts(sc));
    seedTables(w, sc, rng, now);
    writeTables(h.maps, w);
  }

  private report(x: {
    kind: Failure['kind']; detail: string[]; episode: number; frame: number; burst?: Burst; input?: Uint8Array; ans?: Answer;
    action?: number; out?: Uint8Array; sc: Scenario; world?: World;
  }): void {
    const f: Failure = {
      seed: this.o.seed, episode: x.episode, frame: x.frame, category: x.burst?.category ?? 'episode', kind: x.kind,
      ...(x.burst?.mutation ? { mutation: x.burst.mutation } : {}),
      input: x.input ? toHex(x.input) : '',
      model: x.ans ? { action: x.ans.action, reason: x.ans.reason, path: x.ans.path, ...(x.ans.sent ? { out: toHex(x.ans.sent.frame) } : {}) } : { action: '', reason: '', path: [] },
      program: x.action !== undefined ? { action: actionName(x.action), ...(x.action !== PASS && x.out ? { out: toHex(x.out) } : {}) } : { action: '' },
      detail: x.detail,
    };
    if (this.o.outDir && x.world && x.input && x.ans) {
      const rep: Reproducer = {
        description: `seed ${f.seed} episode ${f.episode} frame ${f.frame}: ${f.category}${f.mutation ? ' + ' + f.mutation : ''}; ${x.detail[0]}`,
        scenario: scenarioJson(x.sc), tables: worldJson(x.world, this.h, this.now()),
        frames: [{ hex: f.input, action: x.ans.action, reason: x.ans.reason, ...(x.ans.sent ? { out: toHex(x.ans.sent.frame) } : {}) }],
      };
      mkdirSync(this.o.outDir, { recursive: true });
      f.reproducer = `${this.o.outDir}/seed${f.seed}-ep${f.episode}-f${f.frame}.json`;
      writeFileSync(f.reproducer, JSON.stringify(rep, null, 1) + '\n');
    }
    this.failures.push(f);
    const sig = signature(f);
    const seen = this.signatures.get(sig) ?? 0;
    this.signatures.set(sig, seen + 1);
    if (!seen) (this.o.log ?? (() => {}))(formatFailure(f));
  }
}

/** The features a configuration uses, by name. */
function scenarioFeatures(sc: Scenario): string[] {
  const svcs = sc.state.services, reals = svcs.flatMap((s) => s.reals);
  const has: [string, boolean][] = [
    ['every episode', true],
    ['mark rules', !!sc.state.marks?.length],
    ['fwmark services', svcs.some((s) => s.fwmark)],
    ['one-packet', svcs.some((s) => s.ops)],
    ['TUN ipip', reals.some((r) => r.method === 'tun' && (r.tunType ?? 'ipip') === 'ipip')],
    ['TUN gue', reals.some((r) => r.tunType === 'gue')],
    ['TUN gre', reals.some((r) => r.tunType === 'gre')],
    ['lc/wlc/sed/nq > 16 reals', svcs.some((s) => s.reals.length > 16 && ['lc', 'wlc', 'sed', 'nq'].includes(s.scheduler))],
    ['flooded', sc.flooded],
  ];
  return has.filter(([, y]) => y).map(([n]) => n);
}

/** What kind of disagreement this is, to count alike ones together. */
export function signature(f: Failure): string {
  if (f.kind === 'state') return `state: ${f.detail.map((d) => d.split(/[ :]/)[0]).sort().filter((x, i, a) => a.indexOf(x) === i).join(', ')}`;
  return `${f.kind}: ${f.category} / model ${f.model.action} ${f.model.reason} / program ${f.program.action}`;
}

export function formatFailure(f: Failure): string {
  return [
    `DISAGREEMENT (${f.kind}) seed ${f.seed} episode ${f.episode} frame ${f.frame} [${f.category}${f.mutation ? ' + ' + f.mutation : ''}]`,
    f.input && `  frame:   ${f.input}`,
    f.model.action && `  model:   ${f.model.action} ${f.model.reason} via ${f.model.path.join(' > ') || '-'}`,
    f.model.out && `           ${f.model.out}`,
    f.program.action && `  program: ${f.program.action}`,
    f.program.out && `           ${f.program.out}`,
    ...f.detail.slice(0, 12).map((d) => `  ${d}`),
    f.reproducer && `  reproducer: ${f.reproducer}`,
    `  again: make fuzz SEED=${f.seed} EPISODE=${f.episode}`,
  ].filter(Boolean).join('\n');
}

/**
 * Entries the program did not make itself: flows and embryos of clients (fresh, expired,
 * or whose real is gone), persistence entries, connection counts for the least-connection
 * schedulers, rr cursors anywhere in their table, and a recent embryo time.
 */
function seedTables(w: World, sc: Scenario, rng: Rng, now: bigint): void {
  const services = [...w.cfg.services.entries()];
  const specs = sc.state.services;
  for (let i = rng.int(12); i > 0 && services.length; i--) {
    const spec = rng.pick(specs);
    const key = keys.service(ip(spec.vip).bytes, spec.port, spec.protocol === 'tcp' ? 6 : 17, ip(spec.vip).family);
    const svc = w.cfg.services.get(key);
    if (!svc || !svc.realsLen) continue;
    const realId = w.slot(svc.realsOff + rng.int(svc.realsLen));
    const real = w.real(realId);
    if (!real) continue;
    const fam = ip(spec.vip).family;
    const age = rng.weighted([['fresh', 5], ['expired', 2]] as const);
    const t = age === 'fresh' ? now - BigInt(rng.int(50)) * 1_000_000_000n : now - 4000n * 1_000_000_000n;
    if (t < 0n) continue;
    const state = spec.protocol === 'udp' ? FLOW.udp : rng.pick([FLOW.syn, FLOW.est, FLOW.est, FLOW.fin]);
    const gone = rng.chance(0.15);
    const v: FlowV = { realId, realGen: gone ? real.gen + 1 : real.gen, atime: t, svcId: svc.id, state };
    const k = keys.flow({
      src: ip(clientAddr(fam, rng.int(fam === 4 ? 250 : 4000))).bytes, dst: ip(spec.vip).bytes,
      sport: rng.range(1024, 65535), dport: spec.port || rng.range(1, 65535), proto: spec.protocol === 'tcp' ? 6 : 17, family: fam,
    });
    (rng.chance(0.8) ? w.flows : w.embryos).set(k, v);
    if (svc.persistTimeout && rng.chance(0.5)) {
      const client = new Uint8Array(16);
      client.set(ip(clientAddr(fam, rng.int(20))).bytes);
      w.persist.set(keys.persist(svc.id, fam, client.map((b, j) => b & svc.persistMask[j]!)), { realId, realGen: v.realGen, atime: t });
    }
  }
  for (const id of w.cfg.reals.keys()) {
    if ((w.real(id)!.flags & REAL_F.live) && rng.chance(0.5)) w.conns.set(id, { active: rng.int(4), inactive: rng.int(600) });
  }
  for (const [, s] of services) if (rng.chance(0.3)) w.cursors.set(s.id, rng.u32());
  w.globals.embryoNs = rng.chance(0.8) ? now : 0n;
}

export type { ReasonName };
