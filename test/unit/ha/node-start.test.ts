// HaNode start-up: a peer's heartbeat that arrives while our first health check is
// still running must not reach the role machine before it starts (it threw and
// crashed the daemon when an old primary came back during the HA e2e run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HaNode } from '../../../src/ha/node.js';
import type { HaSpec } from '../../../src/core/model.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const port = 20000 + ((process.pid + 7919) % 40000);
const spec = (me: string, peer: string, priority: number): HaSpec => ({
  enabled: true, localAddress: me, peerAddress: peer, port, keepalive: 0.05, deadtime: 0.3, priority, preempt: false, preemptDelay: 0, key: 'unit', vips: [],
});

test('HaNode: heartbeats arriving during a slow first health check are dropped, not a crash', { timeout: 10_000 }, async () => {
  const active = new HaNode({ spec: spec('127.0.0.1', '127.0.0.3', 200) });
  await active.start();
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onError);
  // The standby's first health check takes 400 ms: about 8 heartbeats arrive meanwhile.
  const standby = new HaNode({ spec: spec('127.0.0.3', '127.0.0.1', 100), health: () => sleep(400).then(() => true) });
  try {
    await standby.start();
    const end = Date.now() + 3000;
    while (standby.role !== 'standby' && Date.now() < end) await sleep(20);
    assert.deepEqual(errors, []);
    assert.equal(active.role, 'active');
    assert.equal(standby.role, 'standby', 'the standby hears the active once started');
  } finally {
    process.off('uncaughtException', onError);
    await standby.stop();
    await active.stop();
  }
});
