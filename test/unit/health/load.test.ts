import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveWeight, parseAgentLine, type LoadSample, type SmoothedWeight } from '../../../src/health/load.js';

function run(configured: number, samples: LoadSample[], bounds = { min: 1, max: configured }): number[] {
  let prev: SmoothedWeight | undefined;
  return samples.map((s) => (prev = effectiveWeight(configured, s, bounds, prev)).published);
}
const load = (l: number): LoadSample => ({ kind: 'load', load: l });

test('agent lines parse', () => {
  const p = (s: string) => {
    const r = parseAgentLine(s);
    assert.ok(r.ok, s);
    return r.value;
  };
  assert.deepEqual(p('75%\n'), { kind: 'percent', percent: 75 });
  assert.deepEqual(p('down'), { kind: 'down' });
  assert.deepEqual(p('drain'), { kind: 'drain' });
  assert.deepEqual(p('up'), { kind: 'up' });
  assert.deepEqual(p('load 0.75'), { kind: 'load', load: 0.75 });
  assert.deepEqual(p('up 50%'), { kind: 'percent', percent: 50 });
  assert.deepEqual(p('drain 50%'), { kind: 'drain' });
  assert.equal(parseAgentLine('').ok, false);
  assert.equal(parseAgentLine('load').ok, false);
  const bad = parseAgentLine('banana');
  assert.ok(!bad.ok);
  assert.match(bad.errors[0]!.message, /unknown word "banana"/);
});

test('weights: higher load gives a proportionally lower weight', () => {
  const w = (l: number) => effectiveWeight(100, load(l), { min: 1, max: 100 }).published;
  assert.equal(w(0), 100);
  assert.equal(w(0.25), 75);
  assert.equal(w(0.75), 25);
  assert.equal(w(2), 1, 'floored at the minimum bound');
  assert.equal(effectiveWeight(8, { kind: 'percent', percent: 50 }, { min: 1, max: 8 }).published, 4);
  assert.equal(effectiveWeight(100, { kind: 'percent', percent: 150 }, { min: 1, max: 120 }).published, 120);
});

test('weights: drain and down are obeyed at once, whatever the bounds', () => {
  assert.deepEqual(run(100, [load(0), { kind: 'drain' }, { kind: 'up' }]), [100, 0, 30]);
  assert.deepEqual(run(100, [load(0), { kind: 'down' }]), [100, 0]);
});

test('weights: smoothing with a dead band stops alternating samples from flapping', () => {
  const alternating = Array.from({ length: 14 }, (_, i) => load(i % 2 === 0 ? 0.2 : 0.8));
  const seq = run(100, alternating);
  // 80 first, a couple of steps towards the middle, then it holds.
  assert.deepEqual(seq, [80, 62, 62, 62, 62, 49, 49, 49, 49, 49, 49, 49, 49, 49]);
  const changes = seq.filter((w, i) => i > 0 && w !== seq[i - 1]).length;
  assert.equal(changes, 2);
});

test('weights: a lasting change is followed, in steps larger than the dead band', () => {
  const seq = run(100, [load(0), ...Array.from({ length: 10 }, () => load(0.5))]);
  assert.deepEqual(seq, [100, 85, 75, 75, 62, 62, 62, 62, 62, 62, 51]);
});
