// Run one HaNode on its own (e2e tests, trying HA out without the daemon):
//   node build/js/src/ha/standalone.js '<HaSpec as JSON>' [--announce-count N] [--sync-flows N]
// Prints JSON lines: {"event":"ready"}, {"event":"role",...}, {"event":"warn",...}, and
// {"event":"status",...} on SIGUSR2. SIGTERM/SIGINT: orderly stop (VIPs released, the
// peer told), then exit 0.
//
// --sync-flows N keeps an in-memory flow table instead of XDP maps: the node seeds N
// flows the first time it becomes active and streams them; a standby installs what it
// receives. The table's size is in the status line, so a test can see sync work.
import type { HaSpec } from '../core/model.js';
import { flowKey, FLOW, IPPROTO } from '../dataplane/codec.js';
import { HaNode } from './node.js';
import type { SyncEntry } from './sync.js';
import { portableFlowVal } from '../dataplane/portable.js';
import { hex } from './wire.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const out = (o: Record<string, unknown>) =>
  process.stdout.write(JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');

const spec = JSON.parse(process.argv[2] ?? '') as HaSpec;
const announceCount = arg('--announce-count');
const syncFlows = Number(arg('--sync-flows') ?? 0);

const table = new Map<string, SyncEntry>();
let seeded = false;
function seed(): void {
  if (seeded || table.size > 0) return;
  seeded = true;
  for (let i = 0; i < syncFlows; i++) {
    const src = new Uint8Array(16);
    src.set([198, 51, 100, 1 + (i % 250)]);
    const dst = new Uint8Array(16);
    dst.set([203, 0, 113, 10]);
    const key = flowKey.encode({ src, dst, sport: 10000 + i, dport: 80, proto: IPPROTO.tcp, family: 4 });
    const real = new Uint8Array(16); real.set([192, 0, 2, 100 + (i % 4)]);
    const value = portableFlowVal.encode({ real, rport: 80, svcPort: 80, state: FLOW.est, flags: 0, ageMs: i, clientMac: new Uint8Array(6), ifname: new Uint8Array(16) });
    table.set(hex(key), { kind: 'flow', op: 'upsert', key, value });
  }
}

const node = new HaNode({
  spec,
  ...(announceCount ? { announce: { count: Number(announceCount), delayMs: 0 } } : {}),
  ...(syncFlows > 0 ? {
    sync: {
      snapshot: () => table.values(),
      install: (e: SyncEntry) => { table.set(hex(e.key), e); },
      remove: (e: SyncEntry) => { table.delete(hex(e.key)); },
      fullResyncMs: 1000,
    },
  } : {}),
});
node.on('role', (ev) => {
  if (ev.role === 'active' && syncFlows > 0) seed();
  out({ event: 'role', ...ev });
});
node.on('warn', (m: string) => out({ event: 'warn', message: m }));

process.on('SIGUSR2', () => out({ event: 'status', ...node.status(), table: table.size }));
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void node.stop().then(() => process.exit(0));
  });
}

await node.start();
out({ event: 'ready', role: node.role });
