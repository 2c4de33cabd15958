// The HA thread raises its priority (nice -10) so that heartbeats go before a busy main
// thread; without CAP_SYS_NICE it cannot, and says so. Run in a child process that lacks
// the capability (setpriv drops it from a root process; a non-root one never has it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NODE_THREAD = fileURLToPath(new URL('../../../src/ha/node-thread.js', import.meta.url));
const port = 20000 + ((process.pid + 3571) % 40000);

// Loopback only, no VIPs: nothing of the machine's network changes.
const script = `
import { HaNodeThread } from ${JSON.stringify(NODE_THREAD)};
const warnings = [];
const node = new HaNodeThread({ spec: { enabled: true, localAddress: '127.0.0.1', peerAddress: '127.0.0.5', port: ${port}, keepalive: 0.05,
  deadtime: 0.3, priority: 100, preempt: false, preemptDelay: 0, key: 'unit', vips: [] } });
node.on('warn', (m) => warnings.push(m));
await node.start();
await new Promise((r) => setTimeout(r, 200));
await node.stop();
console.log(JSON.stringify(warnings));
`;

function runWithoutSysNice(): string[] {
  // A file, not --input-type: the worker thread would inherit that flag and refuse its own file.
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-ha-nice-'));
  try {
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script);
    const opts = { encoding: 'utf8' as const, timeout: 20_000 };
    const out = process.getuid?.() === 0
      ? execFileSync('setpriv', ['--inh-caps=-sys_nice', '--bounding-set=-sys_nice', process.execPath, file], opts)
      : execFileSync(process.execPath, [file], opts);
    return JSON.parse(out.trim().split('\n').pop()!) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('without CAP_SYS_NICE the HA thread warns that it runs at the default priority', { timeout: 30_000 }, () => {
  const warnings = runWithoutSysNice();
  assert.equal(warnings.filter((w) => /HA thread runs at the default priority \(nice -10 needs CAP_SYS_NICE/.test(w)).length, 1, JSON.stringify(warnings));
});
