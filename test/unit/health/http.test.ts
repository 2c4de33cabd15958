import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHttp } from '../../../src/health/http.js';
import { parseStatusCodes, statusMatches } from '../../../src/health/status-codes.js';
import { httpServer, listen, SHORT, TIMEOUT, type Running } from './servers.js';
import { haveCommand } from '../../lib/have.js';

let srv: Running;
let seenHost = '';
before(async () => {
  srv = await httpServer((req, res) => {
    seenHost = req.headers.host ?? '';
    if (req.url === '/ok') res.end('hello world: service healthy');
    else if (req.url === '/broken') {
      res.statusCode = 500;
      res.end('oops');
    } else if (req.url === '/moved') {
      res.statusCode = 301;
      res.setHeader('Location', '/ok');
      res.end();
    } else if (req.url === '/hang') {
      // accepts and never answers
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
});
after(() => srv.close());

const t = () => ({ address: '127.0.0.1', port: srv.port });

test('http: 200 is up and the Host header is the virtual host', async () => {
  const r = await checkHttp(t(), { type: 'http', path: '/ok', host: 'www.example.com' }, TIMEOUT);
  assert.equal(r.ok, true);
  assert.equal(r.reason, 'HTTP 200');
  assert.equal(seenHost, 'www.example.com');
});

test('http: without a host the Host header is address:port', async () => {
  await checkHttp(t(), { type: 'http', path: '/ok' }, TIMEOUT);
  assert.equal(seenHost, `127.0.0.1:${srv.port}`);
});

test('http: 500 is down with reason "HTTP 500"', async () => {
  const r = await checkHttp(t(), { type: 'http', path: '/broken' }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'HTTP 500');
});

test('http: expected codes "200-299,301" accept a 301, default does not', async () => {
  const r1 = await checkHttp(t(), { type: 'http', path: '/moved', statusCodes: '200-299,301' }, TIMEOUT);
  assert.equal(r1.ok, true);
  const r2 = await checkHttp(t(), { type: 'http', path: '/moved' }, TIMEOUT);
  assert.equal(r2.ok, false);
  assert.equal(r2.reason, 'HTTP 301');
});

test('http: body regex matches = up, wrong regex = down', async () => {
  const good = await checkHttp(t(), { type: 'http', path: '/ok', bodyRegex: 'service\\s+healthy' }, TIMEOUT);
  assert.equal(good.ok, true);
  const bad = await checkHttp(t(), { type: 'http', path: '/ok', bodyRegex: '^degraded' }, TIMEOUT);
  assert.equal(bad.ok, false);
  assert.match(bad.reason, /body does not match/);
});

test('http: a server that accepts but hangs is down with reason timeout', async () => {
  const r = await checkHttp(t(), { type: 'http', path: '/hang' }, SHORT);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'timeout');
});

test('http: invalid statusCodes is down and names the field', async () => {
  const r = await checkHttp(t(), { type: 'http', path: '/ok', statusCodes: '2xx' }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.match(r.reason, /^statusCodes: "2xx"/);
});

test('http: works over IPv6 loopback', async () => {
  const s6 = await httpServer((_q, res) => res.end('ok'), '::1');
  try {
    const r = await checkHttp({ address: '::1', port: s6.port }, { type: 'http', path: '/' }, TIMEOUT);
    assert.equal(r.ok, true);
  } finally {
    await s6.close();
  }
});

test('status codes: parse and match', () => {
  const r = parseStatusCodes('200-299, 301');
  assert.ok(r.ok);
  assert.deepEqual(r.value, [[200, 299], [301, 301]]);
  assert.equal(statusMatches(204, r.value), true);
  assert.equal(statusMatches(302, r.value), false);
  const d = parseStatusCodes(undefined);
  assert.ok(d.ok);
  assert.deepEqual(d.value, [[200, 299]]);
  assert.equal(parseStatusCodes('299-200').ok, false);
});

const haveOpenssl = () => haveCommand('openssl', ['version']);

test('https: self-signed cert is up without verification, down with it', { skip: !haveOpenssl() && 'openssl not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-health-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=www.example.com'],
      { stdio: 'ignore' },
    );
    const server = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_q, res) => res.end('secure'));
    const s = await listen(server);
    try {
      const target = { address: '127.0.0.1', port: s.port };
      const off = await checkHttp(target, { type: 'https', path: '/', host: 'www.example.com', bodyRegex: 'secure' }, TIMEOUT);
      assert.equal(off.ok, true, off.reason);
      const on = await checkHttp(target, { type: 'https', path: '/', host: 'www.example.com', verifyTls: true }, TIMEOUT);
      assert.equal(on.ok, false);
      assert.match(on.reason, /self.signed|SELF_SIGNED/i);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
