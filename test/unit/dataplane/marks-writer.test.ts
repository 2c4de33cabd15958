// MarkWriter: the compiled mark rules in mark_prefixes / mark_ranges; a new rule set goes
// into the half of mark_ranges no prefix points to; gone prefixes are deleted; a restarted
// writer takes over the half in use; the program is told rules exist (GLOBAL_F.marks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMaps } from '../../lib/fake-maps.js';
import { MarkWriter } from '../../../src/dataplane/marks.js';
import { MapWriter } from '../../../src/dataplane/writer.js';
import { markKey, markVal, markRange, lbGlobals, GLOBAL_F } from '../../../src/dataplane/codec.js';
import { u32Key } from '../../../src/dataplane/layout.js';
import { DEFAULT_TIMEOUTS, type MarkRule } from '../../../src/core/model.js';

const rules1: MarkRule[] = [
  { mark: 1, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' },
  { mark: 2, destination: '203.0.113.0/24', protocol: 'tcp', ports: '' },
];
const rules2: MarkRule[] = [{ mark: 3, destination: '2001:db8::/64', protocol: 'udp', ports: '53' }];

function view(maps: ReturnType<typeof fakeMaps>) {
  return [...maps.mark_prefixes.entries.entries()].map(([k, [v]]) => {
    const key = markKey.decode(Buffer.from(k, 'hex'));
    const val = markVal.decode(v!);
    const ranges = Array.from({ length: val.len }, (_, i) => markRange.decode(maps.mark_ranges.lookup(u32Key(val.off + i))!));
    return { prefixlen: key.prefixlen, family: key.family, proto: key.proto, off: val.off, ranges };
  }).sort((a, b) => a.prefixlen - b.prefixlen);
}

test('rules are written into alternate halves; gone prefixes deleted; the same rules object writes nothing', () => {
  const maps = fakeMaps();
  const w = new MarkWriter(maps);
  w.apply(rules1);
  const first = view(maps);
  assert.deepEqual(first.map((e) => [e.prefixlen, e.family, e.proto, e.off]), [[56, 4, 6, 0], [64, 4, 6, 1]]);
  assert.deepEqual(first[1]!.ranges, [{ lo: 80, hi: 80, mark: 1 }, { lo: 443, hi: 443, mark: 1 }, { lo: 0, hi: 65535, mark: 2 }], 'the /32 carries the /24 rule after its own');
  const writes = maps.mark_ranges.writes + maps.mark_prefixes.writes;
  w.apply(rules1);
  assert.equal(maps.mark_ranges.writes + maps.mark_prefixes.writes, writes, 'unchanged: no write');
  w.apply(rules2);
  const second = view(maps);
  assert.deepEqual(second.map((e) => [e.prefixlen, e.family, e.proto, e.off]), [[96, 6, 17, 4096]], 'the other half; the IPv4 prefixes are gone');
  w.apply([]);
  assert.equal(maps.mark_prefixes.entries.size, 0);
  assert.equal(w.active, false);
});

test('a restarted writer uses the half no prefix points to', () => {
  const maps = fakeMaps();
  new MarkWriter(maps).apply(rules1);
  const again = new MarkWriter(maps);
  again.recover();
  assert.equal(again.active, true);
  again.apply(rules2);
  assert.deepEqual(view(maps).map((e) => e.off), [4096]);
});

test('MapWriter sets GLOBAL_F.marks while rules exist', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply({ services: [], marks: rules1, timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  assert.ok(lbGlobals.decode(maps.globals.lookup(u32Key(0))!).flags & GLOBAL_F.marks);
  w.apply({ services: [], timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  assert.equal(lbGlobals.decode(maps.globals.lookup(u32Key(0))!).flags & GLOBAL_F.marks, 0);
});
