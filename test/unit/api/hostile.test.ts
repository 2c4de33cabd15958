// Requests an attacker or a careless client sends: empty messages, huge values, thousands
// of problems at once. Each is refused with INVALID_ARGUMENT naming the field, in a bounded
// message, and the daemon keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { harness, rejection } from './harness.js';
import { MAX_STATUS_DETAILS } from '../../../src/api/server.js';
import { formatErrors, clipText, MAX_LISTED_ERRORS } from '../../../src/core/result.js';

const { INVALID_ARGUMENT } = grpc.status;

test('an empty service or real in ApplyConfig is INVALID_ARGUMENT naming the field (was INTERNAL "Cannot set properties of undefined")', async () => {
  const h = await harness();
  try {
    const svc = await rejection(h.client.applyConfig({ services: [{}] }));
    assert.equal(svc.code, INVALID_ARGUMENT, svc.message);
    assert.match(svc.message, /^state\.services\[0\]\.vip: /);
    const real = await rejection(h.client.applyConfig({ services: [{ vip: '203.0.113.1', port: 80, reals: [{ address: '192.0.2.1' }, {}] }] }));
    assert.equal(real.code, INVALID_ARGUMENT, real.message);
    assert.match(real.message, /^state\.services\[0\]\.reals\[1\]\.address: /);
    const added = await rejection(h.client.addService({ vip: '203.0.113.1', port: 80, reals: [{}] }));
    assert.equal(added.code, INVALID_ARGUMENT, added.message);
    assert.match(added.message, /^service\.reals\[0\]\.address: /);
    const flag = await rejection(h.client.applyConfig({ services: [{ vip: '203.0.113.1', port: 80, scheduler: 'sh', flags: [''] }] }));
    assert.equal(flag.code, INVALID_ARGUMENT, flag.message);
    assert.match(flag.message, /^state\.services\[0\]\.flags\[0\]: '' is not a scheduler flag/);
    assert.equal((await h.client.getConfig()).services.length, 0, 'nothing applied');
  } finally { await h.close(); }
});

test('a long VIP is not echoed back whole: the message keeps the field, the start, the reason; a 10 KB one is refused before decoding', async () => {
  const h = await harness();
  try {
    const r = await rejection(h.client.addService({ vip: `203.0.113.1${'x'.repeat(4000)}`, port: 80 }));
    assert.equal(r.code, INVALID_ARGUMENT);
    assert.ok(r.message.length < 400, `${r.message.length} characters`);
    assert.match(r.message, /^service\.vip: '203\.0\.113\.1x+…\[\d+ characters\]…x+' is not an IPv4 or IPv6 address$/);
    const big = await rejection(h.client.addService({ vip: `203.0.113.1${'x'.repeat(10_000)}`, port: 80 }));
    assert.deepEqual(big, { code: INVALID_ARGUMENT, message: 'service.vip: 10011 bytes; at most 4096 (refused before decoding)' });
  } finally { await h.close(); }
});

test('4,000 duplicate reals: the first problems and a count, and the client gets the answer (it hung on ~120 KB)', async () => {
  const h = await harness();
  try {
    const reals = Array.from({ length: 4000 }, () => ({ address: '192.0.2.1' }));
    const r = await rejection(h.client.applyConfig({ services: [{ vip: '203.0.113.1', port: 80, reals }] }));
    assert.equal(r.code, INVALID_ARGUMENT, r.message.slice(0, 200));
    assert.ok(r.message.length <= MAX_STATUS_DETAILS, `${r.message.length} characters`);
    assert.match(r.message, /^state\.services\[0\]\.reals\[1\]: Destination already exists/);
    assert.match(r.message, /; and 3989 more problems \(3999 in all\)$/);
    assert.equal(r.message.split('Destination already exists').length - 1, MAX_LISTED_ERRORS);
    // Still serving.
    assert.equal((await h.client.getStatus()).services, 0);
  } finally { await h.close(); }
});

test('formatErrors: at most MAX_LISTED_ERRORS listed, each clipped; clipText keeps both ends', () => {
  const errs = Array.from({ length: 25 }, (_, i) => ({ field: `f${i}`, message: 'm'.repeat(1000) }));
  const s = formatErrors(errs);
  assert.equal(s.split('; f').length, MAX_LISTED_ERRORS);
  assert.match(s, /; and 15 more problems \(25 in all\)$/);
  assert.ok(s.length < MAX_LISTED_ERRORS * 300);
  assert.equal(formatErrors(errs.slice(0, 11)).endsWith('; and 1 more problem (11 in all)'), true);
  assert.equal(clipText('short'), 'short');
  const c = clipText(`HEAD${'.'.repeat(5000)}TAIL`, 100);
  assert.match(c, /^HEAD\.+…\[4908 characters\]…\.+TAIL$/);
});
