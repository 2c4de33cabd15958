import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseMemory } from '../../../src/daemon/memory-release.js';

test('releaseMemory collects what is unreachable (a full GC without --expose-gc) and reports its time', async () => {
  let big: object[] | undefined = Array.from({ length: 10_000 }, (_, i) => ({ i }));
  const ref = new WeakRef(big);
  big = undefined;
  await new Promise((r) => setImmediate(r)); // a WeakRef's target lives until the end of the job that made it
  const r = releaseMemory({ toOs: false });
  assert.equal(ref.deref(), undefined);
  assert.ok(r.ms >= 0);
  assert.ok(releaseMemory({ toOs: true }).ms >= 0); // and with malloc_trim; the functions are set up once
});
