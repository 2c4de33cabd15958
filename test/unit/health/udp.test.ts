import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUdp } from '../../../src/health/udp.js';
import { closedUdpPort, SHORT, TIMEOUT, udpServer } from './servers.js';

test('udp: echo server is up', async () => {
  const echo = await udpServer((m, reply) => reply(m));
  try {
    const r = await checkUdp({ address: '127.0.0.1', port: echo.port }, { type: 'udp', payload: 'ping\\n' }, TIMEOUT);
    assert.equal(r.ok, true, r.reason);
    assert.equal(r.reason, 'reply of 5 bytes');
  } finally {
    await echo.close();
  }
});

test('udp: echo over IPv6 loopback is up', async () => {
  const echo = await udpServer((m, reply) => reply(m), 'udp6');
  try {
    const r = await checkUdp({ address: '::1', port: echo.port }, { type: 'udp', payload: 'x' }, TIMEOUT);
    assert.equal(r.ok, true, r.reason);
  } finally {
    await echo.close();
  }
});

test('udp: reply length bounds', async () => {
  const echo = await udpServer((m, reply) => reply(m));
  try {
    const t = { address: '127.0.0.1', port: echo.port };
    const short = await checkUdp(t, { type: 'udp', payload: 'abc', minLength: 4 }, TIMEOUT);
    assert.equal(short.ok, false);
    assert.equal(short.reason, 'reply of 3 bytes, expected at least 4');
    const long = await checkUdp(t, { type: 'udp', payload: 'abcdef', maxLength: 4 }, TIMEOUT);
    assert.equal(long.ok, false);
    assert.equal(long.reason, 'reply of 6 bytes, expected at most 4');
  } finally {
    await echo.close();
  }
});

test('udp: closed port is down with port unreachable', async () => {
  const port = await closedUdpPort();
  const r = await checkUdp({ address: '127.0.0.1', port }, { type: 'udp', payload: 'ping' }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'port unreachable');
});

test('udp: silent server is down with timeout', async () => {
  const silent = await udpServer(() => {});
  try {
    const r = await checkUdp({ address: '127.0.0.1', port: silent.port }, { type: 'udp', payload: 'ping' }, SHORT);
    assert.equal(r.ok, false);
    assert.equal(r.reason, 'timeout (no reply)');
  } finally {
    await silent.close();
  }
});
