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

test('releaseAfterRefusals: a release after a large refused request, one per delay for a burst, none for small ones', async () => {
  const { releaseAfterRefusals, LARGE_REFUSAL_BYTES } = await import('../../../src/daemon/memory-release.js');
  const { silentLogger } = await import('../../../src/common/log.js');
  let releases = 0;
  const hook = releaseAfterRefusals(silentLogger, 50, () => { releases++; return { ms: 0 }; });
  hook(LARGE_REFUSAL_BYTES - 1);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(releases, 0, 'small refusals leave memory alone');
  for (let i = 0; i < 20; i++) hook(16 * 1024 * 1024);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(releases, 1, 'a burst of large refusals: one release after it');
  hook(LARGE_REFUSAL_BYTES);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(releases, 2);
});
