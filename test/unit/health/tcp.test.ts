import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTcp } from '../../../src/health/tcp.js';
import { closedTcpPort, tcpServer, TIMEOUT } from './servers.js';

test('tcp: open port is up', async () => {
  const srv = await tcpServer((s) => s.end());
  try {
    const r = await checkTcp({ address: '127.0.0.1', port: srv.port }, { type: 'tcp' }, TIMEOUT);
    assert.equal(r.ok, true);
    assert.equal(r.reason, 'connected');
    assert.ok(r.latencyMs >= 0);
  } finally {
    await srv.close();
  }
});

test('tcp: closed port is down with connection refused', async () => {
  const port = await closedTcpPort();
  const r = await checkTcp({ address: '127.0.0.1', port }, { type: 'tcp' }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'connection refused');
});

test('tcp: spec port and address override the real (connect_port)', async () => {
  const srv = await tcpServer((s) => s.end(), '::1');
  const closed = await closedTcpPort();
  try {
    const r = await checkTcp({ address: '127.0.0.1', port: closed }, { type: 'tcp', address: '::1', port: srv.port }, TIMEOUT);
    assert.equal(r.ok, true);
  } finally {
    await srv.close();
  }
});

test('tcp: an already aborted signal ends the check as aborted', async () => {
  const srv = await tcpServer(() => {});
  try {
    const ac = new AbortController();
    ac.abort();
    const r = await checkTcp({ address: '127.0.0.1', port: srv.port }, { type: 'tcp' }, TIMEOUT, ac.signal);
    assert.equal(r.ok, false);
    assert.equal(r.reason, 'aborted');
  } finally {
    await srv.close();
  }
});
