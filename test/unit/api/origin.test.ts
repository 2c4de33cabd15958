// Who made a change: the client's ipvx-origin metadata (bounded, printable) and its
// connection, in the config event of Watch and in the daemon's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { harness } from './harness.js';
import { originOf } from '../../../src/api/server.js';
import { logger } from '../../../src/common/log.js';
import type { Event } from '../../../src/api/client.js';

const SVC = { vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'rr', reals: [{ address: '198.51.100.1', weight: 1 }] };

// As received: grpc-js's own client would refuse control characters, a hostile one need not.
const md = (origin?: string): Pick<grpc.Metadata, 'get'> => ({ get: (k: string) => (k === 'ipvx-origin' && origin !== undefined ? [origin] : []) });

test('originOf: what the client says, sanitized and bounded, and the connection it cannot choose', () => {
  assert.equal(originOf({ metadata: md('console user admin from 192.0.2.7'), getPeer: () => 'unix:/run/ipvx/1.sock' }),
    'console user admin from 192.0.2.7 (via local socket)');
  assert.equal(originOf({ metadata: md(), getPeer: () => 'ipv4:192.0.2.9:40000' }), 'via ipv4:192.0.2.9:40000');
  const forged = originOf({ metadata: md('admin\u001b[2J\nfake log line'), getPeer: () => '' });
  assert.equal(forged, 'admin?[2J?fake log line (via local socket)', 'control characters and newlines cannot forge log lines');
  assert.ok(originOf({ metadata: md('x'.repeat(10_000)), getPeer: () => '' }).length < 250, 'bounded');
});

test('a change made with an origin carries it in the config event and the log; one without says its connection', async () => {
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const h = await harness({ log: logger((_level, msg, fields) => { logs.push({ msg, ...(fields ? { fields } : {}) }); }) });
  const events: Event[] = [];
  const w = h.client.watch();
  const reading = (async () => { try { for await (const e of w.events) events.push(e); } catch { /* cancelled */ } })();
  try {
    await w.subscribed;
    await h.client.applyConfig({ services: [SVC] }, false, undefined, { origin: 'console user admin from 192.0.2.7' });
    await h.client.addReal({ vip: SVC.vip, port: 80, protocol: 'tcp' }, { address: '198.51.100.2', weight: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const config = events.filter((e) => e.kind === 'config');
    assert.equal(config.length, 2);
    assert.equal(config[0]!.origin, 'console user admin from 192.0.2.7 (via local socket)');
    assert.equal(config[1]!.origin, 'via local socket');
    const logged = logs.filter((l) => l.msg === 'configuration changed');
    assert.equal(logged[0]!.fields!.origin, 'console user admin from 192.0.2.7 (via local socket)');
    assert.deepEqual(logged[0]!.fields!.summary, ['+ service tcp 203.0.113.10:80 rr', '+ real tcp 203.0.113.10:80 -> 198.51.100.1:80 dr weight 1']);
  } finally {
    w.cancel();
    await reading;
    await h.close();
  }
});
