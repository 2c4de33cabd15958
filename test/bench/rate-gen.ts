// The generator of the packet-rate benchmark, run inside the generator namespace:
// attaches sink_count to its interface, then sends one round of live frames
// (BPF_F_TEST_XDP_LIVE_FRAMES) with gen_flows and counts what comes back.
// Prints one JSON line: {sent, received, seconds}.
//   node rate-gen.js --ifname eth0 --frame HEX --sport-off 34 --dport 9 --flows N --count N
import { parseArgs } from 'node:util';
import { BpfObject, BPF_F_TEST_XDP_LIVE_FRAMES, xdpMd, attachXdp, detachXdp } from '../../src/bpf/index.js';
import { u32Key, readU64 } from '../../src/dataplane/layout.js';
import { fromHex } from '../lib/packet.js';
import { execFileSync } from 'node:child_process';

const { values: a } = parseArgs({
  options: {
    ifname: { type: 'string' }, frame: { type: 'string' }, 'sport-off': { type: 'string' }, dport: { type: 'string' },
    flows: { type: 'string' }, count: { type: 'string' },
  },
});
const ifindex = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'dev', a.ifname!], { encoding: 'utf8' }))[0]).ifindex as number;
const obj = BpfObject.open(new URL('../../../bpf/bench_traffic.bpf.o', import.meta.url).pathname);
obj.load();
const frame = fromHex(a.frame!);
const cfg = new Uint8Array(16 + 128);
const dv = new DataView(cfg.buffer);
dv.setUint32(12, frame.length, true);
cfg.set(frame, 16);
dv.setUint32(0, Number(a.flows), true);
dv.setUint32(4, Number(a['sport-off']), true);
dv.setUint16(8, Number(a.dport), false); // network order, as the program compares
obj.map('gen_cfg').update(u32Key(0), cfg);
attachXdp(ifindex, obj.program('sink_count').fd, 'native');
const counted = () => obj.map('traffic').lookupPerCpu(u32Key(1)).reduce((s, v) => s + readU64(v), 0n);
try {
  const gen = obj.program('gen_flows');
  const count = Number(a.count);
  const before = counted();
  const t0 = process.hrtime.bigint();
  gen.testRun({ data: frame, repeat: count, flags: BPF_F_TEST_XDP_LIVE_FRAMES, ctxIn: xdpMd(ifindex) });
  const t1 = process.hrtime.bigint();
  // Frames still in flight in the veth rings arrive within microseconds.
  await new Promise((res) => setTimeout(res, 50));
  const got = counted() - before;
  console.log(JSON.stringify({ sent: count, received: Number(got), seconds: Number(t1 - t0) / 1e9 }));
} finally {
  detachXdp(ifindex, 'native');
  obj.close();
}
