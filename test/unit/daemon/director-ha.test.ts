// DirectorHa (the daemon's HA bound to a data plane) with two memory data planes on
// loopback: the active's flow table reaches the standby through the diff sync
// (new entries and deletions), and a data plane that reports a problem is a fault,
// which hands the active role to the peer at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { DirectorHa } from '../../../src/daemon/ha.js';
import type { HaSpec } from '../../../src/core/model.js';
import { portableFlowKey, portableFlowVal } from '../../../src/dataplane/portable.js';
import { untilWith } from '../../lib/wait.js';

const until = untilWith({ timeoutMs: 5000, everyMs: 20 });

const port = 20000 + (process.pid % 40000);
const spec = (me: string, peer: string, priority: number): HaSpec => ({
  enabled: true, localAddress: me, peerAddress: peer, port, keepalive: 0.1, deadtime: 0.4, priority, preempt: true, preemptDelay: 0, key: 'unit', vips: [],
});

function entry(i: number) {
  const src = new Uint8Array(16); src.set([198, 51, 100, i]);
  const dst = new Uint8Array(16); dst.set([203, 0, 113, 10]);
  const real = new Uint8Array(16); real.set([192, 0, 2, 11]);
  return {
    kind: 'flow' as const,
    key: portableFlowKey.encode({ src, dst, sport: 40000 + i, dport: 80, proto: 6, family: 4 }),
    value: portableFlowVal.encode({ real, rport: 80, svcPort: 80, state: 2, flags: 0, ageMs: 10, clientMac: new Uint8Array(6), ifname: new Uint8Array(16) }),
  };
}

test('DirectorHa: the active streams its flow table to the standby; a data plane problem is a fault', { timeout: 20_000 }, async () => {
  const dpX = new MemoryDataplane(), dpY = new MemoryDataplane();
  const x = new DirectorHa(spec('127.0.0.1', '127.0.0.2', 150), dpX, { syncIntervalMs: 50 });
  const y = new DirectorHa(spec('127.0.0.2', '127.0.0.1', 100), dpY, { syncIntervalMs: 50 });
  const roles: string[] = [];
  y.on('role', (e: { role: string; reason: string }) => roles.push(`y:${e.role}`));
  await x.start();
  await y.start();
  try {
    await until('x active', () => x.status().role === 'active' && y.status().role === 'standby');
    for (const i of [1, 2, 3]) { const e = entry(i); dpX.syncTable.set(`flow:${Buffer.from(e.key).toString('hex')}`, e); }
    await until('3 flows on y', () => dpY.syncTable.size === 3);
    dpX.syncTable.delete([...dpX.syncTable.keys()][0]!);
    await until('the ended flow is gone on y', () => dpY.syncTable.size === 2);
    // Status comes from the HA thread every 100 ms.
    await until('x counts 4 entries sent', () => Number(x.status().sync.sender?.entries) >= 4);

    dpX.fakeProblem = 'the XDP program is not attached to eth0';
    await until('x in fault, y active', () => x.status().role === 'fault' && y.status().role === 'active', 3000);
    assert.ok(roles.includes('y:active'));
    dpX.fakeProblem = undefined;
    // Recovered, higher priority, preempt: x takes over again; y keeps its flows for the next time.
    await until('x active again', () => x.status().role === 'active' && y.status().role === 'standby', 5000);
    assert.equal(dpY.syncTable.size, 2);
  } finally {
    await x.stop();
    await y.stop();
  }
});
