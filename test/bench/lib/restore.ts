// Shared by pkt.ts and paths.ts: the lab's MAC addresses, and the restore harness
// (bench_restore.bpf.o) that puts the original frame back before every repetition and
// tail-calls the program under test, so programs that rewrite their input (encapsulate,
// NAT) can be timed with BPF_PROG_TEST_RUN's repeat.
import { BpfObject, BpfProgram } from '../../../src/bpf/index.js';

export const CLIENT_MAC = '02:00:00:00:0c:01';
export const DIR_MAC = '02:00:00:00:0d:01';
export const REAL_MAC = '02:00:00:00:0a:01';

export type Family = 4 | 6;
export interface Timed { ns: number; action: number }

/**
 * Where the harness varies the frame per repetition: the TCP/UDP source port, the last
 * source address byte, and for IPv4 the identification's low byte (moved the other way,
 * so the header checksum the director verifies stays right). Frames without a VLAN tag
 * or IPv4 options.
 */
export const varyOffsets = (f: Family) => (f === 4 ? { sport: 34, saddr: 14 + 15, id: 14 + 5 } : { sport: 54, saddr: 14 + 8 + 15, id: 0 });

/** The frame as the harness varies it: source address's last byte 0, IPv4 id low byte 0xff, header checksum redone. */
function varyTemplate(frame: Uint8Array, f: Family): Uint8Array {
  const t = Uint8Array.from(frame);
  const o = varyOffsets(f);
  t[o.saddr] = 0;
  if (f === 4) {
    t[o.id] = 0xff;
    t[24] = 0; t[25] = 0;
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += (t[i]! << 8) | t[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    t[24] = c >> 8; t[25] = c & 0xff;
  }
  return t;
}

export class RestoreHarness {
  readonly obj: BpfObject;

  constructor(path = 'build/bpf/bench_restore.bpf.o') {
    this.obj = BpfObject.open(path);
    this.obj.load();
  }

  /** ns/packet of `p` behind the restore harness (harness cost included); `vary` changes the flow per repetition. */
  run(p: BpfProgram, frame: Uint8Array, vary: boolean, f: Family, repeat: number): Timed {
    const v = new Uint8Array(20 + 256);
    const dv = new DataView(v.buffer);
    const o = varyOffsets(f);
    if (vary) frame = varyTemplate(frame, f);
    dv.setUint32(0, frame.length, true);
    dv.setUint32(4, vary ? 1 : 0, true);
    dv.setUint32(8, o.sport, true);
    dv.setUint32(12, o.saddr, true);
    dv.setUint32(16, o.id, true);
    v.set(frame, 20);
    const zero = new Uint8Array(4);
    this.obj.map('frame').update(zero, v);
    const fd = new Uint8Array(4);
    new DataView(fd.buffer).setUint32(0, p.fd, true);
    this.obj.map('target').update(zero, fd);
    const r = this.obj.program('restore_and_call').testRun({ data: frame, repeat, dataSizeOut: frame.length + 256 });
    return { ns: r.durationNs, action: r.retval };
  }

  close(): void {
    this.obj.close();
  }
}

/**
 * The mean of `calls` single-repetition test runs (kernel-reported durations summed):
 * each figure then also carries the test run's fixed cost; the action is the last run's.
 */
export function meanOfCalls(calls: number, one: () => Timed): Timed {
  let sum = 0, action = 0;
  for (let i = 0; i < calls; i++) {
    const r = one();
    sum += r.ns;
    action = r.action;
  }
  return { ns: sum / calls, action };
}

/**
 * The restore harness's own cost for `frame`, measured now (harness + MAC swap minus the
 * MAC swap alone): without and with a new 5-tuple per repetition. Subtract it from what
 * the harness reports for a program.
 */
export function harnessCost(wrap: RestoreHarness, macswap: BpfProgram, frame: Uint8Array, f: Family, repeat: number): { same: number; vary: number } {
  const direct = macswap.testRun({ data: frame, repeat }).durationNs;
  return { same: wrap.run(macswap, frame, false, f, repeat).ns - direct, vary: wrap.run(macswap, frame, true, f, repeat).ns - direct };
}

/** Figures by name, collected round after round. */
export class Samples {
  private readonly m = new Map<string, number[]>();
  push(key: string, v: number): void {
    const l = this.m.get(key);
    if (l) l.push(v); else this.m.set(key, [v]);
  }
  get(key: string): number[] | undefined {
    return this.m.get(key);
  }
}
