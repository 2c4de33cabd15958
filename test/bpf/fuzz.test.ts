// The data-plane fuzzer's short run (the long one is `make fuzz`): random configurations
// and frames of every category through the real program, each verdict, frame sent, map
// and counter compared with the reference model (test/lib/model). A new seed every run
// (IPVX_FUZZ_SEED to choose one), printed with the command that repeats a failure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fuzzer, formatFailure } from '../lib/fuzz/runner.js';
import type { Category } from '../lib/fuzz/frames.js';

const seed = process.env.IPVX_FUZZ_SEED !== undefined ? Number(process.env.IPVX_FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const FRAMES = 40_000;

const fz = new Fuzzer({ frames: FRAMES, seed, episode: 500, outDir: 'build/fuzz' });
after(() => fz.close());

test(`${FRAMES} fuzzed frames: program and model agree (seed ${seed})`, () => {
  const s = fz.run();
  assert.equal(s.frames, FRAMES);
  assert.deepEqual(s.failures.map(formatFailure), [], `seed ${seed}: again with make fuzz SEED=${seed} FRAMES=${FRAMES}`);
  // Not a vacuous run: every kind of frame was made, and the program took its main exits.
  const categories: Category[] = [
    'new', 'established', 'nat-reply', 'icmp-to-vip', 'icmp-from-real', 'fragments', 'nat-fragments', 'too-big', 'not-ours',
    'link', 'martian', 'filter-neighbour', 'ipv4-options', 'ipv6-ext', 'vlan', 'random', 'truncate-sweep', 'field-sweep',
  ];
  for (const c of categories) assert.ok((s.categories.get(c) ?? 0) > 0, `no ${c} frames`);
  for (const r of ['tx', 'redirect', 'pass_malformed', 'pass_not_service', 'pass_bad_csum', 'drop_martian', 'drop_frag_no_flow']) {
    assert.ok((s.reasons.get(r) ?? 0) > 0, `no exit ${r}`);
  }
  for (const e of ['flow_new', 'nat_reply', 'frag_followed', 'icmp_to_real', 'icmp_to_client']) assert.ok((s.events.get(e) ?? 0) > 0, `no event ${e}`);
  // 80 configurations: each feature is in a fifth of them or more.
  for (const c of ['mark rules', 'fwmark services', 'one-packet', 'TUN ipip', 'TUN gue', 'TUN gre', 'lc/wlc/sed/nq > 16 reals', 'flooded']) {
    assert.ok((s.configs.get(c) ?? 0) > 0, `no configuration with ${c}`);
  }
});
