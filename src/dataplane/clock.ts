// The data plane keeps time in jiffies (bpf_jiffies64() is inlined by the verifier; a
// ktime helper is a call on every packet, see docs/benchmarks.md) and turns them into
// CLOCK_MONOTONIC nanoseconds with two numbers the control plane writes into
// lb_globals: ns per jiffy and the monotonic time of jiffy 0. The kernel advances
// jiffies from the same clock, so the two stay within a tick of each other.
import type { BpfProgram } from '../bpf/index.js';

export interface JiffyClock {
  /** ns per jiffy (TICK_NSEC). */
  tickNs: number;
  /** CLOCK_MONOTONIC ns at jiffy 0, modulo 2^64 (jiffies start near 2^32). */
  baseNs: bigint;
}

/** CLOCK_MONOTONIC in ns, the control plane's clock for flow ages. */
export const monotonicNs = (): bigint => process.hrtime.bigint();

const FRAME = new Uint8Array(64);
/** HZ values the kernel can be built with. */
const HZ_CHOICES = [100, 250, 300, 1000];
const U64 = 1n << 64n;

/** jiffies now, from the object's read_clock program (it writes them into the frame). */
export function readJiffies(prog: BpfProgram): bigint {
  const r = prog.testRun({ data: FRAME, dataSizeOut: FRAME.length });
  return Buffer.from(r.data).readBigUInt64LE(0);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The first moment of a new jiffy, and its CLOCK_MONOTONIC time. */
function jiffyEdge(prog: BpfProgram): { j: bigint; t: bigint } {
  const start = readJiffies(prog);
  for (let i = 0; i < 1_000_000; i++) {
    const j = readJiffies(prog);
    if (j !== start) return { j, t: monotonicNs() };
  }
  throw new Error('jiffies do not advance');
}

/** Measures HZ (~60 ms) and where jiffy 0 lies on CLOCK_MONOTONIC. */
export function calibrateJiffies(prog: BpfProgram): JiffyClock {
  const a = jiffyEdge(prog);
  sleepMs(60);
  const b = jiffyEdge(prog);
  const hz = Number(b.j - a.j) * 1e9 / Number(b.t - a.t);
  const HZ = HZ_CHOICES.reduce((best, h) => (Math.abs(h - hz) < Math.abs(best - hz) ? h : best));
  const tickNs = Math.floor((1e9 + HZ / 2) / HZ);
  const baseNs = (((b.t - b.j * BigInt(tickNs)) % U64) + U64) % U64;
  return { tickNs, baseNs };
}
