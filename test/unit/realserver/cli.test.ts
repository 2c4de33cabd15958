// Argument parsing of `ipvx realserver` (pure): what is accepted, and that bad input
// gets an error naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRealserverArgs } from '../../../src/realserver/cli.js';
import { UsageError } from '../../../src/common/usage-error.js';

test('realserver setup: VIPs (comma list and repeated, both families, deduplicated), method, interfaces', () => {
  const c = parseRealserverArgs(['setup', '--vip', '203.0.113.10,2001:db8::10', '--vip', '203.0.113.10', '--method', 'tun', '--interfaces', 'eth0,eth1']);
  assert.equal(c.kind, 'setup');
  if (c.kind !== 'setup') return;
  assert.deepEqual(c.vips.map((v) => v.text), ['203.0.113.10', '2001:db8::10']);
  assert.equal(c.method, 'tun');
  assert.deepEqual(c.interfaces, ['eth0', 'eth1']);
  assert.equal(c.dryRun, false);
  const d = parseRealserverArgs(['setup', '--vip=2001:DB8::0:10', '--method=dr', '--dry-run']);
  assert.ok(d.kind === 'setup' && d.dryRun && d.vips[0]!.text === '2001:db8::10' && d.interfaces === undefined);
});

test('realserver: bad input is refused with the reason', () => {
  const bad: [string[], RegExp][] = [
    [['setup', '--method', 'dr'], /needs --vip/],
    [['setup', '--vip', '203.0.113.10'], /needs --method/],
    [['setup', '--vip', '203.0.113.300', '--method', 'dr'], /--vip '203\.0\.113\.300': not an IPv4 or IPv6 address/],
    [['setup', '--vip', '203.0.113.10', '--method', 'nat'], /NAT real server needs no setup/],
    [['setup', '--vip', '203.0.113.10', '--method', 'gre'], /--method 'gre': expected dr or tun/],
    [['setup', '--vip', '203.0.113.10', '--method', 'tun', '--interfaces', ','], /at least one interface/],
    [['setup', '--vip', '203.0.113.10', '--method', 'tun', '--interfaces', 'a b'], /'a b' is not an interface name/],
    [['setup', '--vip', '203.0.113.10', '--method', 'dr', '--port', '1'], /setup takes no --port/],
    [['teardown', '--vip', '203.0.113.10'], /teardown takes no --vip/],
    [['agent', '--port', '70000'], /--port '70000': expected a whole number 1\.\.65535/],
    [['agent', '--load', 'busy'], /--load 'busy'/],
    [['agent', '--host', 'localhost'], /--host 'localhost'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['setup', '--bogus'], /bogus/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parseRealserverArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  }
});

test('realserver agent and help', () => {
  assert.deepEqual(parseRealserverArgs(['agent']), { kind: 'agent', port: 3333, host: '::', load: 'loadavg', floor: 10 });
  assert.deepEqual(parseRealserverArgs(['agent', '--port', '4000', '--load', '75%', '--host', '198.51.100.1', '--floor', '5']),
    { kind: 'agent', port: 4000, host: '198.51.100.1', load: 75, floor: 5 });
  assert.equal(parseRealserverArgs(['agent', '--load', 'drain']).kind, 'agent');
  assert.deepEqual(parseRealserverArgs([]), { kind: 'help' });
  assert.deepEqual(parseRealserverArgs(['setup', '--help']), { kind: 'help' });
});
