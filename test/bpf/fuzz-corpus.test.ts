// Frames the data-plane fuzzer found the program and the reference model disagreeing on,
// each with the configuration and map entries it met (test/fixtures/fuzz/*.json, made by
// test/lib/fuzz/replay-main.js --minimize and described by hand). Each runs through the
// real program: its verdict, exit reason and frame must be the recorded ones (what the
// model says, test/lib/model), and the maps and counters afterwards the model's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { LbHarness } from '../lib/lb-harness.js';
import { runReproducer } from '../lib/fuzz/replay.js';
import type { Reproducer } from '../lib/fuzz/reproducer.js';

const DIR = 'test/fixtures/fuzz';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());

test('the corpus is not empty', () => assert.ok(files.length > 0));

for (const file of files) {
  const rep = JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as Reproducer;
  test(`${file}: ${rep.description}`, () => {
    const res = runReproducer(h, rep);
    for (const [i, r] of res.frames.entries()) {
      assert.deepEqual(r.unlikeRecorded ?? [], [], `frame ${i}: the program's answer is not the recorded one`);
      assert.deepEqual(r.disagreement ?? [], [], `frame ${i}: the model disagrees with the program`);
    }
    assert.deepEqual(res.state, [], 'maps and counters afterwards');
  });
}
