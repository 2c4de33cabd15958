// The floors of the per-packet benchmarks (test/bench/progs/bench_floor.bpf.c): the
// kernel's map primitives alone with ipvx's keys and table size, each followed by a MAC
// swap: the least any balancer with a flow table pays. Shared by pkt.ts and paths.ts.
import { BpfObject } from '../../../src/bpf/index.js';
import { ip } from '../../../src/core/addr.js';
import { svcKey, flowKey, flowVal } from '../../../src/dataplane/codec.js';

/** The floor programs with a flow table of `flows` entries and one service (IPv4 TCP). */
export function openFloor(flows: number, vip: string, port: number): BpfObject {
  const o = BpfObject.open('build/bpf/bench_floor.bpf.o');
  o.setMaxEntries('floor_flows', flows);
  o.load();
  const v16 = new Uint8Array(16); v16.set(ip(vip).bytes);
  o.map('floor_services').update(svcKey.encode({ vip: v16, port, proto: 6, family: 4 }), new Uint8Array(48));
  return o;
}

/** The flow the floor's lookups find (an established IPv4 TCP flow). */
export function addFloorFlow(o: BpfObject, client: string, sport: number, vip: string, dport: number): void {
  const src = new Uint8Array(16); src.set(ip(client).bytes);
  const dst = new Uint8Array(16); dst.set(ip(vip).bytes);
  o.map('floor_flows').update(flowKey.encode({ src, dst, sport, dport, proto: 6, family: 4 }),
    flowVal.encode({ realId: 0, realGen: 0, atime: 0n, svcId: 0, state: 2 }));
}
