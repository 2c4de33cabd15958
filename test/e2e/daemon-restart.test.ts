// kill -9 of the daemon while a client streams through a service: the XDP program and
// its pinned maps keep forwarding, the stream completes intact, and the restarted daemon
// adopts the running data plane with the same services and counters that kept counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../../src/lab/topology.js';
import { buildClassicLab, startDirectorDaemon, serviceSpec, PLAN, PORTS, hostPort } from '../../src/lab/classic.js';
import { serverScript } from '../../src/lab/servers/index.js';
import { until } from '../lib/wait.js';

const TOTAL = 30_000_000;
const BEFORE_KILL = 10_000_000;

test('kill -9 of the daemon mid-stream: the stream completes intact; the restart adopts services and counters', { timeout: 120_000 }, async () => {
  const lab = await Lab.create('ipvxkr');
  try {
    const c = await buildClassicLab(lab, { method: 'dr' });
    const d = await startDirectorDaemon(c);
    const vip = PLAN[4].vip;
    let api = d.client();
    await api.addService(serviceSpec(4, PORTS.http, 'tcp', 'dr', 2));
    await api.addService(serviceSpec(4, PORTS.stream, 'tcp', 'dr', 2));
    const before = await api.getConfig();
    assert.equal(before.services.length, 2);
    const status0 = await api.getStatus();
    assert.equal(status0.adopted, false, 'the first daemon made the data plane');

    // The stream: 10 MB, a pause (connection established, counters visible), then the
    // rest paced (64 KiB every 10 ms, >= 3 s) so that it flows through the kill and restart.
    const stream = await lab.node(c.client, serverScript('tcp-source'),
      ['--host', vip, '--port', String(PORTS.stream), '--bytes', String(TOTAL), '--pause-at', String(BEFORE_KILL), '--pace-ms', '10', '--seed', '42'],
      { ready: 'paused', readyTimeoutMs: 30_000 });
    const streamSvc = (s: Awaited<ReturnType<typeof api.getStats>>) => s.services.find((x) => x.service === `tcp|${vip}|${PORTS.stream}`)!;
    // The first 10 MB are in the kernel's socket buffers; wait (bounded) until they passed the director.
    let c0 = streamSvc(await api.getStats()).counters!;
    await until('the director to count the first 10 MB of the stream', async () => {
      c0 = streamSvc(await api.getStats()).counters!;
      return BigInt(c0.bytesIn) >= BigInt(BEFORE_KILL);
    }, 5000, 100).catch((e: Error) => { if (!e.message.startsWith('timed out')) throw e; }); // bounded as before: the assertion below says what was counted
    assert.ok(BigInt(c0.conns) >= 1n && BigInt(c0.bytesIn) >= BigInt(BEFORE_KILL), `counted before the kill: ${JSON.stringify(c0)}`);
    api.close();

    const pid = await d.pid();
    stream.child.kill('SIGUSR1');
    process.kill(pid, 'SIGKILL');
    // Gone for good before restarting (the new daemon must not see it alive).
    await until(`the killed daemon (pid ${pid}) to be gone`, () => {
      try { process.kill(pid, 0); return false; } catch { return true; }
    }, 5000, 50);
    assert.ok(stream.running, 'the stream was flowing when the daemon died');
    await d.command('start', ['--interfaces', c.directorIfaces.join(','), '--xdp-mode', 'native', '--no-health']);
    const streamingThroughRestart = stream.running;

    await stream.exited;
    assert.equal(stream.exitCode, 0, `the stream failed: ${stream.stderr}`);
    const sent = JSON.parse(stream.lines.at(-1)!);
    assert.equal(sent.bytes, TOTAL);
    const got = JSON.parse(await Promise.any(c.sinks.map((s) => s[0]!.waitForLine(new RegExp(sent.sha256), 20_000))));
    assert.equal(got.bytes, TOTAL, 'every byte arrived, checksum equal on both ends');

    api = d.client();
    try {
      const status = await api.getStatus();
      assert.equal(status.adopted, true, 'the restarted daemon adopted the running data plane');
      assert.notEqual(status.pid, pid);
      const after = await api.getConfig();
      assert.deepEqual(after.services, before.services, 'same services and reals');
      const c1 = streamSvc(await api.getStats()).counters!;
      for (const k of ['conns', 'pktsIn', 'bytesIn'] as const) {
        assert.ok(BigInt(c1[k]) >= BigInt(c0[k]), `${k} not reset: ${c0[k]} before, ${c1[k]} after`);
      }
      // The bytes sent after the kill were counted by the program the whole time.
      assert.ok(BigInt(c1.bytesIn) >= BigInt(TOTAL), `bytes in ${c1.bytesIn} >= ${TOTAL}`);
      // And the adopted data plane takes new configuration and new connections.
      const answers = (await lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(vip, PORTS.http)}/`, '--count', '4'])).trim().split('\n');
      assert.deepEqual(new Set(answers), new Set(['rs1', 'rs2']));
      await api.deleteService({ vip, port: PORTS.http, protocol: 'tcp' });
      assert.equal((await api.getConfig()).services.length, 1);
      console.log(`# stream still flowing when the restarted daemon answered: ${streamingThroughRestart}`);
    } finally {
      api.close();
    }
  } finally {
    await lab.destroy();
  }
});
