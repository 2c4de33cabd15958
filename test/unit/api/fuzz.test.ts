// The gRPC API under fuzz (test/lib/api-fuzz.ts): a short run here; `make fuzz-api` runs a
// long one (IPVX_API_FUZZ_ROUNDS, IPVX_API_FUZZ_SEED). The daemon is a process with the
// memory data plane (as root, in a network namespace of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzz, candidate, scopeOf, METHODS, rng } from '../../lib/api-fuzz.js';
import { IpvxService } from '../../../src/api/proto.js';

const DAEMON = fileURLToPath(new URL('../../../src/daemon/main.js', import.meta.url));
const ROUNDS = Number(process.env.IPVX_API_FUZZ_ROUNDS ?? 3);
const SEED = Number(process.env.IPVX_API_FUZZ_SEED ?? 17);

test('the fuzzer makes requests of every RPC, well-formed and not, and knows which client each may go to', () => {
  const next = rng(1);
  for (const m of METHODS) {
    const decoded = Array.from({ length: 50 }, () => scopeOf(m, candidate(m, next, ['203.0.113.100'])));
    assert.ok(decoded.length === 50);
  }
  // An AddService for another client's VIP is out of this one's partition.
  const ser = (m: string, msg: object) => (IpvxService.service[m as 'AddService'].requestSerialize as unknown as (x: object) => Buffer)(msg);
  assert.deepEqual(scopeOf('AddService', ser('AddService', { service: { vip: '2001:db8:0::65', port: 80 } })), { kind: 'vip', vip: '2001:db8::65' });
  assert.deepEqual(scopeOf('DeleteReal', ser('DeleteReal', { service: { vip: 'nope' } })), { kind: 'vip' });
  assert.deepEqual(scopeOf('ApplyConfig', ser('ApplyConfig', { state: {}, dryRun: true })), { kind: 'none' });
  assert.deepEqual(scopeOf('Clear', Buffer.alloc(0)), { kind: 'global' });
  assert.deepEqual(scopeOf('GetStats', Buffer.from([0xff])), { kind: 'none' });
  assert.deepEqual(scopeOf('AddReal', Buffer.from([0x0a, 0xff])), { kind: 'none' }, 'bytes the server cannot decode change nothing');
});

test(`gRPC fuzz (${ROUNDS} rounds, seed ${SEED}): no crash, nothing half-applied (the run equals the replay of what was accepted), bounded memory, Watch in order`, { timeout: 60 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-apifuzz-'));
  try {
    const r = await fuzz({ seed: SEED, rounds: ROUNDS, clients: 4, perRound: 150, daemonJs: DAEMON, dir, log: (l) => t.diagnostic(l) });
    t.diagnostic(JSON.stringify(r));
    assert.equal(r.stopExit, 0);
    assert.ok(r.accepted > r.sent / 20, `some requests are accepted (${r.accepted} of ${r.sent}): the state is exercised`);
    assert.ok(r.rejected > r.sent / 5, `many are refused (${r.rejected} of ${r.sent})`);
    for (const m of ['ApplyConfig', 'AddService', 'AddReal', 'UpdateReal', 'DeleteReal', 'SetTimeouts']) assert.ok((r.byMethod[m]?.accepted ?? 0) > 0, `${m} accepted at least once`);
    assert.equal(r.watchGaps, 0, 'the Watch stream saw every serial in order');
    assert.ok(r.replayed > 50, `${r.replayed} accepted changes replayed`);
    // Bounded: growth over the run after the first round (the daemon's heap settles by then).
    assert.ok(r.rssEndKb - r.rssStartKb < 96 * 1024, `RSS ${r.rssStartKb} kB after round 1, ${r.rssEndKb} kB at the end`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
