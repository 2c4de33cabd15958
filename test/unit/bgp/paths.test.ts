// BIRD's configuration path comes from the API and the daemon writes it as root: it had
// the daemon create any directory and write beside any path. Now only a regular file (or
// nothing yet) owned by root in an existing root-owned directory that not everyone can
// write, and BirdControl refuses to write anywhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, chownSync, chmodSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { birdConfigProblem, birdSocketProblem, birdPathErrors } from '../../../src/bgp/paths.js';
import { BirdControl } from '../../../src/bgp/bird.js';

const root = process.getuid?.() === 0;

test('birdConfigProblem: absolute, existing root-owned directory not writable by all, a root-owned regular file or none', { skip: !root && 'needs root (files owned by root and by others)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-bird-'));
  try {
    chmodSync(dir, 0o755);
    assert.equal(birdConfigProblem(join(dir, 'bird.conf')), undefined, 'a new file in a root directory');
    writeFileSync(join(dir, 'bird.conf'), 'router id 192.0.2.1;\n');
    assert.equal(birdConfigProblem(join(dir, 'bird.conf')), undefined, 'an existing root file');
    assert.equal(birdConfigProblem('bird.conf'), "'bird.conf' is not an absolute path");
    assert.match(birdConfigProblem(join(dir, 'no', 'such', 'bird.conf'))!, /its directory .*\/no\/such does not exist \(ipvx does not create directories/);
    mkdirSync(join(dir, 'sub'));
    assert.match(birdConfigProblem(join(dir, 'sub'))!, /sub is a directory$/);
    symlinkSync(join(dir, 'bird.conf'), join(dir, 'link.conf'));
    assert.match(birdConfigProblem(join(dir, 'link.conf'))!, /is a symbolic link/);
    writeFileSync(join(dir, 'theirs.conf'), '');
    chownSync(join(dir, 'theirs.conf'), 65534, 65534);
    assert.match(birdConfigProblem(join(dir, 'theirs.conf'))!, /theirs\.conf is not owned by root \(uid 65534\)/);
    mkdirSync(join(dir, 'open'), { mode: 0o777 });
    chmodSync(join(dir, 'open'), 0o1777);
    assert.match(birdConfigProblem(join(dir, 'open', 'bird.conf'))!, /its directory .*open is writable by everyone/);
    mkdirSync(join(dir, 'user'));
    chownSync(join(dir, 'user'), 65534, 65534);
    assert.match(birdConfigProblem(join(dir, 'user', 'bird.conf'))!, /its directory .*user is not owned by root \(uid 65534\)/);
    assert.match(birdSocketProblem(dir)!, /is a directory/);
    assert.deepEqual(birdPathErrors({ birdConfig: join(dir, 'sub'), birdSocket: 'rel' }).map((e) => e.field), ['bgp.birdConfig', 'bgp.birdSocket']);

    // BirdControl checks again before it writes, and creates no directory.
    const bird = new BirdControl(join(dir, 'made', 'by', 'request', 'bird.conf'), join(dir, 'bird.ctl'), '/bin/false');
    await assert.rejects(bird.load('router id 192.0.2.1;\n'), /not writing BIRD's configuration: its directory .* does not exist/);
    assert.equal(existsSync(join(dir, 'made')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
