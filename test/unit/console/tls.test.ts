// The console under TLS (certificates made by openssl in a temp dir): the session cookie
// is Secure and HSTS is sent; and the listen rule as `ipvx console` applies it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleHarness, PASSWORD } from './harness.js';
import { IPVX_BIN } from '../../../src/lab/classic.js';

function post(port: number, ca: Buffer, path: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('under TLS the session cookie is Secure and HSTS is sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-console-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const h = await consoleHarness({ tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    try {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (h.app.server.address() as { port: number }).port;
      const r = await post(port, cert, '/api/login', { user: 'admin', password: PASSWORD });
      assert.equal(r.status, 200);
      const cookie = String(r.headers['set-cookie']);
      assert.match(cookie, /ipvx_session=.*; Secure/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
    } finally { await h.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ipvx console refuses plain HTTP off loopback, and a bad address, before anything else', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [IPVX_BIN, 'console', ...args], { encoding: 'utf8' });
  const off = run('--listen', '192.0.2.1:3636', '--passwd-file', '/nonexistent');
  assert.equal(off.status, 2);
  assert.match(off.stderr, /refusing plaintext HTTP on 192\.0\.2\.1:3636: passwords and session cookies would cross the network in clear\. Give --tls-cert and --tls-key, or --insecure/);
  const bad = run('--listen', 'localhost');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--listen localhost: expected ADDRESS:PORT/);
  const nopw = run('--listen', '127.0.0.1:0', '--passwd-file', '/nonexistent/passwd');
  assert.equal(nopw.status, 2);
  assert.match(nopw.stderr, /no console password file at \/nonexistent\/passwd; set a password with: ipvx console passwd --passwd-file \/nonexistent\/passwd/);
});
