// The daemon's HA node runs in a worker thread: while the main thread is busy (a large
// request), heartbeats keep going out on time. And forged sync datagrams sent to an
// active are counted, as on a standby.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { DirectorHa } from '../../../src/daemon/ha.js';
import { HaNode } from '../../../src/ha/node.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import { encodeBatch } from '../../../src/ha/sync.js';
import { HEARTBEAT_MAGIC } from '../../../src/ha/wire.js';
import type { HaSpec } from '../../../src/core/model.js';
import { untilWith } from '../../lib/wait.js';
import { threadNices } from '../../lib/threads.js';

const until = untilWith({ timeoutMs: 5000, everyMs: 20 });
const port = 20000 + ((process.pid + 104_729) % 40000);
const spec = (me: string, peer: string): HaSpec => ({
  enabled: true, localAddress: me, peerAddress: peer, port, keepalive: 0.05, deadtime: 0.3, priority: 100, preempt: false, preemptDelay: 0, key: 'unit', vips: [],
});

/** A socket at the peer's address that keeps the sender timestamp (bytes 40..47) of every heartbeat. */
async function listen(address: string): Promise<{ sock: Socket; stamps: number[] }> {
  const sock = createSocket('udp4');
  const stamps: number[] = [];
  sock.on('message', (m: Buffer) => {
    if (m.length === 80 && m.readUInt32BE(0) === HEARTBEAT_MAGIC) stamps.push(Number(m.readBigUInt64BE(40)));
  });
  await new Promise<void>((r) => sock.bind(port, address, r));
  return { sock, stamps };
}

/** Keep this thread busy for `ms` (what a large request did to the daemon). */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
}

test('DirectorHa: heartbeats keep going out while the main thread is blocked for 1 s', { timeout: 20_000 }, async () => {
  const peer = await listen('127.0.0.2');
  const ha = new DirectorHa(spec('127.0.0.1', '127.0.0.2'), new MemoryDataplane());
  await ha.start();
  try {
    await until('heartbeats arrive', () => peer.stamps.length >= 3);
    const from = Date.now();
    block(1000);
    const to = Date.now();
    // The datagrams waited in the socket's queue; their sender timestamps say when they left.
    await until('the queued heartbeats are read', () => peer.stamps.some((t) => t > to));
    const during = peer.stamps.filter((t) => t >= from && t <= to);
    // Every 50 ms: about 20. In the main thread it was 0 (nothing is sent while it is blocked).
    assert.ok(during.length >= 8, `${during.length} heartbeats were sent during the second the main thread was blocked`);
  } finally {
    await ha.stop();
    peer.sock.close();
  }
});

test('DirectorHa: the HA thread runs at a higher priority than the daemon\'s others (nice -10), so busy cores do not delay heartbeats', { skip: process.getuid?.() !== 0 && 'needs root (CAP_SYS_NICE)' }, async () => {
  const before = threadNices().filter((n) => n === -10).length;
  const ha = new DirectorHa(spec('127.0.0.1', '127.0.0.2'), new MemoryDataplane());
  await ha.start();
  try {
    await until('a thread at nice -10', () => threadNices().filter((n) => n === -10).length === before + 1);
  } finally {
    await ha.stop();
  }
});

test('HaNode: forged sync datagrams sent to the active are counted as rejected (forged)', { timeout: 20_000 }, async () => {
  const node = new HaNode({ spec: spec('127.0.0.1', '127.0.0.2'), sync: { install: () => undefined, remove: () => undefined } });
  const peer = await listen('127.0.0.2');
  await node.start();
  try {
    await until('active (no peer)', () => node.role === 'active');
    const forged = encodeBatch([], { bootId: 7n, seq: 1n, timestamp: Date.now() }, 'guessed key');
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => peer.sock.send(forged, port, '127.0.0.1', () => r()));
    await until('5 forged counted', () => node.status().rejected.forged === 5);
    assert.equal(node.role, 'active');
  } finally {
    await node.stop();
    peer.sock.close();
  }
});

test('DirectorHa: a main thread silent for longer than mainStallMs is a local fault (a hung control plane hands over)', { timeout: 20_000 }, async () => {
  const ha = new DirectorHa(spec('127.0.0.1', '127.0.0.2'), new MemoryDataplane(), { node: { mainStallMs: 300, healthIntervalMs: 100 } });
  const roles: string[] = [];
  ha.on('role', (e: { role: string; reason: string }) => roles.push(`${e.role}: ${e.reason}`));
  await ha.start();
  try {
    await until('active (no peer)', () => ha.status().role === 'active');
    block(1500);
    await until('fault reported', () => roles.some((r) => r.startsWith('fault:')));
    assert.match(roles.find((r) => r.startsWith('fault:'))!, /main thread has not answered for \d/);
    await until('active again once it answers', () => ha.status().role === 'active');
  } finally {
    await ha.stop();
  }
});
