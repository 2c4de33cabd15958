// TCP with mutual TLS on loopback: certificates made by openssl in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness } from './harness.js';
import { startServer } from '../../../src/api/server.js';
import { IpvxClient, DaemonUnavailable } from '../../../src/api/client.js';

function makeCerts(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ipvx test CA');
  const leaf = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  const f = (n: string) => join(dir, n);
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

test('mutual TLS: a client with a certificate of the CA gets in; one without is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-tls-'));
  const h = await harness();
  try {
    const c = makeCerts(dir);
    const s = await startServer({
      controller: h.controller, socketPath: join(dir, 'tls.sock'), tcp: '127.0.0.1:0',
      tls: { cert: c.serverCert, key: c.serverKey, ca: c.ca },
    });
    try {
      const good = new IpvxClient(`127.0.0.1:${s.tcpPort}`, { tls: { ca: c.ca, cert: c.clientCert, key: c.clientKey }, timeoutMs: 10_000 });
      assert.deepEqual((await good.getStatus()).interfaces, ['memory0']);
      good.close();
      const noCert = new IpvxClient(`127.0.0.1:${s.tcpPort}`, { tls: { ca: c.ca }, timeoutMs: 10_000 });
      await assert.rejects(noCert.getStatus(), (e: Error) => e instanceof DaemonUnavailable);
      noCert.close();
      const plain = new IpvxClient(`127.0.0.1:${s.tcpPort}`, { timeoutMs: 10_000 });
      await assert.rejects(plain.getStatus(), (e: Error) => e instanceof DaemonUnavailable);
      plain.close();
    } finally { await s.close(); }
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS without a client CA is refused: a client without a certificate could run every RPC', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-tls-'));
  const h = await harness();
  try {
    const c = makeCerts(dir);
    const tls = { cert: c.serverCert, key: c.serverKey };
    for (const tcp of ['0.0.0.0:0', '127.0.0.1:0', '[::1]:0']) {
      await assert.rejects(startServer({ controller: h.controller, socketPath: join(dir, 'no-ca.sock'), tcp, tls }),
        /refusing TLS on .* without client authentication: .*--tls-ca CA\.pem.*--insecure-no-client-auth/);
    }
    // Opted in loudly: a client without a certificate gets in (what the flag is for).
    const s = await startServer({ controller: h.controller, socketPath: join(dir, 'opt-in.sock'), tcp: '127.0.0.1:0', tls, insecureNoClientAuth: true });
    try {
      const anon = new IpvxClient(`127.0.0.1:${s.tcpPort}`, { tls: { ca: c.ca }, timeoutMs: 10_000 });
      assert.deepEqual((await anon.getStatus()).interfaces, ['memory0']);
      anon.close();
    } finally { await s.close(); }
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
