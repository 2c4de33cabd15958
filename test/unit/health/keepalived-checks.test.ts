// What keepalived's and nanny's checks do that ipvx's checkers now do too:
// UDP_CHECK without require_reply (check_udp.c: only an ICMP error fails), require_reply
// with bytes (check_udp_reply), url digest and several url blocks (check_http.c), and
// nanny's send without expect (pinger: the string is written, nothing is read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkUdp } from '../../../src/health/udp.js';
import { checkHttp } from '../../../src/health/http.js';
import { checkSendExpect } from '../../../src/health/send-expect.js';
import { closedUdpPort, httpServer, tcpServer, udpServer, SHORT, TIMEOUT } from './servers.js';

test('udp: replyOptional is up on silence and down on an ICMP port unreachable', async () => {
  const silent = await udpServer(() => {});
  try {
    const r = await checkUdp({ address: '127.0.0.1', port: silent.port }, { type: 'udp', payload: 'ping', replyOptional: true }, SHORT);
    assert.deepEqual([r.ok, r.reason], [true, 'no reply and no ICMP error']);
  } finally { await silent.close(); }
  const port = await closedUdpPort();
  const closed = await checkUdp({ address: '127.0.0.1', port }, { type: 'udp', payload: 'ping', replyOptional: true }, TIMEOUT);
  assert.deepEqual([closed.ok, closed.reason], [false, 'port unreachable']);
});

test('udp: reply must start with the expected bytes', async () => {
  const srv = await udpServer((_m, reply) => reply(Buffer.from([0xde, 0xad, 0xbe, 0xef, 1])));
  try {
    const t = { address: '127.0.0.1', port: srv.port };
    assert.equal((await checkUdp(t, { type: 'udp', payload: 'x', reply: '\\xde\\xad' }, TIMEOUT)).ok, true);
    const bad = await checkUdp(t, { type: 'udp', payload: 'x', reply: '\\xde\\xae' }, TIMEOUT);
    assert.deepEqual([bad.ok, bad.reason], [false, 'reply of 5 bytes does not start with the expected bytes']);
  } finally { await srv.close(); }
});

test('http: digest is the MD5 of the body; every url must pass', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/a') res.end('alpha');
    else if (req.url === '/b') res.end('beta');
    else { res.statusCode = 404; res.end(); }
  });
  try {
    const t = { address: '127.0.0.1', port: srv.port };
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    assert.equal((await checkHttp(t, { type: 'http', path: '/a', digest: md5('alpha') }, TIMEOUT)).ok, true);
    const wrong = await checkHttp(t, { type: 'http', path: '/a', digest: md5('other') }, TIMEOUT);
    assert.deepEqual([wrong.ok, wrong.reason], [false, `HTTP 200, body digest ${md5('alpha')}, expected ${md5('other')}`]);
    const both = await checkHttp(t, { type: 'http', path: '/a', urls: [{ path: '/b', digest: md5('beta') }] }, TIMEOUT);
    assert.equal(both.ok, true, both.reason);
    const second = await checkHttp(t, { type: 'http', path: '/a', urls: [{ path: '/missing' }] }, TIMEOUT);
    assert.deepEqual([second.ok, second.reason], [false, '/missing: HTTP 404']);
  } finally { srv.close(); }
});

// check_http.c's http_process_response feeds every chunk of the body to the digest, with
// no size limit: a page over 1 MiB is hashed whole.
test('http: the digest covers a body of any size (3 MiB here), as keepalived hashes it whole', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
  const srv = await httpServer((_req, res) => res.end(big));
  try {
    const t = { address: '127.0.0.1', port: srv.port };
    const whole = createHash('md5').update(big).digest('hex');
    const r = await checkHttp(t, { type: 'http', path: '/', digest: whole }, TIMEOUT);
    assert.deepEqual([r.ok, r.reason], [true, 'HTTP 200, digest matches']);
    const firstMiB = createHash('md5').update(big.subarray(0, 1024 * 1024)).digest('hex');
    assert.equal((await checkHttp(t, { type: 'http', path: '/', digest: firstMiB }, TIMEOUT)).ok, false, 'a digest of part of the body does not match');
  } finally { srv.close(); }
});

test('send-expect: a send string without an expect string is up once written', async () => {
  let got = '';
  const srv = await tcpServer((s) => { s.on('data', (d) => { got += d.toString(); }); });
  try {
    const r = await checkSendExpect({ address: '127.0.0.1', port: srv.port }, { type: 'send-expect', send: 'HELO\\r\\n', expect: '', useRegex: false }, TIMEOUT);
    assert.deepEqual([r.ok, r.reason], [true, 'sent']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(got, 'HELO\r\n');
  } finally { srv.close(); }
});
