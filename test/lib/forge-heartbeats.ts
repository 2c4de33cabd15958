// An intruder on the directors' segment: heartbeats with the right format and a guessed
// key, sent from a spoofed director address. Directors must reject (and count) them.
import type { Lab, Host } from '../../src/lab/topology.js';

const WIRE = new URL('../../src/ha/wire.js', import.meta.url).href;

export interface Forgery {
  /** The address the datagrams claim to come from (added to `dev` for the run). */
  spoof: string;
  /** The director they are sent to. */
  target: string;
  /** The intruder's interface on the segment. */
  dev: string;
  /** The role the forged heartbeats claim (default active, priority 255). */
  role?: string;
  /** The target's MAC, pinned so no ARP from the spoofed address is needed. */
  targetMac?: string;
}

export async function forgeHeartbeats(lab: Lab, intruder: Host, f: Forgery): Promise<void> {
  await lab.ip(intruder, ['addr', 'add', `${f.spoof}/32`, 'dev', f.dev]);
  if (f.targetMac) await lab.ip(intruder, ['neigh', 'replace', f.target, 'lladdr', f.targetMac, 'dev', f.dev, 'nud', 'permanent']);
  const code = `
    const { encode } = await import(${JSON.stringify(WIRE)});
    const dgram = await import('node:dgram');
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(539, ${JSON.stringify(f.spoof)}, r));
    const id = new Uint8Array(16); id.set(${JSON.stringify(f.spoof)}.split('.').map(Number));
    for (let i = 1; i <= 40; i++) {
      const m = encode({ role: ${JSON.stringify(f.role ?? 'active')}, priority: 255, preempt: true, senderId: id, bootId: 42n, seq: BigInt(i), timestamp: Date.now() }, 'guessed key');
      await new Promise((r) => s.send(m, 539, ${JSON.stringify(f.target)}, r));
      await new Promise((r) => setTimeout(r, 25));
    }
    s.close();`;
  try {
    await lab.exec(intruder, process.execPath, ['--input-type=module', '-e', code]);
  } finally {
    await lab.ip(intruder, ['addr', 'del', `${f.spoof}/32`, 'dev', f.dev]);
  }
}
