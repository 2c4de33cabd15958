// Validation of fwmark services, mark rules, tunnel options and one-packet scheduling:
// what ipvsadm and IPVS accept is accepted (in canonical form), everything else is
// refused with the field and the reason, and the data-plane limits are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateState } from '../../../src/core/validate.js';
import { DEFAULT_TIMEOUTS, DesiredState, ServiceSpec, RealSpec, MarkRule, serviceId } from '../../../src/core/model.js';
import { compileMarks, markOf, parsePorts, MARK_LIMITS } from '../../../src/core/marks.js';
import { ip } from '../../../src/core/addr.js';
import { parseConfig, formatConfig } from '../../../src/config/schema.js';

const real = (over: Partial<RealSpec> = {}): RealSpec => ({ address: '198.51.100.1', port: 80, method: 'tun', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...over });
const svc = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [], ...over,
});
const state = (services: ServiceSpec[], marks?: MarkRule[]): DesiredState => ({ services, ...(marks ? { marks } : {}), timeouts: { ...DEFAULT_TIMEOUTS } });
function errors(s: DesiredState): string[] {
  const r = validateState(s);
  return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.message}`);
}

test('tunnel options as ipvsadm allows them: gue needs a port, gre none and no remcsum, ipip neither; only for tun reals', () => {
  const ok = validateState(state([svc({ reals: [
    real({ tunType: 'gue', tunPort: 6080, tunChecksum: 'remcsum' }),
    real({ address: '198.51.100.2', tunType: 'gre', tunChecksum: 'csum' }),
    real({ address: '198.51.100.3', tunType: 'ipip', tunChecksum: 'nocsum' }),
  ] })]));
  assert.ok(ok.ok);
  const rs = ok.value.services[0]!.reals;
  assert.deepEqual([rs[0]!.tunType, rs[0]!.tunPort, rs[0]!.tunChecksum], ['gue', 6080, 'remcsum']);
  assert.deepEqual([rs[1]!.tunType, rs[1]!.tunPort, rs[1]!.tunChecksum], ['gre', undefined, 'csum']);
  assert.deepEqual([rs[2]!.tunType, rs[2]!.tunChecksum], [undefined, undefined], 'the defaults are left out');
  const bad: [Partial<RealSpec>, RegExp][] = [
    [{ tunType: 'gue' }, /reals\[0\]\.tunPort: a gue tunnel needs the UDP port/],
    [{ tunType: 'gue', tunPort: 70000 }, /tunPort: 70000 is not a port/],
    [{ tunType: 'gre', tunPort: 6080 }, /tunPort: a gre tunnel has no port/],
    [{ tunType: 'gre', tunChecksum: 'remcsum' }, /tunChecksum: remote checksum offload is a gue option/],
    [{ tunChecksum: 'csum' }, /tunChecksum: an ipip tunnel has no checksum option/],
    [{ tunType: 'vxlan' as never }, /tunType: 'vxlan' is not a tunnel type/],
    [{ method: 'dr', tunType: 'gre' }, /tunType: tunnel options are for the tun method only, not dr/],
    [{ method: 'nat', tunPort: 6080 }, /tunPort: tunnel options are for the tun method only, not nat/],
  ];
  for (const [over, re] of bad) {
    const e = errors(state([svc({ reals: [real(over)] })]));
    assert.ok(e.some((x) => re.test(x)), `${JSON.stringify(over)}: ${e.join('; ')}`);
  }
});

test('one-packet scheduling: UDP services and fwmark services; refused for TCP with ipvsadm\'s message', () => {
  assert.ok(validateState(state([svc({ protocol: 'udp', port: 53, ops: true })])).ok);
  assert.ok(validateState(state([svc({ fwmark: 5, vip: '', port: 0, ops: true })])).ok);
  assert.deepEqual(errors(state([svc({ ops: true })])), ['services[0].ops: One-Packet Scheduling is only for UDP virtual services']);
});

test('fwmark services: the mark and the family are the identity; an address or a port is refused', () => {
  const r = validateState(state([
    svc({ fwmark: 1, vip: '', port: 0, persistence: 300, reals: [real({ method: 'dr', port: 0 })] }),
    svc({ fwmark: 1, vip: '::', port: 0, reals: [real({ address: '2001:db8:1::1', method: 'dr', port: 0 })] }),
    svc({ fwmark: 2, vip: '0.0.0.0', port: 0, protocol: 'udp', reals: [real({ method: 'nat', port: 8080 })] }),
  ]));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.value.services.map((s) => serviceId(s)), ['fwm|0.0.0.0|1', 'fwm|::|1', 'fwm|0.0.0.0|2']);
  assert.equal(r.value.services[2]!.protocol, 'tcp', 'a fwmark service\'s protocol means nothing (ipvsadm sets TCP)');
  assert.equal(r.value.services[2]!.reals[0]!.port, 8080, 'a fwmark service\'s real keeps its port');
  const bad: [Partial<ServiceSpec>, RegExp][] = [
    [{ fwmark: 0, vip: '', port: 0 }, /fwmark: 0 is not a firewall mark/],
    [{ fwmark: 2 ** 32, vip: '', port: 0 }, /is not a firewall mark \(1-4294967295\)/],
    [{ fwmark: 3, vip: '203.0.113.10', port: 0 }, /vip: a fwmark service has no address/],
    [{ fwmark: 3, vip: '', port: 80 }, /port: a fwmark service has no port/],
  ];
  for (const [over, re] of bad) {
    const e = errors(state([svc(over)]));
    assert.ok(e.some((x) => re.test(x)), `${JSON.stringify(over)}: ${e.join('; ')}`);
  }
  assert.match(errors(state([svc({ fwmark: 1, vip: '', port: 0 }), svc({ fwmark: 1, vip: '0.0.0.0', port: 0 })])).join(), /Service already exists/);
  // A health check needs a port to connect to: the real's or the check's.
  const health = { check: { type: 'tcp' as const }, interval: 5, timeout: 2, rise: 1, fall: 1, onFailure: 'quiesce' as const };
  assert.match(errors(state([svc({ fwmark: 1, vip: '', port: 0, health, reals: [real({ method: 'dr', port: 0 })] })])).join(),
    /reals\[0\]\.port: the health check needs a port/);
  assert.ok(validateState(state([svc({ fwmark: 1, vip: '', port: 0, health: { ...health, check: { type: 'tcp', port: 80 } }, reals: [real({ method: 'dr', port: 0 })] })])).ok);
});

test('mark rules: canonical form, every error named, and the limits of the data plane', () => {
  const r = validateState(state([], [
    { mark: 1, destination: '203.0.113.10', protocol: 'tcp', ports: '80, 443' },
    { mark: 2, destination: '2001:DB8::/64', protocol: 'udp', ports: '8000:8100' },
    { mark: 3, destination: '203.0.113.0/24', protocol: 'tcp', ports: '' },
  ]));
  assert.ok(r.ok);
  assert.deepEqual(r.value.marks, [
    { mark: 1, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' },
    { mark: 2, destination: '2001:db8::/64', protocol: 'udp', ports: '8000-8100' },
    { mark: 3, destination: '203.0.113.0/24', protocol: 'tcp', ports: '' },
  ]);
  const e = errors(state([], [
    { mark: 0, destination: '203.0.113.1/24', protocol: 'sctp' as never, ports: '90-80' },
    { mark: 1, destination: 'example.org', protocol: 'tcp', ports: 'http' },
    { mark: 2, destination: '2001:db8:0:1:ff::1/72', protocol: 'tcp', ports: '' },
  ]));
  for (const re of [/marks\[0\]\.mark: 0 is not a mark/, /marks\[0\]\.destination: '203\.0\.113\.1\/24': host bits are set \(did you mean 203\.0\.113\.0\/24\?\)/,
    /marks\[0\]\.protocol: 'sctp' is not tcp or udp/, /marks\[0\]\.ports: '90-80': the range ends before it starts/,
    /marks\[1\]\.destination: 'example\.org'/, /marks\[1\]\.ports: 'http' is not a port/,
    /marks\[2\]\.destination: '2001:db8:0:1:ff::1\/72': host bits are set \(did you mean 2001:db8:0:1::\/72\?\)/]) {
    assert.ok(e.some((x) => re.test(x)), `${re}: ${e.join('; ')}`);
  }
  // 17 single ports on covering prefixes: more than the program scans for one destination.
  const many: MarkRule[] = Array.from({ length: 17 }, (_, i) => ({ mark: 1, destination: i % 2 ? '203.0.113.0/24' : '203.0.113.10', protocol: 'tcp', ports: String(1000 + i) }));
  assert.match(errors(state([], many)).join(), new RegExp(`17 port ranges apply to tcp 203\\.0\\.113\\.10/32 .* at most ${MARK_LIMITS.rangesPerPrefix}`));
});

test('compiled mark rules: each prefix carries the ranges of every covering rule, in rule order; markOf is the first rule that matches', () => {
  const rules: MarkRule[] = [
    { mark: 1, destination: '203.0.113.0/24', protocol: 'tcp', ports: '80' },
    { mark: 2, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' },
    { mark: 3, destination: '0.0.0.0/0', protocol: 'tcp', ports: '' },
  ];
  const c = compileMarks(rules);
  const host = c.find((x) => x.destination === '203.0.113.10/32')!;
  assert.deepEqual(host.ranges.map((r) => r.mark), [1, 2, 2, 3]);
  assert.equal(markOf(rules, 4, 'tcp', ip('203.0.113.10').bytes, 80), 1, 'the /24 rule comes first');
  assert.equal(markOf(rules, 4, 'tcp', ip('203.0.113.10').bytes, 443), 2);
  assert.equal(markOf(rules, 4, 'tcp', ip('198.51.100.1').bytes, 22), 3);
  assert.equal(markOf(rules, 4, 'udp', ip('203.0.113.10').bytes, 80), 0);
  assert.deepEqual(parsePorts('1,2-3'), [{ lo: 1, hi: 1 }, { lo: 2, hi: 3 }]);
});

test('the configuration file carries fwmark services, mark rules, tunnel options and ops (YAML round trip)', () => {
  const text = `
services:
  - fwmark: 1
    persistence: 300
    reals:
      - { address: 198.51.100.1, method: tun, tunType: gue, tunPort: 6080, tunChecksum: csum }
  - vip: 203.0.113.53
    port: 53
    protocol: udp
    ops: true
    reals: [{ address: 198.51.100.2 }]
marks:
  - { mark: 1, destination: 203.0.113.10, protocol: tcp, ports: "80,443" }
`;
  const r = parseConfig(text, validateState);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const again = parseConfig(formatConfig(r.value.state), validateState);
  assert.ok(again.ok);
  assert.deepEqual(again.value.state, r.value.state);
  assert.equal(r.value.state.services[0]!.reals[0]!.tunType, 'gue');
  assert.equal(r.value.state.services[1]!.ops, true);
  assert.equal(r.value.state.marks![0]!.destination, '203.0.113.10/32');
  const bad = parseConfig('marks:\n  - { mark: 1, destination: 203.0.113.10, protocol: tcp, ports: "80-" }\n', validateState);
  assert.ok(!bad.ok && /line 2: '80-' is not a port/.test(bad.errors[0]!.message), JSON.stringify(!bad.ok && bad.errors));
});

test('diffs name fwmark services, tunnel and ops changes, and each mark rule added or removed (and a new order)', async () => {
  const { diffStates, renderChanges } = await import('../../../src/core/diff.js');
  const a = validateState(state([svc({ fwmark: 1, vip: '', port: 0, reals: [real({ method: 'dr', port: 0 })] }), svc({ protocol: 'udp', port: 53, reals: [real()] })], [
    { mark: 1, destination: '203.0.113.10', protocol: 'tcp', ports: '80' },
    { mark: 1, destination: '203.0.113.11', protocol: 'tcp', ports: '' },
  ]));
  const b = validateState(state([svc({ fwmark: 1, vip: '', port: 0, persistence: 60, reals: [real({ method: 'dr', port: 0 })] }), svc({ protocol: 'udp', port: 53, ops: true, reals: [real({ tunType: 'gre' })] })], [
    { mark: 1, destination: '203.0.113.11', protocol: 'tcp', ports: '' },
    { mark: 1, destination: '203.0.113.10', protocol: 'tcp', ports: '80' },
    { mark: 2, destination: '2001:db8::/64', protocol: 'udp', ports: '53' },
  ]));
  assert.ok(a.ok && b.ok);
  assert.equal(renderChanges(diffStates(a.value, b.value)), [
    '~ service fwm 1 persistence 0 -> 60',
    '~ service udp 203.0.113.10:53 ops - -> true',
    '~ real udp 203.0.113.10:53 -> 198.51.100.1:53 tunType - -> gre',
    '+ mark 2 udp 2001:db8::/64 ports 53',
    '~ mark order of the rules (the first that matches marks)',
  ].join('\n'));
});
