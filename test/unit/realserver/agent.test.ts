import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { agentLine, parseLoadavg, percentFromLoad, runAgent } from '../../../src/realserver/agent.js';
import { checkAgent, readAgent, readLoad } from '../../../src/health/load-source.js';
import { closedTcpPort, tcpServer, TIMEOUT } from '../health/servers.js';

function readLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = connect({ host: '127.0.0.1', port });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (buf += d));
    s.on('end', () => resolve(buf));
    s.on('error', reject);
  });
}

test('agent: percent from load average and CPU count', () => {
  assert.equal(percentFromLoad(0, 4), 100);
  assert.equal(percentFromLoad(1, 4), 75);
  assert.equal(percentFromLoad(3, 4), 25);
  assert.equal(percentFromLoad(8, 4), 10, 'floor');
  assert.equal(percentFromLoad(8, 4, 0), 0);
  assert.equal(parseLoadavg('0.52 0.58 0.59 1/467 12345\n'), 0.52);
  assert.throws(() => parseLoadavg('garbage'), /cannot read a load/);
  assert.equal(agentLine({ port: 0, loadSource: 'loadavg', readLoadavg: () => '2.00 1 1 1/1 1', cpus: 8 }), '75%');
});

test('agent: serves one line per connection on 127.0.0.1', async () => {
  const a = await runAgent({ port: 0, host: '127.0.0.1', loadSource: 75 });
  try {
    assert.equal(await readLine(a.port), '75%\n');
    assert.equal(await readLine(a.port), '75%\n');
  } finally {
    await a.close();
  }
});

test('agent: loadavg source answers a percent the checker understands', async () => {
  const a = await runAgent({ port: 0, host: '127.0.0.1', loadSource: 'loadavg' });
  try {
    const line = await readLine(a.port);
    assert.match(line, /^\d+%\n$/);
    const pct = Number(line.slice(0, -2));
    assert.ok(pct >= 10 && pct <= 100, line);
    const r = await checkAgent({ address: '127.0.0.1', port: 1 }, { port: a.port }, TIMEOUT);
    assert.equal(r.ok, true);
    assert.ok(r.weightPercent! >= 10 && r.weightPercent! <= 100);
  } finally {
    await a.close();
  }
});

test('agent checker: "75%" up at 75 %, "drain" up at 0 %, "down" down', async () => {
  for (const [src, ok, pct] of [[75, true, 75], ['drain', true, 0], ['down', false, undefined]] as const) {
    const a = await runAgent({ port: 0, host: '127.0.0.1', loadSource: src });
    try {
      const r = await checkAgent({ address: '127.0.0.1', port: 9 }, { port: a.port }, TIMEOUT);
      assert.equal(r.ok, ok, `${src}: ${r.reason}`);
      assert.equal(r.weightPercent, pct);
      assert.match(r.reason, new RegExp(`agent says "${src}${typeof src === 'number' ? '%' : ''}"`));
    } finally {
      await a.close();
    }
  }
});

test('agent reader: "load 0.75" from a foreign agent, garbage and closed ports are errors', async () => {
  const foreign = await tcpServer((s) => s.end('load 0.75\r\n'));
  const junk = await tcpServer((s) => s.end('banana\n'));
  try {
    const r = await readAgent({ address: '127.0.0.1', port: foreign.port }, TIMEOUT);
    assert.deepEqual(r, { ok: true, sample: { kind: 'load', load: 0.75 }, raw: 'load 0.75' });
    const j = await readAgent({ address: '127.0.0.1', port: junk.port }, TIMEOUT);
    assert.equal(j.ok, false);
    const closed = await readAgent({ address: '127.0.0.1', port: await closedTcpPort() }, TIMEOUT);
    assert.deepEqual(closed, { ok: false, reason: 'agent: connection refused' });
  } finally {
    await foreign.close();
    await junk.close();
  }
});

test('load command: %h substituted, bare number divided by capacity, words understood', async () => {
  const r = await readLoad({ address: '192.0.2.5', port: 80 }, { type: 'command', command: `/bin/sh -c 'test "$1" = 192.0.2.5 && echo 3.0' sh %h`, capacity: 4 }, TIMEOUT);
  assert.deepEqual(r, { ok: true, sample: { kind: 'load', load: 0.75 }, raw: '3.0' });
  const d = await readLoad({ address: '192.0.2.5', port: 80 }, { type: 'command', command: 'echo drain' }, TIMEOUT);
  assert.deepEqual(d, { ok: true, sample: { kind: 'drain' }, raw: 'drain' });
  const f = await readLoad({ address: '192.0.2.5', port: 80 }, { type: 'command', command: 'false' }, TIMEOUT);
  assert.deepEqual(f, { ok: false, reason: 'load command: exit 1' });
});
