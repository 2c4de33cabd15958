// Every checker against real servers in a network namespace, from another one (the
// director's side), over a veth with documentation addresses: each checker's up and
// down cases, among them a server that accepts TCP but answers HTTP 500, one that
// hangs past the timeout, one that answers the wrong string, a closed UDP port and a
// host that does not answer at all. The unit tests (test/unit/health) cover the same
// checkers on loopback in more detail; these show them across a real link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLab } from '../../src/lab/topology.js';
import type { CheckResult } from '../../src/health/types.js';
import { haveCommand } from '../lib/have.js';

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const SRV4 = '198.51.100.2', SRV6 = '2001:db8:1::2', NOBODY = '198.51.100.99';
const TIMEOUT_MS = 500;

const haveOpenssl = () => haveCommand('openssl', ['version']);

/** name -> [target address, port, spec, expected ok, reason pattern] */
type Case = [string, number, Record<string, unknown>, boolean, RegExp];
const CASES: Record<string, Case> = {
  'tcp up': [SRV4, 7001, { type: 'tcp' }, true, /^connected$/],
  'tcp up (IPv6)': [SRV6, 7001, { type: 'tcp' }, true, /^connected$/],
  'tcp down: closed port': [SRV4, 7099, { type: 'tcp' }, false, /^connection refused$/],
  'tcp down: host does not answer': [NOBODY, 7001, { type: 'tcp' }, false, /^timeout$/],
  'tcp: connect_port overrides the real': [SRV4, 7099, { type: 'tcp', port: 7001 }, true, /^connected$/],
  'http up: 200 and body matches': [SRV4, 7002, { type: 'http', path: '/ok', bodyRegex: 'healthy' }, true, /^HTTP 200, body matches$/],
  'http up (IPv6)': [SRV6, 7002, { type: 'http', path: '/ok' }, true, /^HTTP 200$/],
  'http down: accepts TCP, answers 500': [SRV4, 7002, { type: 'http', path: '/broken' }, false, /^HTTP 500$/],
  'http down: 500 (IPv6)': [SRV6, 7002, { type: 'http', path: '/broken' }, false, /^HTTP 500$/],
  'http down: 404 not in the expected codes': [SRV4, 7002, { type: 'http', path: '/missing' }, false, /^HTTP 404$/],
  'http down: body does not match': [SRV4, 7002, { type: 'http', path: '/ok', bodyRegex: '^ready$' }, false, /body does not match/],
  'http down: hangs past the timeout': [SRV4, 7003, { type: 'http', path: '/' }, false, /^timeout$/],
  'http down: closed port': [SRV4, 7099, { type: 'http', path: '/' }, false, /^connection refused$/],
  'send-expect up': [SRV4, 7004, { type: 'send-expect', send: 'PING\\n', expect: 'PONG', useRegex: false }, true, /.+/],
  'send-expect up: regex': [SRV4, 7004, { type: 'send-expect', send: 'PING\\n', expect: '^P.NG', useRegex: true }, true, /.+/],
  'send-expect down: wrong string': [SRV4, 7005, { type: 'send-expect', send: 'PING\\n', expect: 'PONG', useRegex: false }, false, /HELLO/],
  'send-expect down: hangs past the timeout': [SRV4, 7003, { type: 'send-expect', send: 'PING\\n', expect: 'PONG', useRegex: false }, false, /timeout/],
  'send-expect down: closed port': [SRV4, 7099, { type: 'send-expect', send: 'PING\\n', expect: 'PONG', useRegex: false }, false, /connection refused/],
  'udp up: echo': [SRV4, 7007, { type: 'udp', payload: 'ping' }, true, /^reply of 4 bytes$/],
  'udp up: echo (IPv6)': [SRV6, 7007, { type: 'udp', payload: 'ping' }, true, /^reply of 4 bytes$/],
  'udp down: closed port': [SRV4, 7009, { type: 'udp', payload: 'ping' }, false, /^port unreachable$/],
  'udp down: closed port (IPv6)': [SRV6, 7009, { type: 'udp', payload: 'ping' }, false, /^port unreachable$/],
  'udp down: silent server': [SRV4, 7008, { type: 'udp', payload: 'ping' }, false, /^timeout \(no reply\)$/],
  'udp down: reply too short': [SRV4, 7007, { type: 'udp', payload: 'ping', minLength: 10 }, false, /expected at least 10/],
  // exec runs in the checker's namespace: a probe of the real with bash's /dev/tcp.
  'exec up: probe succeeds': [SRV4, 7001, { type: 'exec', command: `bash -c 'exec 3<>/dev/tcp/$0/$1' %h %p` }, true, /exit 0/],
  'exec down: probe fails': [SRV4, 7099, { type: 'exec', command: `bash -c 'exec 3<>/dev/tcp/$0/$1' %h %p` }, false, /exit 1/],
  'exec down: hangs past the timeout': [SRV4, 7001, { type: 'exec', command: 'sleep 30' }, false, /timeout/],
  'agent up: 75%': [SRV4, 0, { type: 'agent', port: 7010 }, true, /agent says "75%"/],
  'agent down: closed port': [SRV4, 0, { type: 'agent', port: 7099 }, false, /connection refused/],
};
const TLS_CASES: Record<string, Case> = {
  'https up: self-signed, not verified': [SRV4, 7006, { type: 'https', path: '/', bodyRegex: 'secure' }, true, /^HTTP 200, body matches$/],
  'https down: verification asked for': [SRV4, 7006, { type: 'https', path: '/', verifyTls: true }, false, /self.signed|SELF_SIGNED/i],
  'https down: plain HTTP server': [SRV4, 7002, { type: 'https', path: '/ok' }, false, /.+/],
};

test('checkers: up and down cases against real servers in another network namespace', { timeout: 60_000 }, async () => {
  const tls = haveOpenssl();
  const certDir = mkdtempSync(join(tmpdir(), 'ipvx-hc-tls-'));
  try {
    if (tls) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=www.example.com'], { stdio: 'ignore' });
    }
    const cases = { ...CASES, ...(tls ? TLS_CASES : {}) };
    await withLab('ipvxchk', async (lab) => {
      const dir = await lab.addHost('dir');
      const srv = await lab.addHost('srv');
      const l = await lab.link(dir, srv);
      await lab.addAddress(dir, l.a.ifname, '198.51.100.1/24');
      await lab.addAddress(dir, l.a.ifname, '2001:db8:1::1/64');
      await lab.addAddress(srv, l.b.ifname, `${SRV4}/24`);
      await lab.addAddress(srv, l.b.ifname, `${SRV6}/64`);
      await lab.node(srv, js('./fixtures/check-servers.js'), tls ? ['--cert', join(certDir, 'cert.pem'), '--key', join(certDir, 'key.pem')] : [], { ready: 'ready' });
      const items = Object.entries(cases).map(([name, [address, port, spec]]) => ({ name, target: { address, port }, spec, timeoutMs: TIMEOUT_MS }));
      const out = await lab.runNode(dir, js('./fixtures/run-checks.js'), [JSON.stringify(items)]);
      const results = JSON.parse(out) as Record<string, CheckResult>;
      const wrong: string[] = [];
      for (const [name, [, , , ok, reason]] of Object.entries(cases)) {
        const r = results[name];
        if (!r || r.ok !== ok || !reason.test(r.reason)) wrong.push(`${name}: expected ${ok ? 'up' : 'down'} ${reason}, got ${JSON.stringify(r)}`);
      }
      assert.deepEqual(wrong, []);
      assert.equal(results['agent up: 75%']!.weightPercent, 75);
      // Hung servers are given up on at the timeout, not later: the check's latency says so.
      for (const name of ['http down: hangs past the timeout', 'send-expect down: hangs past the timeout']) {
        assert.ok(results[name]!.latencyMs >= TIMEOUT_MS * 0.9, `${name}: waited for the timeout (${results[name]!.latencyMs} ms)`);
      }
    });
  } finally {
    rmSync(certDir, { recursive: true, force: true });
  }
});
