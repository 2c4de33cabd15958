// The flood defence, scaled down from the benchmark's goal (10,000,000 SYNs against
// 100,000 established flows): 200,000 SYNs of distinct 5-tuples through a flow table of
// 32,768 entries holding 10,000 established flows. Without the defence the SYNs evict
// the flows; with it (per-CPU new-flow rate above the limit: hash-scheduled services
// keep no entry for new flows, others keep them in the embryonic table until their
// second packet) at least 99 % stay, and are still forwarded to their real.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP_NAME } from '../lib/lb-harness.js';
import { buildFrame, parseFrame, macBytes, FrameOpts } from '../lib/packet.js';
import { ip, ipTo16 } from '../../src/core/addr.js';
import { flowKey } from '../../src/dataplane/codec.js';
import { DEFAULT_TIMEOUTS, DEFAULT_DEFENSE, Defense, SchedulerName as Scheduler, ServiceSpec } from '../../src/core/model.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { RestoreHarness } from '../bench/lib/restore.js';

const DIR_MAC = '02:00:00:00:0d:01';
const FLOWS = 32_768;
const ESTABLISHED = 10_000;
const SYNS = 200_000;
const REALS = Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 1}`);
const realMac = (a: string) => `02:00:00:00:0a:${ip(a).bytes.at(-1)!.toString(16).padStart(2, '0')}`;

function service(scheduler: Scheduler): ServiceSpec {
  return {
    vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler, flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: REALS.map((address) => ({ address, port: 80, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
  };
}
const hop = (a: { text: string }): NextHop => ({ ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(realMac(a.text)), mtu: 1500 });

const FLOODED: Defense = { ...DEFAULT_DEFENSE, newFlowRate: 1000 };
const OFF: Defense = { ...DEFAULT_DEFENSE, newFlowRate: 0, dropEntry: 0 };

const opened: { close(): void }[] = [];
after(() => { for (const o of opened) o.close(); });

/** Established flows, a SYN flood, then: how many flows are still in the table and go to their real. */
function survivors(scheduler: Scheduler, defense: Defense): { kept: number; events: Record<string, bigint> } {
  const h = LbHarness.open(undefined, (o) => o.setMaxEntries('flows', FLOWS));
  const wrap = new RestoreHarness();
  opened.push(h, wrap);
  // The established flows come in before the defence is set (10,000 of them would be a flood).
  h.apply({ services: [service(scheduler)], timeouts: { ...DEFAULT_TIMEOUTS }, defense: OFF }, hop);
  const client = (i: number): FrameOpts => ({
    ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src: `192.0.2.${(i % 250) + 1}`, dst: '203.0.113.10', proto: 'tcp',
    tcp: { sport: 20000 + Math.floor(i / 250), dport: 80, flags: 'S' },
  });
  const realOf: string[] = [];
  for (let i = 0; i < ESTABLISHED; i++) {
    const syn = h.run(buildFrame(client(i)));
    assert.equal(XDP_NAME[syn.action], 'TX');
    realOf.push(parseFrame(syn.out).eth.dst);
    const ack = h.run(buildFrame({ ...client(i), tcp: { ...client(i).tcp!, flags: 'A' } }));
    assert.equal(parseFrame(ack.out).eth.dst, realOf[i]);
  }
  assert.equal([...h.maps.flows.keys()].length, ESTABLISHED);
  h.writer.writeDefense(defense);
  // The flood: every repetition a SYN from a new 5-tuple (the harness writes a counter
  // into the source port and the last byte of the source address).
  // Sources in another documentation /24 than the established clients'.
  const flood = buildFrame({ ethSrc: '02:00:00:00:0c:02', ethDst: DIR_MAC, src: '198.51.100.200', dst: '203.0.113.10', proto: 'tcp', tcp: { sport: 1, dport: 80, flags: 'S' } });
  const r = wrap.run(h.obj.program('balancer_ingress'), flood, true, 4, SYNS);
  assert.equal(XDP_NAME[r.action], 'TX');
  let kept = 0;
  for (let i = 0; i < ESTABLISHED; i++) {
    const o = client(i);
    const key = flowKey.encode({
      src: ipTo16(ip(o.src)), dst: ipTo16(ip(o.dst)), sport: o.tcp!.sport, dport: 80, proto: 6, family: 4,
    });
    const inTable = h.maps.flows.lookup(key) !== undefined;
    const ack = h.run(buildFrame({ ...o, tcp: { ...o.tcp!, flags: 'PA' }, payload: 'GET /' }));
    // Still in the table (not created anew) and on its real.
    if (inTable && XDP_NAME[ack.action] === 'TX' && parseFrame(ack.out).eth.dst === realOf[i]) kept++;
  }
  return { kept, events: h.events() };
}


test('without the defence a SYN flood evicts established flows (the property below is not free)', () => {
  // The kernel's LRU prefers to evict entries never looked up again, so about half stay.
  const { kept } = survivors('wrr', OFF);
  assert.ok(kept < ESTABLISHED * 0.9, `kept ${kept} of ${ESTABLISHED}`);
});

test('mh (hash-scheduled) under a flood: new flows keep no entry, >= 99 % of established flows stay on their real', () => {
  const { kept, events } = survivors('mh', { ...FLOODED, dropEntry: 0 });
  assert.ok(kept >= ESTABLISHED * 0.99, `kept ${kept} of ${ESTABLISHED}`);
  assert.ok(events.flow_no_entry! > BigInt(SYNS * 0.9), `flow_no_entry ${events.flow_no_entry}: ${JSON.stringify(events, (_k, v) => typeof v === 'bigint' ? String(v) : v)}`);
  assert.ok(events.flood_windows! >= 1n);
});

test('wrr with drop_entry (1, on while flooded): new flows wait in the embryonic table, >= 99 % of established flows stay', () => {
  const { kept, events } = survivors('wrr', FLOODED);
  assert.ok(kept >= ESTABLISHED * 0.99, `kept ${kept} of ${ESTABLISHED}`);
  assert.ok(events.flow_embryo! > BigInt(SYNS * 0.9), `flow_embryo ${events.flow_embryo}: ${JSON.stringify(events, (_k, v) => typeof v === "bigint" ? String(v) : v)}`);
});

test('an embryonic flow becomes a flow with its second packet, on the same real', () => {
  const h = LbHarness.open();
  opened.push(h);
  h.apply({ services: [service('wrr')], timeouts: { ...DEFAULT_TIMEOUTS }, defense: { ...DEFAULT_DEFENSE, dropEntry: 3 } }, hop);
  const o: FrameOpts = { ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src: '192.0.2.251', dst: '203.0.113.10', proto: 'tcp', tcp: { sport: 3333, dport: 80, flags: 'S' } };
  const syn = h.run(buildFrame(o));
  const real = parseFrame(syn.out).eth.dst;
  assert.equal([...h.maps.flows.keys()].length, 0, 'not in the flow table yet');
  assert.equal([...h.maps.embryos.keys()].length, 1);
  // A retransmitted SYN stays an embryo, on the same real.
  assert.equal(parseFrame(h.run(buildFrame(o)).out).eth.dst, real);
  assert.equal([...h.maps.embryos.keys()].length, 1);
  const ack = h.run(buildFrame({ ...o, tcp: { sport: 3333, dport: 80, flags: 'A' } }));
  assert.equal(parseFrame(ack.out).eth.dst, real);
  assert.equal([...h.maps.flows.keys()].length, 1, 'promoted');
  assert.equal([...h.maps.embryos.keys()].length, 0);
  assert.equal(h.reason('flow_promoted'), 1n);
});
