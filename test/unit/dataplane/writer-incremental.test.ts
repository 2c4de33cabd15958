// The writer skips services whose (validated, frozen) spec, weights and next hops
// are those it last wrote. These tests check that the shortcut never leaves the
// maps different from what a fresh writer would write for the same final state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapWriter } from '../../../src/dataplane/writer.js';
import { realInfo } from '../../../src/dataplane/codec.js';
import { u32Key } from '../../../src/dataplane/layout.js';
import { DEFAULT_TIMEOUTS } from '../../../src/core/model.js';
import * as edit from '../../../src/core/edit.js';
import type { NextHop } from '../../../src/dataplane/neighbors.js';
import { fakeMaps } from '../../lib/fake-maps.js';
import { assertAsFresh, type HopOf } from '../../lib/map-view.js';
import { LIMITS, SCHEDS, rng, serviceOf, valid, randomEdit } from '../../lib/random-state.js';

const mac = (n: number) => Uint8Array.from([2, 0, 0, 0, 0, n]);

/** A writer that has applied `n` services (schedulers in turn, `reals(i)` reals each) to fake maps. */
function appliedWriter(n: number, reals: (i: number) => number, hopOf: HopOf, opts?: { stageLimit: number }) {
  const st = valid({ services: Array.from({ length: n }, (_, i) => serviceOf(i, SCHEDS[i % SCHEDS.length]!, reals(i))), timeouts: { ...DEFAULT_TIMEOUTS } });
  const maps = fakeMaps(LIMITS);
  const w = new MapWriter(maps, 2, opts);
  w.apply(st, hopOf);
  return { st, maps, w };
}

test('after 300 random incremental edits the maps hold what a fresh apply of the final state writes', () => {
  const next = rng(42);
  // Two generations of next hops: a "refresh" swaps some addresses to new objects.
  const hops = new Map<string, NextHop | undefined>();
  const hopOf = (a: { text: string }) => {
    if (!hops.has(a.text)) hops.set(a.text, { ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 });
    return hops.get(a.text);
  };
  const { maps, w, st: st0 } = appliedWriter(20, (i) => 3 + (i % 4), hopOf);
  let st = st0;
  let nextSvc = 20;
  const ops = ['weight', 'addReal', 'deleteReal', 'scheduler', 'deleteService', 'addService', 'other'] as const;
  for (let step = 0; step < 300; step++) {
    const { service: s, result: r } = randomEdit(st, next, ops, { realId: 1000 + step, serviceId: () => nextSvc++, minServices: 5 });
    if (!r) {
      // A next-hop change for one address (MAC moved), as a refresh would bring.
      const a = s.reals[0]?.address;
      if (a) hops.set(a, { ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(3 + next(50)), mtu: 1500 });
    }
    if (r) {
      assert.ok(r.ok);
      st = valid(r.value);
    }
    w.apply(st, hopOf);
  }
  assertAsFresh(maps, st, hopOf);
});

test('an unchanged state writes nothing; one weight change writes one real and that service only', () => {
  const maps = fakeMaps(LIMITS);
  const w = new MapWriter(maps, 2);
  const hop: NextHop = { ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 };
  let st = valid({ services: Array.from({ length: 50 }, (_, i) => serviceOf(i, 'wrr', 4)), timeouts: { ...DEFAULT_TIMEOUTS } });
  w.apply(st, () => hop);
  const writes = () => ({ services: maps.services.writes, reals: maps.reals.writes, slots: maps.sched_slots.writes, vips: maps.vips.writes });
  const before = writes();
  w.apply(st, () => hop);
  assert.deepEqual(writes(), before, 'same state, same next hops: no map write');
  const s = st.services[17]!;
  const r = edit.editReal(st, { vip: s.vip, port: s.port, protocol: 'tcp' }, { ...s.reals[1]!, weight: 9 });
  assert.ok(r.ok);
  st = valid(r.value);
  w.apply(st, () => hop);
  const after = writes();
  assert.equal(after.reals - before.reals, 1, 'the one real');
  assert.equal(after.services - before.services, 1, 'the one service entry (flip to its new table)');
  assert.equal(after.slots - before.slots, 1 + 9 + 3 + 1, 'one new wrr table (weights 1,9,3,1: 14 slots); the list of reals stays');
  assert.equal(after.vips, before.vips);
});

test('the same spec with new next-hop objects is rewritten (a refresh is not skipped)', () => {
  const maps = fakeMaps(LIMITS);
  const w = new MapWriter(maps, 2);
  const st = valid({ services: [serviceOf(0, 'rr', 2)], timeouts: { ...DEFAULT_TIMEOUTS } });
  w.apply(st, () => ({ ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 }));
  w.apply(st, () => ({ ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(9), mtu: 1500 }));
  const id = w.ids(`tcp|${st.services[0]!.vip}|${st.services[0]!.port}`)!.reals.values().next().value!;
  assert.deepEqual(realInfo.decode(maps.reals.lookup(u32Key(id))!).dmac, mac(9));
});

test('a write that fails part-way through the staged writes, then the rollback apply: the maps hold the previous state, and a later edit still applies', () => {
  const hopOf = () => ({ ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 });
  const { st: before, maps, w } = appliedWriter(30, (i) => 2 + (i % 3), hopOf);
  // The next state changes weights, removes services and adds others; the services map
  // fails after a few of its updates (the tables and reals were already written).
  let next = before;
  for (const s of before.services.slice(0, 10)) { const r = edit.deleteService(next, { vip: s.vip, port: s.port, protocol: s.protocol }); assert.ok(r.ok); next = r.value; }
  for (const s of before.services.slice(10, 20)) { const r = edit.editReal(next, { vip: s.vip, port: s.port, protocol: s.protocol }, { ...s.reals[0]!, weight: 9 }); assert.ok(r.ok); next = r.value; }
  for (let i = 100; i < 110; i++) { const r = edit.addService(next, serviceOf(i, 'mh', 4)); assert.ok(r.ok); next = r.value; }
  next = valid(next);
  const realUpdate = maps.services.update.bind(maps.services);
  let left = 5;
  maps.services.update = (k, v) => { if (left-- <= 0) throw new Error('injected failure'); realUpdate(k, v); };
  assert.throws(() => w.apply(next, hopOf), /injected failure/);
  maps.services.update = realUpdate;
  w.apply(before, hopOf); // what the controller does after a failed change
  assertAsFresh(maps, before, hopOf);
  // And the writer's bookkeeping is sound: the change applies on a second try.
  w.apply(next, hopOf);
  assertAsFresh(maps, next, hopOf);
});

test('the last-written value the writer keeps per real id (one flat buffer) is what the reals map holds, across random edits', () => {
  const next = rng(7);
  const hops = new Map<string, NextHop | undefined>();
  const hopOf = (a: { text: string }) => {
    if (!hops.has(a.text)) hops.set(a.text, next(3) ? { ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2 + next(9)), mtu: 1500 } : undefined);
    return hops.get(a.text);
  };
  const { maps, w, st: st0 } = appliedWriter(12, (i) => 2 + (i % 5), hopOf);
  let st = st0;
  let nextSvc = 12;
  const check = () => {
    const held = new Set<number>();
    for (const [, s] of w.serviceIds()) {
      for (const rs of s.reals.values()) {
        held.add(rs.id);
        assert.deepEqual(w.realWritten(rs.id), maps.reals.lookup(u32Key(rs.id)), `real id ${rs.id}`);
      }
    }
    // Ids no real holds any more keep no value (a reused id is written in full).
    for (let id = 0; id < maps.reals.maxEntries; id++) if (!held.has(id)) assert.equal(w.realWritten(id), undefined, `freed id ${id}`);
  };
  const ops = ['weight', 'addReal', 'deleteReal', 'deleteService', 'addService'] as const;
  for (let step = 0; step < 200; step++) {
    const r = randomEdit(st, next, ops, { realId: 2000 + step, serviceId: () => nextSvc++, minServices: 4, fallback: 'addService' }).result!;
    assert.ok(r.ok);
    st = valid(r.value);
    w.apply(st, hopOf);
    check();
  }
  // And the maps are those of a fresh writer.
  assertAsFresh(maps, st, hopOf);
});

test('bounded staging: removals and additions written in several steps, one failing late, then the rollback: the maps hold the previous state, and the change applies on a second try', () => {
  const hopOf = () => ({ ifindex: 7, ifname: 'eth0', smac: mac(1), dmac: mac(2), mtu: 1500 });
  // A small limit: the writer writes what it staged every few services, during removals too.
  const { st: before, maps, w } = appliedWriter(40, (i) => 2 + (i % 4), hopOf, { stageLimit: 20 });
  let next = before;
  for (const s of before.services.slice(0, 25)) { const r = edit.deleteService(next, { vip: s.vip, port: s.port, protocol: s.protocol }); assert.ok(r.ok); next = r.value; }
  for (const s of before.services.slice(25, 30)) { const r = edit.deleteReal(next, { vip: s.vip, port: s.port, protocol: s.protocol }, s.reals[0]!); assert.ok(r.ok); next = r.value; }
  for (let i = 100; i < 110; i++) { const r = edit.addService(next, serviceOf(i, 'wlc', 3)); assert.ok(r.ok); next = r.value; }
  next = valid(next);
  // The services map refuses a delete after most removals were written.
  const realDelete = maps.services.delete.bind(maps.services);
  let left = 20;
  maps.services.delete = (k) => { if (left-- <= 0) throw new Error('injected failure'); return realDelete(k); };
  assert.throws(() => w.apply(next, hopOf), /injected failure/);
  assert.ok(left < 0, 'the failure came after earlier steps were written');
  maps.services.delete = realDelete;
  w.apply(before, hopOf); // the controller's rollback
  assertAsFresh(maps, before, hopOf);
  w.apply(next, hopOf);
  assertAsFresh(maps, next, hopOf);
  // And every real id in use is held once (none handed out twice after the failure).
  const ids: number[] = [];
  for (const [, s] of w.serviceIds()) for (const rs of s.reals.values()) ids.push(rs.id);
  assert.equal(new Set(ids).size, ids.length);
});
