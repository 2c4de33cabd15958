import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSendExpect } from '../../../src/health/send-expect.js';
import { unescape } from '../../../src/health/escapes.js';
import { splitArgv, substitute } from '../../../src/health/argv.js';
import { SHORT, tcpServer, TIMEOUT, type Running } from './servers.js';

// A tiny line server: answers "+OK ready" to "PING\r\n", "-ERR" to anything else.
let srv: Running;
let received = '';
before(async () => {
  srv = await tcpServer((s) => {
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      if (!buf.includes('\n')) return;
      received = buf;
      s.end(buf === 'PING\r\n' ? '+OK ready\r\n' : '-ERR unknown\r\n');
    });
    s.on('error', () => {});
  });
});
after(() => srv.close());

const t = () => ({ address: '127.0.0.1', port: srv.port });
const spec = (expect: string, useRegex = false, send = 'PING\\r\\n') => ({ type: 'send-expect' as const, send, expect, useRegex });

test('send-expect: escapes are applied to what is sent', async () => {
  const r = await checkSendExpect(t(), spec('+OK'), TIMEOUT);
  assert.equal(r.ok, true, r.reason);
  assert.equal(received, 'PING\r\n');
});

test('send-expect: wrong expected string is down and shows the answer', async () => {
  const r = await checkSendExpect(t(), spec('HTTP'), TIMEOUT);
  assert.equal(r.ok, false);
  assert.match(r.reason, /answer "\+OK ready\\r\\n" does not match "HTTP"/);
});

test('send-expect: regex right and wrong', async () => {
  assert.equal((await checkSendExpect(t(), spec('^\\+OK\\s+\\w+', true), TIMEOUT)).ok, true);
  assert.equal((await checkSendExpect(t(), spec('^-ERR', true), TIMEOUT)).ok, false);
});

test('send-expect: "*" accepts any answer, even an error', async () => {
  const r = await checkSendExpect(t(), spec('*', false, 'HELLO\\n'), TIMEOUT);
  assert.equal(r.ok, true);
});

test('send-expect: "*" with a silent server is down with timeout', async () => {
  const silent = await tcpServer(() => {});
  try {
    const r = await checkSendExpect({ address: '127.0.0.1', port: silent.port }, spec('*'), SHORT);
    assert.equal(r.ok, false);
    assert.equal(r.reason, 'timeout');
  } finally {
    await silent.close();
  }
});

test('send-expect: sendProgram gets %h and %p and its output is matched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-health-prog-'));
  try {
    const prog = join(dir, 'probe.sh');
    writeFileSync(prog, '#!/bin/sh\necho "probed $1 port $2"\n');
    chmodSync(prog, 0o755);
    const base = { type: 'send-expect' as const, send: '', useRegex: true, sendProgram: `${prog} %h %p` };
    const up = await checkSendExpect({ address: '192.0.2.7', port: 8080 }, { ...base, expect: '^probed 192\\.0\\.2\\.7 port 8080$' }, TIMEOUT);
    assert.equal(up.ok, true, up.reason);
    const down = await checkSendExpect({ address: '192.0.2.7', port: 8080 }, { ...base, expect: 'port 9090' }, TIMEOUT);
    assert.equal(down.ok, false);
    assert.match(down.reason, /program answered "probed 192\.0\.2\.7 port 8080"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('escapes and argv', () => {
  assert.equal(unescape('GET / HTTP/1.0\\r\\n\\r\\n'), 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(unescape('a\\\\nb'), 'a\\nb');
  const a = splitArgv(`/bin/check --name "two words" 'x y' a\\ b`);
  assert.ok(a.ok);
  assert.deepEqual(a.value, ['/bin/check', '--name', 'two words', 'x y', 'a b']);
  assert.equal(splitArgv('echo "open').ok, false);
  assert.deepEqual(substitute(['%h:%p', '100%%', '%x'], { address: '2001:db8::1', port: 53 }), ['2001:db8::1:53', '100%', '%x']);
});
