// The real server's decap program (bpf/ipvx_decap.bpf.c) loaded for BPF_PROG_TEST_RUN, with
// the addresses and GUE ports `ipvx realserver setup` would register, and its counters.
import { BpfObject } from '../../src/bpf/index.js';
import { enterFreshNetns } from './lb-harness.js';
import { ip, ipTo16 } from '../../src/core/addr.js';
import { vipKey } from '../../src/dataplane/codec.js';
import { u32Key, readU64 } from '../../src/dataplane/layout.js';

/** enum decap_reason, in order. */
export const DECAP_REASONS = ['pass', 'decap', 'malformed', 'bad_csum', 'unsupported'] as const;
export type DecapReason = (typeof DECAP_REASONS)[number];

/** Load the object in a fresh network namespace and register `addrs` and `guePorts`. */
export function openDecap(addrs: readonly string[], guePorts: readonly number[]): BpfObject {
  enterFreshNetns();
  const obj = BpfObject.open('build/bpf/ipvx_decap.bpf.o');
  obj.load();
  for (const a of addrs) obj.map('decap_addrs').update(vipKey.encode({ addr: ipTo16(ip(a)), family: ip(a).family }), u32Key(1));
  for (const p of guePorts) {
    const port = new Uint8Array(2);
    new DataView(port.buffer).setUint16(0, p, true); // host order, as the program looks it up
    obj.map('decap_gue_ports').update(port, u32Key(1));
  }
  return obj;
}

/** A reason's count, summed over CPUs. */
export function decapCount(obj: BpfObject, name: DecapReason): bigint {
  return obj.map('decap_stats').lookupPerCpu(u32Key(DECAP_REASONS.indexOf(name))).reduce((s, v) => s + readU64(v), 0n);
}
