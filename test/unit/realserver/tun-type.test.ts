// `ipvx realserver setup --method tun --tun-type ipip|gue|gre [--tun-port N]`: parsing
// and the steps it plans (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRealserverArgs } from '../../../src/realserver/cli.js';
import { UsageError } from '../../../src/common/usage-error.js';
import { setupSteps, describeStep } from '../../../src/realserver/plan.js';
import { ip } from '../../../src/core/addr.js';

test('setup --tun-type gue --tun-port: the decap step registers the GUE port; gre and ipip need no port', () => {
  const c = parseRealserverArgs(['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'gue', '--tun-port', '6080']);
  assert.ok(c.kind === 'setup' && c.tunType === 'gue' && c.tunPort === 6080);
  const steps = setupSteps({ vips: [ip('203.0.113.11')], method: 'tun', interfaces: ['eth0'], tunnelAddresses: [ip('198.51.100.1')], tunType: 'gue', tunPort: 6080 });
  const decap = steps.find((s) => s.kind === 'decap');
  assert.ok(decap && decap.kind === 'decap');
  assert.deepEqual(decap.guePorts, [6080]);
  assert.match(describeStep(decap), /IPIP and GRE, GUE to UDP port 6080/);
  const g = parseRealserverArgs(['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'gre']);
  assert.ok(g.kind === 'setup' && g.tunType === 'gre' && g.tunPort === undefined);
  const gs = setupSteps({ vips: [ip('203.0.113.11')], method: 'tun', interfaces: ['eth0'], tunnelAddresses: [], tunType: 'gre' });
  assert.deepEqual(gs.flatMap((s) => (s.kind === 'decap' ? s.guePorts : [])), []);
});

test('setup: tunnel options that do not fit are refused with the reason', () => {
  const bad: [string[], RegExp][] = [
    [['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'gue'], /--tun-type gue needs --tun-port/],
    [['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'vxlan'], /--tun-type 'vxlan': expected ipip, gue or gre/],
    [['setup', '--vip', '203.0.113.11', '--method', 'dr', '--tun-type', 'gre'], /--tun-type is for --method tun/],
    [['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'gre', '--tun-port', '6080'], /--tun-port is for --tun-type gue/],
    [['setup', '--vip', '203.0.113.11', '--method', 'tun', '--tun-type', 'gue', '--tun-port', '0'], /--tun-port '0'/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parseRealserverArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  }
});
