// test/lib/leftovers.ts: which new entries of /run/ipvx, /var/lib/ipvx and bpffs/ipvx a
// run left behind (their namespace is gone), and which belong to runs still going on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityOf, leftovers, makeAliveCheck, listEntries } from '../../lib/leftovers.js';

test('entries are named by a namespace identity', () => {
  assert.equal(identityOf('/run/ipvx/lb.sock'), 'lb');
  assert.equal(identityOf('/run/ipvx/cookie-12.log'), 'cookie-12');
  assert.equal(identityOf('/run/ipvx/realserver-ipvxdemo1-1-rs1.json'), 'ipvxdemo1-1-rs1');
  assert.equal(identityOf('/var/lib/ipvx/host'), 'host');
  assert.equal(identityOf('/sys/fs/bpf/ipvx/lab7-2-rs1-decap'), 'lab7-2-rs1');
});

test('a new entry of a namespace that is gone is a leftover; one of a live namespace, or one that was there before, is not', () => {
  const netns = mkdtempSync(join(tmpdir(), 'ipvx-netns-'));
  try {
    const livePid = process.pid, deadPid = 2 ** 22 + 1; // above pid_max: never a process
    for (const n of ['lb', `ipvxdemo${livePid}-1-director`, `ipvxdemo${deadPid}-1-director`]) mkdirSync(join(netns, n));
    const alive = makeAliveCheck(netns);
    assert.equal(alive('lb'), true);
    assert.equal(alive('gone'), false);
    assert.equal(alive('host'), false, 'tests never leave files of the host namespace');
    assert.equal(alive(`ipvxdemo${livePid}-1-director`), true, 'a lab of a run still going on');
    assert.equal(alive(`ipvxdemo${deadPid}-1-director`), false, 'a lab whose run is gone was itself left behind');
    const before = ['/run/ipvx/old.log'];
    const after = ['/run/ipvx/old.log', '/run/ipvx/lb.sock', '/var/lib/ipvx/gone', `/run/ipvx/ipvxdemo${deadPid}-1-director.log`, '/run/ipvx/host.pid'];
    assert.deepEqual(leftovers(before, after, alive), ['/var/lib/ipvx/gone', `/run/ipvx/ipvxdemo${deadPid}-1-director.log`, '/run/ipvx/host.pid']);
    assert.deepEqual(listEntries([join(netns, 'none'), netns]), [join(netns, `ipvxdemo${deadPid}-1-director`), join(netns, `ipvxdemo${livePid}-1-director`), join(netns, 'lb')].sort());
  } finally {
    rmSync(netns, { recursive: true, force: true });
  }
});
