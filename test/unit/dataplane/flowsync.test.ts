// HA connection sync against in-memory maps: flows, NAT reverse entries and persistence
// exported by one director are installed by another whose internal ids differ, mapped
// onto its own ids; entries it cannot map are skipped; the differ sends only changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapWriter } from '../../../src/dataplane/writer.js';
import { flowKey, flowVal, natRevVal, persistKey, persistVal, FLOW, IPPROTO } from '../../../src/dataplane/codec.js';
import { exportFlows, installFlows, type AttachedIf } from '../../../src/dataplane/flowsync.js';
import { portableFlowVal } from '../../../src/dataplane/portable.js';
import { FlowDiffer } from '../../../src/ha/flowdiff.js';
import { ip, ipTo16 } from '../../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, type DesiredState, type ServiceSpec } from '../../../src/core/model.js';
import { fakeMaps } from '../../lib/fake-maps.js';

const mac = (n: number) => Uint8Array.from([2, 0, 0, 0, 0, n]);
const nextHop = () => ({ ifindex: 7, ifname: 'eth1', smac: mac(1), dmac: mac(2), mtu: 1500 });
const a16 = (s: string) => ipTo16(ip(s));
const NOW = 1_000_000_000_000n; // ns, the "monotonic clock" of both directors
const SEC = 1_000_000_000n;

function svc(vip: string, port: number, method: 'dr' | 'nat', extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    vip, port, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method,
    reals: ['192.0.2.11', '192.0.2.12'].map((address) => ({ address, port: method === 'nat' ? 8080 : port, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
    ...extra,
  };
}

function director(services: ServiceSpec[], attached: AttachedIf[]) {
  const maps = fakeMaps();
  const writer = new MapWriter(maps, 1);
  const state: DesiredState = { services, timeouts: { ...DEFAULT_TIMEOUTS } };
  writer.apply(state, nextHop);
  writer.writeTimeouts(state.timeouts);
  return { maps, writer, attached };
}

const web = svc('203.0.113.10', 80, 'nat');
const sticky = svc('203.0.113.20', 0, 'dr', { persistence: 300 });
const clientFlow = (sport: number, vip = '203.0.113.10', dport = 80) =>
  flowKey.encode({ src: a16('198.51.100.7'), dst: a16(vip), sport, dport, proto: IPPROTO.tcp, family: 4 });

test('flows, NAT reverse entries and persistence move to a director with other ids', () => {
  // A has the services in one order, B in another plus one more: every id differs.
  const A = director([web, sticky], [{ name: 'front', ifindex: 3, mac: mac(0xa) }]);
  const B = director([svc('203.0.113.30', 443, 'dr'), sticky, web], [{ name: 'front', ifindex: 9, mac: mac(0xb) }]);
  const idsA = A.writer.ids('tcp|203.0.113.10|80')!, idsB = B.writer.ids('tcp|203.0.113.10|80')!;
  assert.notEqual(idsA.svcId, idsB.svcId);
  const realA = idsA.reals.get('192.0.2.12|8080')!, realB = idsB.reals.get('192.0.2.12|8080')!;
  assert.notEqual(realA, realB);
  const genA = [...A.writer.serviceIds()].find(([id]) => id === 'tcp|203.0.113.10|80')![1].reals.get('192.0.2.12|8080')!.gen;

  // On A: an established NAT flow (seen 5 s ago) with its reverse entry, a persistent DR client.
  A.maps.flows.update(clientFlow(40000), flowVal.encode({ realId: realA, realGen: genA, atime: NOW - 5n * SEC, svcId: idsA.svcId, state: FLOW.est }));
  const revKey = flowKey.encode({ src: a16('192.0.2.12'), dst: a16('198.51.100.7'), sport: 8080, dport: 40000, proto: IPPROTO.tcp, family: 4 });
  A.maps.nat_rev.update(revKey, natRevVal.encode({ vip: a16('203.0.113.10'), vport: 80, svcId: idsA.svcId, realId: realA, ifindex: 3, clientMac: mac(0xc), ourMac: mac(0xa) }));
  const sA = A.writer.ids('tcp|203.0.113.20|0')!, sB = B.writer.ids('tcp|203.0.113.20|0')!;
  const stickyRealA = sA.reals.get('192.0.2.11|0')!;
  const stickyGenA = [...A.writer.serviceIds()].find(([id]) => id === 'tcp|203.0.113.20|0')![1].reals.get('192.0.2.11|0')!.gen;
  A.maps.persist.update(persistKey.encode({ svcId: sA.svcId, family: 4, client: a16('198.51.100.7') }), persistVal.encode({ realId: stickyRealA, realGen: stickyGenA, atime: NOW - 2n * SEC }));
  // Not exported: an expired flow (tcp 900 s) and one whose real generation is gone.
  A.maps.flows.update(clientFlow(40001), flowVal.encode({ realId: realA, realGen: genA, atime: NOW - 901n * SEC, svcId: idsA.svcId, state: FLOW.est }));
  A.maps.flows.update(clientFlow(40002), flowVal.encode({ realId: realA, realGen: genA + 1, atime: NOW, svcId: idsA.svcId, state: FLOW.est }));

  const out = exportFlows(A.maps, A.writer, A.attached, NOW);
  assert.equal(out.length, 2, 'one flow and one persistence entry');
  const pf = portableFlowVal.decode(out.find((e) => e.kind === 'flow')!.value);
  assert.equal(pf.ageMs, 5000);
  assert.equal(pf.rport, 8080);

  const later = NOW + 100n * SEC; // B's clock reads differently: ages, not timestamps, travel
  const r = installFlows(B.maps, B.writer, B.attached, out.map((e) => ({ ...e, op: 'upsert' as const })), later);
  assert.deepEqual(r, { installed: 2, removed: 0, skipped: 0 });
  const fv = flowVal.decode(B.maps.flows.lookup(clientFlow(40000))!);
  assert.equal(fv.realId, realB);
  assert.equal(fv.svcId, idsB.svcId);
  assert.equal(fv.state, FLOW.est);
  assert.equal(fv.atime, later - 5n * SEC);
  const rv = natRevVal.decode(B.maps.nat_rev.lookup(revKey)!);
  assert.equal(rv.ifindex, 9, "B's own interface of that name");
  assert.deepEqual([...rv.ourMac], [...mac(0xb)]);
  assert.deepEqual([...rv.clientMac], [...mac(0xc)], 'the router/client MAC as A saw it');
  assert.equal(rv.realId, realB);
  const pv = persistVal.decode(B.maps.persist.lookup(persistKey.encode({ svcId: sB.svcId, family: 4, client: a16('198.51.100.7') }))!);
  assert.equal(pv.realId, sB.reals.get('192.0.2.11|0')!);
  assert.equal(pv.atime, later - 2n * SEC);

  // A delete removes the flow.
  const del = installFlows(B.maps, B.writer, B.attached, [{ kind: 'flow', op: 'delete', key: clientFlow(40000) }], later);
  assert.equal(del.removed, 1);
  assert.equal(B.maps.flows.lookup(clientFlow(40000)), undefined);
});

test('entries for a service or real this director does not have are skipped, and malformed ones', () => {
  const A = director([web], [{ name: 'front', ifindex: 3, mac: mac(0xa) }]);
  const B = director([svc('203.0.113.10', 80, 'nat', { reals: [] })], [{ name: 'front', ifindex: 9, mac: mac(0xb) }]);
  const ids = A.writer.ids('tcp|203.0.113.10|80')!;
  const rid = ids.reals.get('192.0.2.11|8080')!;
  const gen = [...A.writer.serviceIds()][0]![1].reals.get('192.0.2.11|8080')!.gen;
  A.maps.flows.update(clientFlow(40000), flowVal.encode({ realId: rid, realGen: gen, atime: NOW, svcId: ids.svcId, state: FLOW.syn }));
  const out = exportFlows(A.maps, A.writer, A.attached, NOW);
  const r = installFlows(B.maps, B.writer, B.attached, [
    ...out.map((e) => ({ ...e, op: 'upsert' as const })),
    { kind: 'flow', op: 'upsert', key: new Uint8Array(3), value: new Uint8Array(52) },
  ], NOW);
  assert.deepEqual(r, { installed: 0, removed: 0, skipped: 2 });
  assert.equal([...B.maps.flows.keys()].length, 0);
});

test('the differ sends new and changed entries and deletes for ended ones, not age changes', () => {
  const A = director([web], [{ name: 'front', ifindex: 3, mac: mac(0xa) }]);
  const ids = A.writer.ids('tcp|203.0.113.10|80')!;
  const rid = ids.reals.get('192.0.2.11|8080')!;
  const gen = [...A.writer.serviceIds()][0]![1].reals.get('192.0.2.11|8080')!.gen;
  const put = (sport: number, state: number, atime: bigint) =>
    A.maps.flows.update(clientFlow(sport), flowVal.encode({ realId: rid, realGen: gen, atime, svcId: ids.svcId, state }));
  const d = new FlowDiffer();
  put(1, FLOW.syn, NOW);
  put(2, FLOW.est, NOW);
  let c = d.diff(exportFlows(A.maps, A.writer, A.attached, NOW));
  assert.deepEqual(c.map((e) => e.op), ['upsert', 'upsert']);
  // Only time passes: nothing to say.
  assert.equal(d.diff(exportFlows(A.maps, A.writer, A.attached, NOW + 3n * SEC)).length, 0);
  put(1, FLOW.est, NOW + 3n * SEC); // state change
  A.maps.flows.delete(clientFlow(2)); // ended
  put(3, FLOW.syn, NOW + 3n * SEC); // new
  c = d.diff(exportFlows(A.maps, A.writer, A.attached, NOW + 4n * SEC));
  const ops = c.map((e) => `${e.op}:${flowKey.decode(e.key).sport}`).sort();
  assert.deepEqual(ops, ['delete:2', 'upsert:1', 'upsert:3']);
});
