// `ipvx demo` as a newcomer runs it (./bin/ipvx demo --method X): exit 0, the answers
// alternate between rs1 and rs2, the director's table shows the method and the counters,
// and nothing is left behind. --keep leaves a working lab that --clean removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { IPVX_BIN } from '../../src/lab/classic.js';
import { listNetns } from '../../src/lab/sh.js';
import { cleanKeptDemos } from '../../src/lab/demo.js';
import { listEntries, leftovers } from '../lib/leftovers.js';
import { until } from '../lib/wait.js';

function ipvx(args: string[]): Promise<{ code: number | null; out: string; err: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [IPVX_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, pid: child.pid! }));
  });
}

for (const method of ['dr', 'tun'] as const) {
  test(`ipvx demo --method ${method}: exits 0, answers alternate, table shown, nothing left`, { timeout: 90_000 }, async () => {
    const before = listEntries();
    const r = await ipvx(['demo', '--method', method]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.out}\n${r.err}`);
    const answers = [...r.out.matchAll(/request +\d+: answered by (rs\d)/g)].map((m) => m[1]);
    assert.deepEqual(answers.length, 6);
    for (let i = 1; i < answers.length; i++) assert.notEqual(answers[i], answers[i - 1]);
    assert.match(r.out, /the answers alternate between rs1 and rs2/);
    assert.match(r.out, /ipvx -A -t 203\.0\.113\.10:80 -s rr/);
    assert.match(r.out, new RegExp(`ipvx -a -t 203\\.0\\.113\\.10:80 -r 198\\.51\\.100\\.1:80 ${method === 'dr' ? '-g' : '-i'} -w 1`));
    assert.match(r.out, /Prot LocalAddress:Port +Conns +InPkts +OutPkts +InBytes +OutBytes/);
    assert.match(r.out, new RegExp(`TCP +203\\.0\\.113\\.10:80 +6 `), 'six connections counted on the service');
    assert.match(r.out, /cleaning up: .* done/);
    assert.equal(r.err, '');
    assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`ipvxdemo${r.pid}-`)), [], 'namespaces removed');
    assert.deepEqual(leftovers(before, listEntries()), [], 'nothing new in /run/ipvx, /var/lib/ipvx or /sys/fs/bpf/ipvx');
  });
}

test('ipvx demo --method nat --family 6 --keep leaves a working lab; the --clean code removes it', { timeout: 90_000 }, async () => {
  const before = listEntries();
  const r = await ipvx(['demo', '--method', 'nat', '--family', '6', '--keep']);
  assert.equal(r.code, 0, `exit ${r.code}\n${r.out}\n${r.err}`);
  assert.match(r.out, /ipvx -a -t \[2001:db8::10\]:80 -r \[2001:db8:1::1\]:8080 -m -w 1/);
  assert.match(r.out, new RegExp(`-> \\[2001:db8:1::2\\]:8080 +3 `), 'rs2 counted three connections');
  const ours = (await listNetns()).filter((n) => n.startsWith(`ipvxdemo${r.pid}-`));
  let consoleUrl = '';
  try {
    assert.equal(ours.length, 5, `client, director, sw, rs1, rs2: ${ours}`);
    assert.match(r.out, /The lab stays/);
    const client = ours.find((n) => n.endsWith('-client'))!;
    assert.match(r.out, new RegExp(`ip netns exec ${client} curl http://\\[2001:db8::10\\]:80/`));
    // The lab works without the demo process: the servers and the daemon kept running.
    const curl = await new Promise<string>((resolve, reject) => {
      const c = spawn('ip', ['netns', 'exec', client, 'curl', '-sS', '--max-time', '5', 'http://[2001:db8::10]:80/']);
      let out = '';
      c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      c.on('error', reject);
      c.on('close', () => resolve(out));
    });
    assert.match(curl, /^rs[12]\n$/);
    // The web console on the kept lab, with the password printed for it.
    const m = /The web console of the director: (http:\/\/127\.0\.0\.1:\d+)\/\n  user admin, password (\S+) /.exec(r.out);
    assert.ok(m, `console URL and password printed:\n${r.out}`);
    const login = await fetch(`${m[1]}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin', password: m[2] }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';', 1)[0]!;
    const cfg = await (await fetch(`${m[1]}/api/config`, { headers: { cookie } })).json() as { state: { services: { vip: string }[] } };
    assert.deepEqual(cfg.state.services.map((s) => s.vip), ['2001:db8::10']);
    consoleUrl = m[1];
  } finally {
    // What `ipvx demo --clean` does, limited to this run's lab (others may keep theirs).
    const removed = await cleanKeptDemos(r.pid);
    assert.equal(removed.length, 5);
    assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`ipvxdemo${r.pid}-`)), [], 'namespaces removed by --clean');
    // The console went with the lab: its port refuses connections.
    if (consoleUrl) await until('the console to stop', () => fetch(`${consoleUrl}/login`).then(() => false, () => true), 5000);
    assert.deepEqual(leftovers(before, listEntries()), [], 'nothing new in /run/ipvx, /var/lib/ipvx or /sys/fs/bpf/ipvx after --clean');
  }
});

test('ipvx demo: bad options are refused with the reason, exit 2', async () => {
  const r = await ipvx(['demo', '--method', 'gre']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--method 'gre': expected dr, tun or nat/);
});
