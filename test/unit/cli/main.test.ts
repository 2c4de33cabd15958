// `ipvx` (bin/ipvx) as a user runs it, against a real daemon process over its unix
// socket. The daemon uses the memory data plane (no network is touched): what is under
// test here is the CLI's syntax, output, exit codes and all-or-nothing behaviour;
// forwarding through the XDP data plane with these commands is in test/e2e.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const IPVX = join(ROOT, 'bin/ipvx');
// Copies of ../shared/samples (CI clones the repository alone).
const SAMPLES = join(ROOT, 'test/fixtures/ipvsadm');
const FIXTURES = join(ROOT, 'test/fixtures/ipvsadm');
const RULES = readFileSync(join(FIXTURES, 'rules.txt'), 'utf8');
const SAVE_GOLDEN = readFileSync(join(FIXTURES, 'save-n.golden'), 'utf8');

let dir = '';
const env = () => ({ ...process.env, IPVX_RUN_DIR: join(dir, 'run') });

function ipvx(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [IPVX, ...args], { encoding: 'utf8', env: env(), input, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const ok = (args: string[], input?: string) => {
  const r = ipvx(args, input);
  assert.equal(r.code, 0, `ipvx ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const save = () => ok(['-S', '-n']);
const words = (line: string) => line.split(/\s+/).filter(Boolean);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipvx-cli-'));
  const r = ipvx(['daemon', 'start', '--dataplane', 'memory', '--no-health', '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml')]);
  assert.equal(r.code, 0, r.stderr);
});

after(() => {
  ipvx(['daemon', 'stop', '--run-dir', join(dir, 'run')]);
  rmSync(dir, { recursive: true, force: true });
});

test('the sample rules applied one command at a time, then -S -n prints them in ipvsadm order and format', () => {
  ok(['-C']);
  for (const line of RULES.split('\n').filter((l) => l.trim())) ok(words(line));
  assert.equal(save(), SAVE_GOLDEN);
});

test('-R < rules then -S -n round-trips exactly; -S output fed back to -R gives the same table', () => {
  ok(['-C']);
  ok(['-R'], RULES);
  const saved = save();
  assert.equal(saved, SAVE_GOLDEN);
  ok(['-C']);
  assert.equal(save(), '');
  ok(['-R'], saved);
  assert.equal(save(), saved);
});

test('-R with a bad line changes nothing and names the line', () => {
  ok(['-C']);
  ok(['-R'], RULES);
  const before = save();
  const bad = `-A -t 198.51.100.80:80 -s rr\n-a -t 198.51.100.80:80 -r 192.0.2.5:80 -g\n-a -t 198.51.100.99:80 -r 192.0.2.6:80 -g\n`;
  const r = ipvx(['-R'], bad);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /line 3: Service not defined/);
  assert.equal(save(), before, 'the first two lines were not applied either');
});

test('ipvsadm error messages and exit codes, with the table unchanged', () => {
  ok(['-C']);
  ok(['-R'], RULES);
  const before = save();
  const dup = ipvx(['-A', '-t', '10.0.0.50:80']);
  assert.deepEqual([dup.code, dup.stderr], [255, 'Service already exists\n']);
  const noSvc = ipvx(['-a', '-t', '10.9.9.9:80', '-r', '192.0.2.1']);
  assert.deepEqual([noSvc.code, noSvc.stderr], [255, 'Service not defined\n']);
  const noDest = ipvx(['-d', '-t', '10.0.0.50:80', '-r', '192.0.2.77']);
  assert.deepEqual([noDest.code, noDest.stderr], [255, 'No such destination\n']);
  const weight = ipvx(['-a', '-t', '10.0.0.50:80', '-r', '192.0.2.1', '-w', '70000']);
  assert.deepEqual([weight.code, weight.stderr], [2, 'illegal weight specified\n']);
  const sched = ipvx(['-E', '-t', '10.0.0.50:80', '-s', 'fastest']);
  assert.deepEqual([sched.code, sched.stderr], [255, 'Scheduler or persistence engine not found\n']);
  // ipvsadm.c list_service: ipvs_get_service fails -> "No such service", exit(1).
  const noList = ipvx(['-L', '-n', '-t', '10.9.9.9:80']);
  assert.deepEqual([noList.code, noList.stderr], [1, 'No such service\n']);
  assert.equal(save(), before);
});

test('-E, -e, -d and -D change what -S shows, as ipvsadm would', () => {
  ok(['-C']);
  ok(['-A', '-t', '203.0.113.5:80', '-s', 'rr']);
  ok(['-a', '-t', '203.0.113.5:80', '-r', '192.0.2.10:8080', '-m', '-w', '2']);
  ok(['-a', '-t', '203.0.113.5:80', '-r', '192.0.2.11:8080', '-m']);
  ok(['-E', '-t', '203.0.113.5:80', '-s', 'wrr', '-p', '60']);
  ok(['-e', '-t', '203.0.113.5:80', '-r', '192.0.2.10:8080', '-m', '-w', '5']);
  ok(['-d', '-t', '203.0.113.5:80', '-r', '192.0.2.11:8080']);
  assert.equal(save(), '-A -t 203.0.113.5:80 -s wrr -p 60\n-a -t 203.0.113.5:80 -r 192.0.2.10:8080 -m -w 5\n');
  ok(['-D', '-t', '203.0.113.5:80']);
  assert.equal(save(), '');
});

test('listings: -L -n table, --stats, --rate, -c, --timeout and --set, each with --json', () => {
  ok(['-C']);
  ok(['-R'], RULES);
  const table = ok(['-L', '-n']);
  assert.match(table, /^IP Virtual Server version 1\.2\.1 \(size=4096\)\nProt LocalAddress:Port Scheduler Flags\n/);
  assert.match(table, /\nTCP  203\.0\.113\.10:443 wrr persistent 300 mask 255\.255\.255\.0\n  -> 198\.51\.100\.11:443 {12}Route {3}3 {6}0 {10}0 {9}\n/);
  assert.match(ok(['-L', '-n', '--stats']), /\nTCP  1\.1\.1\.1:80 {26}0 {8}0 {8}0 {8}0 {8}0\n/);
  assert.match(ok(['-L', '-n', '--rate']), /CPS {4}InPPS {3}OutPPS {4}InBPS {3}OutBPS/);
  assert.equal(ok(['-L', '-n', '-c']), 'IPVS connection entries\npro expire state       source             virtual            destination\n');
  ok(['--set', '100', '0', '30']);
  assert.equal(ok(['-L', '--timeout']), 'Timeout (tcp tcpfin udp): 100 120 30\n');
  assert.deepEqual(JSON.parse(ok(['-L', '--timeout', '--json'])), { timeout: { tcp: 100, tcpFin: 120, udp: 30 } });
  ok(['--set', '900', '120', '300']);
  const j = JSON.parse(ok(['-L', '-n', '--json'])) as { services: { address: string; reals: unknown[] }[] };
  assert.equal(j.services.length, 6);
  assert.equal(j.services.find((s) => s.address === '203.0.113.10')!.reals.length, 3);
  assert.deepEqual(JSON.parse(ok(['-L', '-n', '-c', '--json'])), { connections: [] });
});

test('no daemon: says how to start one, exit 1', () => {
  const r = spawnSync(process.execPath, [IPVX, '-L', '-n'], { encoding: 'utf8', env: { ...process.env, IPVX_RUN_DIR: join(dir, 'nowhere') } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ipvx daemon is not running in this network namespace .* start it with: ipvx daemon start/);
});

test('apply -f: --dry-run prints the diff and changes nothing; apply changes; a bad file is refused by line', () => {
  ok(['-C']);
  const file = join(dir, 'web.yaml');
  writeFileSync(file, 'services:\n  - vip: 203.0.113.20\n    port: 80\n    scheduler: rr\n    reals:\n      - address: 192.0.2.21\n        weight: 2\n');
  const dry = ok(['apply', '-f', file, '--dry-run']);
  const serial = /configuration serial (\d+): --serial \1 applies exactly these\)\n$/.exec(dry)?.[1];
  assert.ok(serial, dry);
  assert.equal(dry, `+ service tcp 203.0.113.20:80 rr\n+ real tcp 203.0.113.20:80 -> 192.0.2.21:80 dr weight 2\n(dry run: 2 changes not applied; configuration serial ${serial}: --serial ${serial} applies exactly these)\n`);
  assert.equal(save(), '');
  // Someone else changes the configuration after the dry run: --serial refuses, nothing changes.
  ok(['-A', '-t', '203.0.113.21:80']);
  const stale = ipvx(['apply', '-f', file, '--serial', serial]);
  assert.equal(stale.code, 255);
  assert.match(stale.stderr, /the configuration changed since it was read \(serial \d+, now \d+\); nothing was changed/);
  assert.equal(save(), '-A -t 203.0.113.21:80 -s wlc\n');
  ok(['-D', '-t', '203.0.113.21:80']);
  assert.equal(ok(['apply', '-f', file]), '+ service tcp 203.0.113.20:80 rr\n+ real tcp 203.0.113.20:80 -> 192.0.2.21:80 dr weight 2\n');
  assert.equal(ok(['apply', '-f', file]), 'no changes\n');
  writeFileSync(file, 'services:\n  - vip: 203.0.113.20\n    port: 80\n    scheduler: fastest\n');
  const bad = ipvx(['apply', '-f', file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /web\.yaml: line 4: .*fastest/);
  assert.equal(save(), '-A -t 203.0.113.20:80 -s rr\n-a -t 203.0.113.20:80 -r 192.0.2.21:80 -g -w 2\n');
});

test('more reals in a service than the data plane holds (the object\'s limit) is refused whole, by the CLI and by the daemon', () => {
  ok(['-C']);
  const reals = (n: number) => Array.from({ length: n }, (_, i) => `      - address: 2001:db8::${(i + 1).toString(16)}\n`).join('');
  const file = join(dir, 'big.yaml');
  writeFileSync(file, `services:\n  - vip: 2001:db8:1::80\n    port: 80\n    reals:\n${reals(4097)}`);
  const cli = ipvx(['apply', '-f', file]);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /big\.yaml: line 5: 4097 reals; a service holds at most 4096/);
  // The same through -R, which the CLI does not validate as a whole: the daemon refuses it.
  const lines = ['-A -t [2001:db8:1::80]:80 -s wlc', ...Array.from({ length: 4097 }, (_, i) => `-a -t [2001:db8:1::80]:80 -r [2001:db8::${(i + 1).toString(16)}]:80 -g`)];
  const restore = ipvx(['-R'], lines.join('\n') + '\n');
  assert.notEqual(restore.code, 0);
  assert.match(restore.stderr, /a service holds at most 4096/);
  assert.equal(save(), '');
});

test('import: piranha lvs.cf and keepalived.conf print a configuration and report unmapped lines; --apply loads it', () => {
  const lvs = ipvx(['import', join(SAMPLES, 'piranha-lvs.cf')]);
  assert.equal(lvs.code, 0, lvs.stderr);
  assert.match(lvs.stdout, /vip: 10\.0\.0\.50\n {4}port: 80\n/);
  assert.match(lvs.stderr, /piranha-lvs\.cf: line \d+: not imported: /);
  assert.match(lvs.stderr, /to complete before ipvx apply: ha\.key/);
  const ka = ipvx(['import', join(SAMPLES, 'keepalived.conf')]);
  assert.equal(ka.code, 0, ka.stderr);
  assert.match(ka.stdout, /scheduler: /);
  assert.match(ka.stderr, /keepalived\.conf: line \d+: not imported: /);
  // Applying it needs what keepalived.conf cannot say (the unicast peer): refused, nothing changes.
  ok(['-C']);
  const kaApply = ipvx(['import', join(SAMPLES, 'keepalived.conf'), '--apply']);
  assert.equal(kaApply.code, 2);
  assert.match(kaApply.stderr, /ha\.peerAddress/);
  assert.equal(save(), '');
  // The ipvsadm -S format imports and applies without a word lost.
  ok(['-C']);
  const rules = join(dir, 'rules.txt');
  writeFileSync(rules, RULES);
  const ip = ipvx(['import', rules, '--apply']);
  assert.equal(ip.code, 0, ip.stderr);
  assert.equal(ip.stderr, `${rules}: imported 6 services and 13 reals (ipvsadm); 0 lines not imported; 0 things to complete\n`);
  assert.equal(save(), SAVE_GOLDEN);
  const broken = join(dir, 'broken.txt');
  writeFileSync(broken, '-A -t 203.0.113.9:80 -s rr\n-a -t 203.0.113.9:80 -r 192.0.2.9 -w 99999\n');
  const b = ipvx(['import', broken, '--apply']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /line 2/);
  assert.equal(save(), SAVE_GOLDEN, 'nothing applied');
});

test('watch prints configuration events as they happen', async () => {
  ok(['-C']);
  const w = spawn(process.execPath, [IPVX, 'watch', '--json'], { env: env() });
  let text = '';
  w.stdout.on('data', (d: Buffer) => { text += d.toString(); });
  try {
    // Changes made before the watcher subscribes are not seen: repeat until one is.
    for (let i = 0; i < 50 && !text.includes('203.0.113.30'); i++) {
      ok(['-A', '-t', '203.0.113.30:80', '-s', 'rr']);
      ok(['-D', '-t', '203.0.113.30:80']);
      await new Promise((r) => setTimeout(r, 100));
    }
    const first = JSON.parse(text.split('\n')[0]!) as { kind: string; changes: { op: string; detail: string }[] };
    assert.equal(first.kind, 'config');
    assert.match(first.changes[0]!.detail, /203\.0\.113\.30:80/);
  } finally {
    w.kill('SIGINT');
  }
});

test('--version and daemon status show the version of package.json', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.match(ok(['--version']), new RegExp(`^ipvx ${version.replace(/\./g, '\\.')} \\(`));
  assert.match(ok(['daemon', 'status', '--run-dir', join(dir, 'run')]), new RegExp(`^ipvx ${version.replace(/\./g, '\\.')}, netns `));
});

test('--help lists every command and option on a line each', () => {
  const h = ok(['--help']);
  for (const o of ['--add-service', '--edit-service', '--delete-service', '--clear', '--restore', '--save', '--add-server', '--edit-server',
    '--delete-server', '--list', '--zero', '--set', '--tcp-service', '--udp-service', '--scheduler', '--persistent', '--netmask',
    '--real-server', '--gatewaying', '--ipip', '--masquerading', '--weight', '--u-threshold', '--l-threshold', '--numeric', '--connection',
    '--stats', '--rate', '--thresholds', '--persistent-conn', '--exact', '--sort', '--timeout', '--json', 'daemon', 'apply', 'watch', 'import', 'realserver', 'demo']) {
    assert.ok(h.includes(o), `--help mentions ${o}`);
  }
});

test('ipvx --defense sets the flood defence like IPVS sysctls, shows it (also --json and in daemon status), and refuses bad settings changing nothing', () => {
  const shown = ok(['--defense', 'drop_entry=3', 'new_flow_rate=5000']);
  assert.match(shown, /^flood defence: new_flow_rate 5000\/s per CPU, drop_entry 3, secure_tcp 0 \(syn_timeout 10s\), flooded CPUs now 0$/m);
  assert.deepEqual(JSON.parse(ok(['--defense', '--json'])).settings, { newFlowRate: 5000, dropEntry: 3, secureTcp: 0, synTimeout: 10 });
  const unknown = ipvx(['--defense', 'drop_packet=1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /'drop_packet=1' is not a setting/);
  const bad = ipvx(['--defense', 'secure_tcp=7']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /defense\.secureTcp: 7 is not a defence mode/);
  assert.deepEqual(JSON.parse(ok(['--defense', '--json'])).settings, { newFlowRate: 5000, dropEntry: 3, secureTcp: 0, synTimeout: 10 }, 'unchanged');
  const status = ok(['daemon', 'status', '--run-dir', join(dir, 'run'), '--counters']);
  assert.match(status, /flood defence: new_flow_rate 5000\/s per CPU, drop_entry 3/);
  assert.match(status, /^  tx +\d+  XDP_TX$/m);
  ok(['--defense', 'drop_entry=1', 'new_flow_rate=125000']);
});
