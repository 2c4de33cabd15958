import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpvsadmArgs, parseRestoreInput, commandToServiceSpec, commandToRealSpec, exitCodeOf, type IpvsadmCommand } from '../../../src/ipvsadm/index.js';

const args = (line: string) => line.split(' ').filter((w) => w !== '');
function parsed(line: string): IpvsadmCommand {
  const r = parseIpvsadmArgs(args(line));
  assert.ok(r.ok, `${line}: ${r.ok ? '' : r.errors[0]!.message}`);
  return r.value;
}
function error(line: string): { message: string; code: number } {
  const r = parseIpvsadmArgs(args(line));
  assert.ok(!r.ok, `${line} should fail`);
  return { message: r.errors[0]!.message, code: exitCodeOf(r.errors) };
}

test('-A with ipvsadm defaults maps to a ServiceSpec', () => {
  const c = parsed('-A -t 10.0.0.50:80');
  assert.equal(c.kind, 'add-service');
  if (c.kind !== 'add-service') return;
  assert.deepEqual(commandToServiceSpec(c), {
    vip: '10.0.0.50', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [],
  });
});

// ipvsadm.c parse_timeout: no value -> IPVS_SVC_PERSISTENT_TIMEOUT, (6*60) in libipvs/libipvs.h.
test('-p without a value is 360 s, with one it is that; -M is the persistence mask', () => {
  const a = parsed('-A -t 203.0.113.10:443 -s wrr -p -M 255.255.255.0');
  assert.ok(a.kind === 'add-service' && a.persistence === 360 && a.netmask === '255.255.255.0');
  const b = parsed('-A -u 203.0.113.10:0 -p 600');
  assert.ok(b.kind === 'add-service' && b.persistence === 600 && b.service.port === 0 && b.service.protocol === 'udp');
  const c = parsed('--add-service --tcp-service=[2001:db8::10]:443 --persistent=60 --netmask 64');
  assert.ok(c.kind === 'add-service' && c.persistence === 60 && c.netmask === '64' && c.service.address === '2001:db8::10');
  const host = parsed('-A -t 192.0.2.1:80 -p -M 255.255.255.255');
  assert.ok(host.kind === 'add-service' && host.netmask === '');
});

test('combined short options and clustered arguments, as popt reads them', () => {
  const l = parsed('-Ln');
  assert.ok(l.kind === 'list' && l.numeric && l.what === 'services' && l.sort);
  const a = parsed('-At 192.0.2.1:80 -srr');
  assert.ok(a.kind === 'add-service' && a.scheduler === 'rr' && a.service.address === '192.0.2.1');
  const e = parsed('-a -t 192.0.2.1:80 -r198.51.100.1:8080 -mw3');
  assert.ok(e.kind === 'add-server' && e.method === 'nat' && e.weight === 3 && e.server.port === 8080);
});

test('-a maps to a RealSpec: DR by default, weight 1, port = service port (always for DR/TUN)', () => {
  const c = parsed('-a -t 10.0.0.50:80 -r 192.168.1.100:8080');
  assert.ok(c.kind === 'add-server');
  if (c.kind !== 'add-server') return;
  assert.deepEqual(commandToRealSpec(c), { address: '192.168.1.100', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  const nat = parsed('-a -t 10.0.0.50:80 -r 192.168.1.100 -m -x 100 -y 10');
  assert.ok(nat.kind === 'add-server' && nat.server.port === 80 && nat.upperThreshold === 100 && nat.lowerThreshold === 10);
  const v6 = parsed('-a -t [2001:db8::10]:80 -r [2001:db8:1::1]:80 -i -w 0');
  assert.ok(v6.kind === 'add-server' && v6.method === 'tun' && v6.weight === 0 && v6.server.family === 6);
  assert.ok(parsed('-a -t 10.0.0.50:80 -r 192.168.1.1 -i --tun-type ipip').kind === 'add-server');
});

test('-b scheduler flags and --set', () => {
  const c = parsed('-A -u 203.0.113.53:53 -s sh -b sh-port,sh-fallback');
  assert.ok(c.kind === 'add-service');
  assert.deepEqual(c.kind === 'add-service' && c.flags, ['sh-port', 'sh-fallback']);
  const f = parsed('-A -u 203.0.113.53:53 -s mh -b flag-2');
  assert.deepEqual(f.kind === 'add-service' && f.flags, ['mh-port']);
  assert.deepEqual(parsed('--set 900 120 300'), { kind: 'set', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } });
});

test('list variants', () => {
  const c = parsed('-L -n -c');
  assert.ok(c.kind === 'list' && c.what === 'connections');
  const s = parsed('-l --stats --exact --nosort -t 192.0.2.1:80 --json');
  assert.ok(s.kind === 'list' && s.format === 'stats' && s.exact && !s.sort && s.json && s.service?.port === 80);
  const t = parsed('-L --timeout');
  assert.ok(t.kind === 'list' && t.what === 'timeout');
  assert.deepEqual(parseIpvsadmArgs([]).ok && (parseIpvsadmArgs([]) as { value: IpvsadmCommand }).value.kind, 'list');
  assert.deepEqual(parsed('-S -n'), { kind: 'save', numeric: true });
  assert.deepEqual(parsed('-Z -t 192.0.2.1:80'), { kind: 'zero', service: { protocol: 'tcp', address: '192.0.2.1', family: 4, port: 80 } });
  assert.deepEqual(parsed('-h'), { kind: 'help' });
});

test('bad addresses and ports give ipvsadm\'s messages', () => {
  assert.deepEqual(error('-A -t 10.0.0.300:80'), { message: 'illegal virtual server address[:port] specified', code: 2 });
  assert.deepEqual(error('-A -t 10.0.0.1:65536'), { message: 'illegal virtual server address[:port] specified', code: 2 });
  assert.deepEqual(error('-A -t [2001:db8::1]'), { message: 'illegal virtual server address[:port] specified', code: 2 });
  assert.deepEqual(error('-a -t 10.0.0.1:80 -r 10.0.0.2:-1'), { message: 'illegal real server address[:port] specified', code: 2 });
  assert.equal(error('-A -t 10.0.0.1:80 -w 5').message, "Illegal 'weight' option with the 'add-service' command");
  assert.equal(error('-a -t 10.0.0.1:80 -r 10.0.0.2 -w 70000').message, 'illegal weight specified');
  assert.equal(error('-A -t 10.0.0.1:80 -p 0').message, "invalid timeout value `0' specified");
  assert.equal(error('-A -t 10.0.0.1:80 -p -M 255.255.255.999').message, 'illegal virtual server persistent mask specified');
  assert.equal(error('-A -t [2001:db8::1]:80 -p -M 129').message, 'illegal ipv6 netmask specified');
});

test('names are never resolved, and ipvx says so', () => {
  assert.equal(error('-A -t www.example.com:80').message, "hostname resolution is not supported: use a numeric address instead of 'www.example.com'");
  assert.equal(error('-A -t 192.0.2.1:http').message, "port names are not supported: use a numeric port instead of 'http'");
  // inet_aton's short forms are addresses, not names.
  const c = parsed('-A -t 10.1:80');
  assert.ok(c.kind === 'add-service' && c.service.address === '10.0.0.1');
});

test('unknown scheduler: the kernel\'s message, exit 255; IPVS-only schedulers are named', () => {
  assert.deepEqual(error('-A -t 10.0.0.1:80 -s foo'), { message: 'Scheduler or persistence engine not found', code: 255 });
  assert.match(error('-A -t 10.0.0.1:80 -s lblc').message, /scheduler 'lblc' is not supported by ipvx/);
  assert.equal(error('-A -t 10.0.0.1:80 -s rr -b sh-port').message, "incompatible scheduler flag `sh-port'");
  assert.equal(error('-A -t 10.0.0.1:80 -s sh -b bogus').message, "invalid scheduler flag `bogus'");
});

test('conflicting commands and options', () => {
  assert.equal(error('-A -D -t 10.0.0.1:80').message, 'multiple commands specified');
  assert.equal(error('-L -m').message, "Illegal 'forwarding-method' option with the 'list' command");
  assert.equal(error('-L -c -t 10.0.0.1:80').message, "The option 'service-address' conflicts with the 'connection' option in the 'list' command");
  assert.equal(error('-L -c --stats').message, 'options conflicts in the list command');
  assert.equal(error('-C -n').message, "Illegal 'numeric' option with the 'flush' command");
  assert.equal(error('-A -t 10.0.0.1:80 -s rr -s wlc').message, "multiple 'scheduler' options specified");
  assert.equal(error('-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type ipip').message, 'Tunnel options conflict with forward method');
  assert.equal(error('-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -g').message, 'Different address family is allowed only for tunneling servers');
  assert.deepEqual(error('-A -t 10.0.0.1:80 --bogus'), { message: '--bogus: unknown option', code: 255 });
  assert.equal(error('-L extra').message, 'unexpected argument extra');
  assert.equal(error('--set 900 120').message, '--set option requires 3 timeout values');
});

test('missing service or server', () => {
  assert.equal(error('-A -s rr').message, "You need to supply the 'service-address' option for the 'add-service' command");
  assert.equal(error('-a -t 10.0.0.1:80').message, "You need to supply the 'real-server' option for the 'add-server' command");
  assert.equal(error('-A -t 10.0.0.1').message, 'Zero port specified for non-persistent service');
  assert.equal(error('-A -t 10.0.0.1:0 -s rr').message, 'Zero port specified for non-persistent service');
});

test('unsupported IPVS features are refused clearly', () => {
  assert.equal(error('-A -f 0').message, "invalid fwmark value `0' specified");
  assert.match(error('--start-daemon master').message, /sync daemon is not supported by ipvx/);
  assert.equal(error('-A -t 10.0.0.1:53 -o').message, 'One-Packet Scheduling is only for UDP virtual services');
});

test('-R input: line-numbered errors, nothing returned if any line is bad', () => {
  const r = parseRestoreInput('-A -t 10.0.0.1:80 -s rr\n\n# comment\n-a -t 10.0.0.1:80 -r 10.0.0.300\nipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2\n-L -n\n');
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.map((e) => e.field), ['line 4', 'line 6']);
  assert.equal(r.errors[0]!.message, 'illegal real server address[:port] specified');
  const good = parseRestoreInput('ipvsadm -A -t 10.0.0.1:80 -s rr   # web\n-a -t 10.0.0.1:80 -r 10.0.0.2\n');
  assert.ok(good.ok && good.value.length === 2);
});

test('--help lists every ipvsadm option ipvx accepts, one line each, and the ipvx commands', async () => {
  const { helpText } = await import('../../../src/cli/help.js');
  const text = helpText('ipvx');
  for (const opt of ['--add-service', '--edit-service', '--delete-service', '--clear', '--restore', '--save', '--add-server',
    '--edit-server', '--delete-server', '--list', '--zero', '--set', '--tcp-service', '--udp-service', '--scheduler',
    '--persistent', '--netmask', '--sched-flags', '--real-server', '--gatewaying', '--ipip', '--masquerading', '--weight',
    '--u-threshold', '--l-threshold', '--connection', '--timeout', '--stats', '--rate', '--exact', '--thresholds',
    '--persistent-conn', '--nosort', '--numeric', '--json', 'daemon start|stop|status|run', 'apply -f FILE [--dry-run]',
    'watch', 'import FILE', 'realserver setup|teardown|agent', 'demo']) {
    assert.equal(text.split('\n').filter((l) => l.trimStart().startsWith(opt)).length >= 1, true, opt);
  }
});
