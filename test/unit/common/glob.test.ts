// globSync as keepalived's include uses glob(3): bracket classes, negated ones included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globSync } from '../../../src/common/glob.js';

test('globSync: [!...] and [^...] match the characters not listed, [...] those listed (glibc fnmatch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-glob-'));
  try {
    for (const n of ['a.conf', 'b.conf', 'c.conf', '!.conf', '^.conf']) writeFileSync(join(dir, n), '');
    const names = (pattern: string) => globSync(pattern, dir).map((p) => p.slice(dir.length + 1));
    assert.deepEqual(names('[!a].conf'), ['!.conf', '^.conf', 'b.conf', 'c.conf']);
    assert.deepEqual(names('[^ab].conf'), ['!.conf', '^.conf', 'c.conf']);
    assert.deepEqual(names('[ab].conf'), ['a.conf', 'b.conf']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
