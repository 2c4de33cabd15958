// Reproducers run again: the program's answer (verdict, reason, frame) beside the model's
// and the one recorded, and a minimizer that drops services, reals and map entries while
// the program still disagrees with the model the same way.
import { LbHarness, XDP_NAME } from '../lb-harness.js';
import { Director, type Answer } from '../model/director.js';
import { readTotals, diffWorld } from '../model/load.js';
import { toHex } from '../model/bytes.js';
import { disagreement } from './runner.js';
import { replaySetUp, type Reproducer } from './reproducer.js';

export interface ReplayResult {
  frames: FrameResult[];
  /** The program's maps and counters against the model's after the frames. */
  state: string[];
}

export interface FrameResult {
  input: Uint8Array;
  model: Answer;
  program: { action: string; reason: string; out: Uint8Array };
  /** Model against program; undefined when they agree. */
  disagreement?: string[];
  /** Program against what the reproducer recorded; undefined when it matches. */
  unlikeRecorded?: string[];
}

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** The frames of `rep` through the program and the model, from the state it records. */
export function runReproducer(h: LbHarness, rep: Reproducer): ReplayResult {
  const now = process.hrtime.bigint();
  const world = replaySetUp(h, rep, now);
  const model = new Director(world);
  const out: FrameResult[] = [];
  for (const fr of rep.frames) {
    const input = fromHex(fr.hex);
    const before = readTotals(h.maps).reasons;
    const ans = model.step(input, process.hrtime.bigint());
    const r = h.run(input);
    const after = readTotals(h.maps).reasons;
    const moved = [...after].filter(([k, v]) => v !== before.get(k)).map(([k]) => k);
    const program = { action: XDP_NAME[r.action] ?? String(r.action), reason: moved.join(',') || '?', out: r.out };
    const d = disagreement(ans, r.action, r.out, input);
    const detail = d ? d.detail : ans.reason !== program.reason ? [`reason: model ${ans.reason}, program ${program.reason}`] : undefined;
    const recorded = { action: fr.action, reason: fr.reason, sent: fr.out ? { frame: fromHex(fr.out), csums: ans.sent?.csums ?? [] } : undefined } as Answer;
    const dr = disagreement({ ...recorded, events: [], path: [] }, r.action, r.out, input);
    const unlike = dr ? dr.detail : fr.reason !== program.reason ? [`reason: recorded ${fr.reason}, program ${program.reason}`] : undefined;
    out.push({ input, model: ans, program, ...(detail ? { disagreement: detail } : {}), ...(unlike ? { unlikeRecorded: unlike } : {}) });
  }
  return { frames: out, state: diffWorld(world, h.maps) };
}

const sig = (r: ReplayResult) => {
  const f = r.frames.at(-1);
  if (f?.disagreement) return `${f.model.action} ${f.model.reason} / ${f.program.action} ${f.program.reason}`;
  return r.state.length ? r.state.map((d) => d.split(/[ :]/)[0]).sort().join(',') : undefined;
};

/** A smaller reproducer of the same disagreement (of its last frame): fewer services, reals and entries. */
export function minimize(h: LbHarness, rep: Reproducer): Reproducer {
  const want = sig(runReproducer(h, rep));
  if (!want) return rep;
  const still = (r: Reproducer) => { try { return sig(runReproducer(h, r)) === want; } catch { return false; } };
  let cur = structuredClone(rep);
  const tables = ['flows', 'embryos', 'natRev', 'frags', 'persist', 'conns', 'cursors'] as const;
  for (const t of tables) {
    const list = cur.tables[t] as unknown[];
    if (!list.length) continue;
    const tryList = (l: unknown[]) => { const c = structuredClone(cur); (c.tables[t] as unknown[]) = l; return c; };
    if (still(tryList([]))) { cur = tryList([]); continue; }
    for (let i = list.length - 1; i >= 0; i--) {
      const l = (cur.tables[t] as unknown[]).filter((_, j) => j !== i);
      if (still(tryList(l))) cur = tryList(l);
    }
  }
  for (let i = cur.scenario.state.services.length - 1; i >= 0 && cur.scenario.state.services.length > 1; i--) {
    const c = structuredClone(cur);
    c.scenario.state.services.splice(i, 1);
    if (still(c)) cur = c;
  }
  for (const [si] of cur.scenario.state.services.entries()) {
    for (let i = cur.scenario.state.services[si]!.reals.length - 1; i >= 0 && cur.scenario.state.services[si]!.reals.length > 1; i--) {
      const c = structuredClone(cur);
      c.scenario.state.services[si]!.reals.splice(i, 1);
      if (still(c)) cur = c;
    }
  }
  const used = new Set(cur.scenario.state.services.flatMap((s) => s.reals.map((r) => r.address)));
  for (const a of Object.keys(cur.scenario.hops)) if (!used.has(a)) delete cur.scenario.hops[a];
  const last = runReproducer(h, cur).frames.at(-1)!;
  cur.frames = [{ ...cur.frames.at(-1)!, action: last.model.action, reason: last.model.reason, ...(last.model.sent ? { out: toHex(last.model.sent.frame) } : {}) }];
  return cur;
}
