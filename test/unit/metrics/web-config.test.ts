// The metrics listener: a warning when it is open off loopback, and TLS with basic
// authentication from an exporter-toolkit web config file (bcrypt hashes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Registry } from 'prom-client';
import { serveMetrics, type Metrics } from '../../../src/metrics/exporter.js';
import { loadWebConfig, BasicAuth } from '../../../src/metrics/web-config.js';
import { logger } from '../../../src/common/log.js';

const fakeMetrics = (): Metrics => {
  const registry = new Registry();
  return { registry, refresh: async () => undefined };
};

function certs(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ipvx metrics test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=server');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
}

function get(port: number, opts: { tls?: { ca: Buffer }; auth?: string }): Promise<{ status: number; body: string; challenge?: string }> {
  return new Promise((resolve, reject) => {
    const headers = opts.auth ? { authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` } : undefined;
    const done = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['www-authenticate'] ? { challenge: String(res.headers['www-authenticate']) } : {}) }));
    };
    const req = opts.tls
      ? httpsRequest({ host: '127.0.0.1', port, path: '/metrics', ca: opts.tls.ca, ...(headers ? { headers } : {}) }, done)
      : httpRequest({ host: '127.0.0.1', port, path: '/metrics', ...(headers ? { headers } : {}) }, done);
    req.on('error', reject).end();
  });
}

test('metrics off loopback without authentication: a warning (they were served to anyone without a word); on loopback none', async () => {
  const warnings: string[] = [];
  const log = logger((level, msg) => { if (level === 'warn') warnings.push(msg); });
  const open = await serveMetrics(fakeMetrics(), '0.0.0.0:0', { log });
  open.close();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /metrics are served to anyone who can reach them .*--metrics-web-config/);
  const local = await serveMetrics(fakeMetrics(), '127.0.0.1:0', { log });
  local.close();
  assert.equal(warnings.length, 1);
  const users = new Map([['prom', bcrypt.hashSync('secret', 4)]]);
  const authed = await serveMetrics(fakeMetrics(), '0.0.0.0:0', { log, web: { users } });
  authed.close();
  assert.equal(warnings.length, 1, 'with basic auth: no warning');
});

test('--metrics-web-config: TLS and bcrypt basic auth as Prometheus exporters take them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-metrics-'));
  try {
    certs(dir);
    const hash = bcrypt.hashSync('s3cret', 8);
    writeFileSync(join(dir, 'web.yml'), `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\n`);
    const web = loadWebConfig(join(dir, 'web.yml'));
    const srv = await serveMetrics(fakeMetrics(), '127.0.0.1:0', { web });
    const port = (srv.address() as AddressInfo).port;
    try {
      const ca = execFileSync('cat', [join(dir, 'ca.pem')]);
      const ok = await get(port, { tls: { ca }, auth: 'prometheus:s3cret' });
      assert.equal(ok.status, 200);
      const wrong = await get(port, { tls: { ca }, auth: 'prometheus:guess' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.challenge, 'Basic realm="ipvx metrics"');
      assert.equal((await get(port, { tls: { ca }, auth: 'nobody:s3cret' })).status, 401);
      assert.equal((await get(port, { tls: { ca } })).status, 401);
      await assert.rejects(get(port, {}), 'plaintext HTTP to the TLS port fails');
    } finally { srv.close(); }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadWebConfig refuses what it does not implement, by name, and bad hashes; BasicAuth caches a comparison', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-metrics-'));
  try {
    const cfg = (text: string) => { writeFileSync(join(dir, 'w.yml'), text); return () => loadWebConfig(join(dir, 'w.yml')); };
    assert.throws(cfg('http_server_config:\n  http2: false\n'), /w\.yml: http_server_config: not supported by ipvx/);
    assert.throws(cfg('tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n'), /tls_server_config\.cipher_suites: not supported by ipvx/);
    assert.throws(cfg('basic_auth_users:\n  alice: plaintext\n'), /basic_auth_users\.alice: not a bcrypt hash/);
    assert.throws(cfg('tls_server_config:\n  cert_file: missing.pem\n  key_file: b\n'), /tls_server_config\.cert_file: ENOENT/);
    assert.throws(cfg('tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n'), /needs client_ca_file/);
    assert.throws(cfg('tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS9\n'), /min_version: 'TLS9' is not one of/);
    assert.deepEqual(cfg('')(), {});
    const auth = new BasicAuth(new Map([['u', bcrypt.hashSync('p', 4)]]));
    const header = `Basic ${Buffer.from('u:p').toString('base64')}`;
    assert.equal(await auth.check(header), true);
    assert.equal(await auth.check(header), true);
    assert.equal(await auth.check(`Basic ${Buffer.from('u:x').toString('base64')}`), false);
    assert.equal(await auth.check('Bearer abc'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
