// The commit path for edits of a few services (core/delta.ts, validateEdit, diffDelta,
// the writer's ApplyHint) must give exactly what the whole-state path gives: the same
// validation result and errors, the same changes, the same maps and the same state file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '../../../src/daemon/controller.js';
import { MapWriter } from '../../../src/dataplane/writer.js';
import type { Dataplane, ApplyHint } from '../../../src/dataplane/port.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { DesiredState, ServiceSpec, SchedulerName, DEFAULT_TIMEOUTS } from '../../../src/core/model.js';
import { validateState, validateEdit } from '../../../src/core/validate.js';
import { serviceDelta } from '../../../src/core/delta.js';
import { diffStates, diffDelta } from '../../../src/core/diff.js';
import * as edit from '../../../src/core/edit.js';
import { Result } from '../../../src/core/result.js';
import { saveState, formatStateFile, loadState } from '../../../src/config/store.js';
import { fakeMaps } from '../../lib/fake-maps.js';
import { assertAsFresh, HOP } from '../../lib/map-view.js';
import { LIMITS, SCHEDS, rng, realOf, serviceOf, valid } from '../../lib/random-state.js';

const keyOf = (s: ServiceSpec) => ({ vip: s.vip, port: s.port, protocol: s.protocol });

/** One random edit of `st`, valid or not (bad weights, duplicates, a service that exists, NAT across families...). */
function randomEdit(st: DesiredState, next: (n: number) => number, serial: number): Result<DesiredState> {
  const svcs = st.services;
  const s = svcs[next(svcs.length)]!;
  const k = keyOf(s);
  switch (next(11)) {
    case 0: return edit.editReal(st, k, { ...s.reals[next(s.reals.length)]!, weight: next(6) });
    case 1: return edit.addReal(st, k, realOf(1000 + serial, 1 + next(4)));
    case 2: return s.reals.length > 1 ? edit.deleteReal(st, k, s.reals[next(s.reals.length)]!) : edit.addReal(st, k, realOf(3000 + serial, 2));
    case 3: return edit.editService(st, { ...s, scheduler: SCHEDS[next(SCHEDS.length)]!, flags: [] });
    case 4: return svcs.length > 5 ? edit.deleteService(st, k) : edit.addService(st, serviceOf(500 + serial, 'rr', 2));
    case 5: return edit.addService(st, serviceOf(500 + serial, SCHEDS[next(SCHEDS.length)]!, 1 + next(4)));
    case 6: return edit.editReal(st, k, { ...s.reals[0]!, weight: 70_000 }); // invalid weight
    case 7: return edit.addReal(st, k, { ...realOf(2000 + serial, 1), address: '2001:db8::5' }); // DR across families: invalid
    case 8: return edit.addService(st, { ...serviceOf(600 + serial, 'rr', 1), persistenceMask: '255.0.255.0', persistence: 60 }); // bad mask
    case 9: return edit.setTimeouts(st, { tcp: 1 + next(2000) });
    default: return edit.editService(st, { ...s, scheduler: 'nope' as SchedulerName }); // invalid scheduler
  }
}

test('validateEdit and diffDelta give what validateState and diffStates give, for 400 random edits (valid and not)', () => {
  const next = rng(7);
  let st = valid({ services: Array.from({ length: 30 }, (_, i) => serviceOf(i, SCHEDS[i % SCHEDS.length]!, 2 + (i % 3))), timeouts: { ...DEFAULT_TIMEOUTS } });
  let fast = 0, refused = 0;
  for (let step = 0; step < 400; step++) {
    const r = randomEdit(st, next, step);
    if (!r.ok) continue;
    const whole = validateState(r.value);
    const delta = serviceDelta(st, r.value);
    assert.ok(delta, `step ${step}: a one-service edit is a delta`);
    const got = validateEdit(st, r.value, delta);
    assert.deepEqual(got.result, whole, `step ${step}: same validation result`);
    if (!whole.ok) { refused++; continue; }
    assert.ok(got.delta, `step ${step}: a valid edit keeps its delta`);
    fast++;
    assert.deepEqual(diffDelta(st, whole.value, got.delta), diffStates(st, whole.value), `step ${step}: same changes`);
    st = got.result.ok ? got.result.value : st;
  }
  assert.ok(fast > 150 && refused > 50, `both paths exercised (${fast} applied, ${refused} refused)`);
});

test('serviceDelta: in place, appended and removed services are found; a reorder or many changes is left to the whole-state path', () => {
  const st = valid({ services: Array.from({ length: 6 }, (_, i) => serviceOf(i, 'rr', 2)), timeouts: { ...DEFAULT_TIMEOUTS } });
  const s = st.services;
  assert.deepEqual(serviceDelta(st, { ...st, services: [s[0]!, s[1]!, { ...s[2]! }, s[3]!, s[4]!, s[5]!] })?.services.map((e) => [e.beforeIndex, e.afterIndex]), [[2, 2]]);
  assert.deepEqual(serviceDelta(st, { ...st, services: [...s, serviceOf(9, 'rr', 1)] })?.services.map((e) => [e.beforeIndex, e.afterIndex]), [[-1, 6]]);
  assert.deepEqual(serviceDelta(st, { ...st, services: s.filter((_, i) => i !== 3) })?.services.map((e) => [e.id, e.beforeIndex, e.afterIndex]), [['tcp|203.0.113.4|1003', 3, -1]]);
  assert.equal(serviceDelta(st, { ...st, services: [s[1]!, s[0]!, ...s.slice(2)] })?.services.length, 2, 'a swap is two in-place replacements...');
  const swapped = { ...st, services: [s[1]!, s[0]!, ...s.slice(2)] };
  const v = validateEdit(st, swapped, serviceDelta(st, swapped)!);
  assert.equal(v.delta, undefined, '...which change identity: validated as a whole');
  assert.deepEqual(v.result, validateState(swapped));
  assert.equal(serviceDelta(st, { ...st, services: s.map((x) => ({ ...x })) }, 4), undefined, 'more than the limit');
  assert.equal(serviceDelta(st, { ...st, services: [serviceOf(9, 'rr', 1), ...s] }), undefined, 'inserted in front');
});

/** The XDP data plane's use of the writer, over fake maps: counts hinted applies. */
class WriterDataplane extends MemoryDataplane implements Dataplane {
  readonly maps = fakeMaps(LIMITS);
  readonly writer = new MapWriter(this.maps, 2);
  hinted = 0;
  override async apply(state: DesiredState, hint?: ApplyHint): Promise<void> {
    if (hint) this.hinted++;
    this.writer.apply(state, () => HOP, hint);
  }
}

test('300 random commits through the targeted path leave the maps and the state file exactly as a whole apply and save of the final state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-delta-'));
  try {
    const file = join(dir, 'state.yaml');
    const initial = valid({ services: Array.from({ length: 25 }, (_, i) => serviceOf(i, SCHEDS[i % SCHEDS.length]!, 2 + (i % 4))), timeouts: { ...DEFAULT_TIMEOUTS } });
    const dp = new WriterDataplane();
    const c = new Controller({ dataplane: dp, initial, health: false, save: (s) => saveState(file, s) });
    await c.start();
    const next = rng(11);
    let applied = 0;
    for (let step = 0; step < 300; step++) {
      const ok = await c.commit((s) => randomEdit(s, next, step)).then(() => true, () => false);
      if (ok) applied++;
    }
    c.stop();
    assert.ok(dp.hinted > 100, `the targeted path ran (${dp.hinted} hinted applies of ${applied})`);
    const final = c.current;
    assertAsFresh(dp.maps, final);
    // The file: as a fresh save of the final state, re-validated from plain data (no cached pieces).
    const plain = valid(JSON.parse(JSON.stringify(final)) as DesiredState);
    assert.equal(readFileSync(file, 'utf8'), formatStateFile(plain));
    assert.deepEqual(loadState(file), plain);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a hint that does not match the state, or one given before any whole apply or after a failed write, is not trusted', () => {
  const st = valid({ services: Array.from({ length: 8 }, (_, i) => serviceOf(i, 'wrr', 3)), timeouts: { ...DEFAULT_TIMEOUTS } });
  const maps = fakeMaps(LIMITS);
  const w = new MapWriter(maps, 2);
  // Before a whole apply: the hint names one service, every service is written anyway.
  w.apply(st, () => HOP, { services: [{ id: 'tcp|203.0.113.1|1000', index: 0 }] });
  assertAsFresh(maps, st);
  // A wrong index for the named service: whole apply (service 5's weight change is written).
  const r = edit.editReal(st, keyOf(st.services[5]!), { ...st.services[5]!.reals[0]!, weight: 9 });
  assert.ok(r.ok);
  const st2 = valid(r.value);
  w.apply(st2, () => HOP, { services: [{ id: 'tcp|203.0.113.6|1005', index: 4 }] });
  assertAsFresh(maps, st2);
  // A hint that leaves out a changed service is the caller's promise: the writer does
  // not look at the others (this is what makes an edit cheap)...
  const r3 = edit.editReal(st2, keyOf(st2.services[1]!), { ...st2.services[1]!.reals[0]!, weight: 7 });
  assert.ok(r3.ok);
  const st3 = valid(r3.value);
  const writes = maps.reals.writes;
  w.apply(st3, () => HOP, { services: [{ id: 'tcp|203.0.113.3|1002', index: 2 }] });
  assert.equal(maps.reals.writes, writes, 'nothing written for a hinted service that did not change');
  // ...until a write fails: then the next apply looks at every service despite its hint.
  const realUpdate = maps.reals.update.bind(maps.reals);
  maps.reals.update = () => { throw new Error('injected failure'); };
  const r4 = edit.editReal(st3, keyOf(st3.services[3]!), { ...st3.services[3]!.reals[0]!, weight: 5 });
  assert.ok(r4.ok);
  const st4 = valid(r4.value);
  assert.throws(() => w.apply(st4, () => HOP, { services: [{ id: 'tcp|203.0.113.4|1003', index: 3 }] }), /injected failure/);
  maps.reals.update = realUpdate;
  w.apply(st4, () => HOP, { services: [{ id: 'tcp|203.0.113.4|1003', index: 3 }] });
  assertAsFresh(maps, st4, () => HOP, 'service 1 (left out of the earlier hint) is written too');
});
