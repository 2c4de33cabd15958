// MarkWriter: the compiled mark rules in mark_prefixes / mark_ranges; a new rule set goes
// into the half of mark_ranges no prefix points to; gone prefixes are deleted; a restarted
// writer takes over the half in use; the program is told rules exist (GLOBAL_F.marks);
// narrow prefixes' addresses go into the VIP filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMaps } from '../../lib/fake-maps.js';
import { MarkWriter, narrowPrefixAddrs } from '../../../src/dataplane/marks.js';
import { filterBit, SEED_VIP } from '../../../src/dataplane/filter.js';
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

test('MapWriter sets GLOBAL_F.marks while rules exist, GLOBAL_F.markProbe while some prefix is too wide for the VIP filter', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  const flags = () => lbGlobals.decode(maps.globals.lookup(u32Key(0))!).flags & (GLOBAL_F.marks | GLOBAL_F.markProbe);
  w.apply({ services: [], marks: rules1, timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  assert.equal(flags(), GLOBAL_F.marks | GLOBAL_F.markProbe, 'a /24 rule: probe');
  w.apply({ services: [], marks: [rules1[0]!], timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  assert.equal(flags(), GLOBAL_F.marks, 'only a /32: the filter knows it, no probe');
  w.apply({ services: [], timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  assert.equal(flags(), 0);
});

test('narrow prefixes (at most 16 addresses) put every address into the VIP filter; wider ones are left to the program\'s probe; a restarted writer keeps them', () => {
  const addr4 = (text: string) => { const a = new Uint8Array(16); a.set(text.split('.').map(Number)); return a; };
  const bitSet = (maps: ReturnType<typeof fakeMaps>, a: Uint8Array) => {
    const bit = filterBit(a, SEED_VIP);
    const w = maps.addr_filter.lookup(u32Key(bit >> 6));
    return !!w && ((new DataView(w.buffer, w.byteOffset, 8).getBigUint64(0, true) >> BigInt(bit & 63)) & 1n) === 1n;
  };
  assert.deepEqual(narrowPrefixAddrs(4, addr4('203.0.113.8'), 30).map((a) => a[3]), [8, 9, 10, 11]);
  assert.equal(narrowPrefixAddrs(4, addr4('203.0.113.0'), 27).length, 0, '32 addresses: too wide');
  assert.equal(narrowPrefixAddrs(6, new Uint8Array(16), 124).length, 16);
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  const rules: MarkRule[] = [
    { mark: 1, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' },
    { mark: 1, destination: '203.0.113.8/30', protocol: 'udp', ports: '' },
    { mark: 2, destination: '198.51.100.0/24', protocol: 'tcp', ports: '' },
  ];
  w.apply({ services: [], marks: rules, timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  for (const a of ['203.0.113.10', '203.0.113.8', '203.0.113.11']) assert.ok(bitSet(maps, addr4(a)), a);
  const wide = ['198.51.100.1', '198.51.100.200'].filter((a) => bitSet(maps, addr4(a)));
  assert.deepEqual(wide, [], 'a /24 is not enumerated');
  const again = new MapWriter(maps, 2);
  again.recover();
  again.apply({ services: [], timeouts: { ...DEFAULT_TIMEOUTS } }, () => undefined);
  for (const a of ['203.0.113.10', '203.0.113.8']) assert.equal(bitSet(maps, addr4(a)), false, `${a}: cleared with its rules after a restart`);
});
