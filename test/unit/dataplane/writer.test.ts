// MapWriter's bookkeeping against in-memory maps: what it writes, what it reuses,
// and that a restarted writer recovers the same ids from the maps alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapWriter } from '../../../src/dataplane/writer.js';
import { svcInfo, svcKey, realInfo, REAL_F, SCHED_KIND, SVC_F, vipKey } from '../../../src/dataplane/codec.js';
import { u32Key, readU32 } from '../../../src/dataplane/layout.js';
import { ServiceSpec, DesiredState, DEFAULT_TIMEOUTS } from '../../../src/core/model.js';
import { ip, ipTo16 } from '../../../src/core/addr.js';
import { fakeMaps } from '../../lib/fake-maps.js';

const mac = (n: number) => Uint8Array.from([2, 0, 0, 0, 0, n]);
const nextHop = () => ({ ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 });

function svc(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0,
    persistenceMask: '', method: 'dr',
    reals: [
      { address: '198.51.100.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      { address: '198.51.100.2', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
    ],
    ...over,
  };
}
const state = (...services: ServiceSpec[]): DesiredState => ({ services, timeouts: { ...DEFAULT_TIMEOUTS } });

function readService(maps: ReturnType<typeof fakeMaps>, s: ServiceSpec) {
  const vip = ip(s.vip);
  const key = svcKey.encode({ vip: ipTo16(vip), port: s.port, proto: s.protocol === 'tcp' ? 6 : 17, family: vip.family });
  const v = maps.services.lookup(key);
  if (!v) return undefined;
  const info = svcInfo.decode(v);
  const table = Array.from({ length: info.tableLen }, (_, i) => readU32(maps.sched_slots.lookup(u32Key(info.tableOff + i))!));
  const list = Array.from({ length: info.realsLen }, (_, i) => readU32(maps.sched_slots.lookup(u32Key(info.realsOff + i))!));
  return { info, table, list };
}

test('a rr service becomes a service entry, live reals and a table of their ids', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply(state(svc()), nextHop);
  const s = readService(maps, svc())!;
  assert.equal(s.info.sched, SCHED_KIND.seq);
  assert.equal(s.list.length, 2);
  assert.deepEqual(s.table, s.list, 'rr with equal weights walks the reals in order');
  for (const id of s.list) {
    const r = realInfo.decode(maps.reals.lookup(u32Key(id))!);
    assert.equal(r.flags, REAL_F.live | REAL_F.nexthop);
    assert.equal(r.weight, 1);
    assert.equal(r.ifindex, 7);
    assert.deepEqual(r.dmac, mac(2));
  }
  assert.ok(maps.vips.lookup(vipKey.encode({ addr: ipTo16(ip('203.0.113.10')), family: 4 })));
});

test('a weight change rewrites the table in a new range and keeps real ids', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply(state(svc({ scheduler: 'wrr' })), nextHop);
  const before = readService(maps, svc())!;
  const changed = svc({ scheduler: 'wrr' });
  changed.reals[0]!.weight = 3;
  w.apply(state(changed), nextHop);
  const after = readService(maps, svc())!;
  assert.deepEqual(after.list, before.list, 'same real ids');
  assert.notEqual(after.info.tableOff, before.info.tableOff, 'fresh range, the old one stays valid until the flip');
  const [a, b] = after.list;
  assert.equal(after.table.filter((x) => x === a).length, 3);
  assert.equal(after.table.filter((x) => x === b).length, 1);
});

test('weight 0 takes a real out of the table but keeps it live (quiesced)', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  const q = svc();
  q.reals[1]!.weight = 0;
  w.apply(state(q), nextHop);
  const s = readService(maps, q)!;
  assert.deepEqual(s.table, [s.list[0]]);
  const r = realInfo.decode(maps.reals.lookup(u32Key(s.list[1]!))!);
  assert.ok(r.flags & REAL_F.live);
  assert.equal(r.weight, 0);
});

test('a removed real is marked dead; an id reused later gets a new generation', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply(state(svc()), nextHop);
  const first = readService(maps, svc())!;
  const gone = first.list[1]!;
  const genBefore = realInfo.decode(maps.reals.lookup(u32Key(gone))!).gen;
  const one = svc();
  one.reals.pop();
  w.apply(state(one), nextHop);
  assert.equal(realInfo.decode(maps.reals.lookup(u32Key(gone))!).flags & REAL_F.live, 0);
  const other = svc();
  other.reals[1] = { ...other.reals[1]!, address: '198.51.100.3' };
  w.apply(state(other), nextHop);
  const s = readService(maps, other)!;
  assert.equal(s.list[1], gone, 'the freed id is reused');
  assert.equal(realInfo.decode(maps.reals.lookup(u32Key(gone))!).gen, genBefore + 1, 'flows of the old real cannot follow');
});

test('removing a service deletes its entry and its VIP when no other service uses it', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply(state(svc(), svc({ port: 443 })), nextHop);
  w.apply(state(svc({ port: 443 })), nextHop);
  assert.equal(readService(maps, svc()), undefined);
  assert.ok(readService(maps, svc({ port: 443 })));
  assert.ok(maps.vips.lookup(vipKey.encode({ addr: ipTo16(ip('203.0.113.10')), family: 4 })));
  w.apply(state(), nextHop);
  assert.equal(maps.vips.entries.size, 0);
  assert.equal(maps.services.entries.size, 0);
});

test('persistence, hash port and fallback flags reach the service entry', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  const s = svc({ scheduler: 'sh', flags: ['sh-port', 'sh-fallback'], persistence: 300, persistenceMask: '255.255.255.0' });
  w.apply(state(s), nextHop);
  const got = readService(maps, s)!;
  assert.equal(got.info.sched, SCHED_KIND.hash);
  assert.equal(got.info.flags, SVC_F.persist | SVC_F.hashPort | SVC_F.fallback);
  assert.equal(got.info.persistTimeout, 300);
  assert.deepEqual(Array.from(got.info.persistMask.subarray(0, 4)), [255, 255, 255, 0]);
  assert.equal(got.table.length, 256);
});

test('a restarted writer recovers ids from the maps and rewrites nothing', () => {
  const maps = fakeMaps({ sched_slots: 65536 });
  const a = new MapWriter(maps, 2);
  const st = state(svc({ scheduler: 'wrr' }), svc({ port: 443, scheduler: 'mh' }));
  a.apply(st, nextHop);
  const b = new MapWriter(maps, 2);
  assert.deepEqual(b.recover().sort(), ['tcp|203.0.113.10|443', 'tcp|203.0.113.10|80']);
  assert.deepEqual(b.ids('tcp|203.0.113.10|80'), a.ids('tcp|203.0.113.10|80'));
  const writes = { services: maps.services.writes, reals: maps.reals.writes, slots: maps.sched_slots.writes };
  b.apply(st, nextHop);
  assert.deepEqual({ services: maps.services.writes, reals: maps.reals.writes, slots: maps.sched_slots.writes }, writes);
});

test('an unresolved neighbour leaves the next-hop flag off (the program falls back to the FIB)', () => {
  const maps = fakeMaps();
  const w = new MapWriter(maps, 2);
  w.apply(state(svc()), () => undefined);
  const s = readService(maps, svc())!;
  const r = realInfo.decode(maps.reals.lookup(u32Key(s.list[0]!))!);
  assert.equal(r.flags, REAL_F.live);
});

test('a state that does not fit the selection tables is refused before anything is written', () => {
  const maps = fakeMaps({ sched_slots: 1000 });
  const w = new MapWriter(maps, 2);
  w.apply(state(svc()), nextHop);
  const writes = maps.services.writes + maps.reals.writes + maps.sched_slots.writes;
  assert.throws(() => w.apply(state(svc(), svc({ port: 443, scheduler: 'mh' })), nextHop), /selection tables need/);
  assert.equal(maps.services.writes + maps.reals.writes + maps.sched_slots.writes, writes);
});
