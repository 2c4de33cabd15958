// The director program loaded through the real binding, its maps filled by the real
// MapWriter, packets run through BPF_PROG_TEST_RUN. Runs in a network namespace of
// its own (unshare of this thread), so the fallback FIB lookups and the default
// ingress device (lo) are the same on every machine.
import koffi from 'koffi';
import { BpfObject, numPossibleCpus } from '../../src/bpf/index.js';
import { MapWriter, MAP_NAMES, IpvxMaps, MapHandle, NextHopOf } from '../../src/dataplane/writer.js';
import { REASONS, EVENTS, ReasonName, EventName, counters as countersCodec } from '../../src/dataplane/codec.js';
import { calibrateJiffies } from '../../src/dataplane/clock.js';
import { u32Key, readU64 } from '../../src/dataplane/layout.js';
import type { DesiredState } from '../../src/core/model.js';

export const XDP = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
export const XDP_NAME = ['ABORTED', 'DROP', 'PASS', 'TX', 'REDIRECT'];

const CLONE_NEWNET = 0x40000000;
let inFreshNetns = false;

/** Move this (main) thread into a new, empty network namespace: it disappears with the process. */
export function enterFreshNetns(): void {
  if (inFreshNetns) return;
  const libc = koffi.load('libc.so.6');
  const unshare = libc.func('int unshare(int flags)');
  if (unshare(CLONE_NEWNET) !== 0) throw new Error('unshare(CLONE_NEWNET) failed: run the BPF tests as root');
  inFreshNetns = true;
}

export class LbHarness {
  readonly maps: IpvxMaps;
  readonly writer: MapWriter;

  private constructor(readonly obj: BpfObject) {
    // An older build (benchmarks compare builds) may lack a map added since: leave it out.
    const present = new Set(obj.maps());
    this.maps = Object.fromEntries(MAP_NAMES.filter((n) => present.has(n)).map((n) => [n, obj.map(n) as unknown as MapHandle])) as IpvxMaps;
    this.writer = new MapWriter(this.maps, numPossibleCpus());
    // Builds before the jiffies clock (benchmarks of older objects) have no read_clock.
    if (obj.programs().includes('read_clock')) this.writer.clock = calibrateJiffies(obj.program('read_clock'));
    // lo (ifindex 1) is the only device here: the default ingress of test runs and a valid devmap target.
    this.maps.tx_ports.update(u32Key(1), u32Key(1));
  }

  /** IPVX_LB_OBJECT runs the tests against another build (to show a new test fails on the old one). */
  static open(objectPath = process.env.IPVX_LB_OBJECT ?? 'build/bpf/ipvx_lb.bpf.o', setup?: (obj: BpfObject) => void): LbHarness {
    enterFreshNetns();
    const obj = BpfObject.open(objectPath);
    setup?.(obj);
    obj.load();
    return new LbHarness(obj);
  }

  apply(state: DesiredState, nextHop: NextHopOf): void {
    this.writer.apply(state, nextHop);
  }

  run(frame: Uint8Array): { action: number; out: Uint8Array } {
    const r = this.obj.program('balancer_ingress').testRun({ data: frame, dataSizeOut: frame.length + 256 });
    return { action: r.retval, out: r.data };
  }

  /** Empty the flow, embryo, fragment, NAT and persistence tables and zero every real's connection counters. */
  resetFlows(): void {
    for (const m of [this.maps.flows, this.maps.embryos, this.maps.frags, this.maps.nat_rev, this.maps.persist]) {
      if (m) for (const k of [...m.keys()]) m.delete(k);
    }
    for (const [, ids] of this.writer.serviceIds()) {
      for (const rs of ids.reals.values()) this.maps.real_conns.update(u32Key(rs.id), new Uint8Array(8));
    }
  }

  /** An exit reason's or an event's count, summed over CPUs. */
  reason(name: ReasonName | EventName): bigint {
    const exit = (REASONS as readonly string[]).indexOf(name);
    const map = exit >= 0 ? this.maps.reasons : this.maps.events;
    if (!map) return 0n; // a build without the events map
    const i = exit >= 0 ? exit : (EVENTS as readonly string[]).indexOf(name);
    if (i < 0) throw new Error(`no counter ${name}`);
    return map.lookupPerCpu(u32Key(i)).reduce((s, v) => s + readU64(v), 0n);
  }

  /** Every exit reason's count. */
  reasons(): Record<string, bigint> {
    return Object.fromEntries(REASONS.map((n) => [n, this.reason(n)]));
  }

  /** Every event's count. */
  events(): Record<string, bigint> {
    return Object.fromEntries(EVENTS.map((n) => [n, this.reason(n)]));
  }

  serviceCounters(service: string) {
    const ids = this.writer.ids(service);
    if (!ids) throw new Error(`no service ${service}`);
    const sum = (map: MapHandle, id: number) => map.lookupPerCpu(u32Key(id)).map((v) => countersCodec.decode(v))
      .reduce((a, c) => ({
        conns: a.conns + c.conns, pktsIn: a.pktsIn + c.pktsIn, bytesIn: a.bytesIn + c.bytesIn,
        pktsOut: a.pktsOut + c.pktsOut, bytesOut: a.bytesOut + c.bytesOut,
      }));
    return {
      service: sum(this.maps.svc_stats, ids.svcId),
      reals: new Map([...ids.reals].map(([k, id]) => [k, sum(this.maps.real_stats, id)])),
    };
  }

  close(): void {
    this.obj.close();
  }
}
