import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateState, type Limits } from '../../../src/core/validate.js';
import type { DesiredState, ServiceSpec, RealSpec } from '../../../src/core/model.js';
import { DEFAULT_TIMEOUTS, MAX_HA_VIPS, MAX_BGP_PEERS } from '../../../src/core/model.js';

const real = (r: Partial<RealSpec> = {}): RealSpec => ({ address: '192.0.2.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...r });
const svc = (s: Partial<ServiceSpec> = {}): ServiceSpec => ({
  vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [real()], ...s,
});
/** The data plane's sizes (test/unit/dataplane/contract.test.ts checks that the object declares these). */
const LIMITS: Limits = { services: 16384, realsPerService: 4096, reals: 131072 };
const state = (services: ServiceSpec[], extra: Partial<DesiredState> = {}): DesiredState => ({ services, timeouts: { ...DEFAULT_TIMEOUTS }, ...extra });

/** The errors of an invalid state as "field: message" lines. */
function errors(s: DesiredState, limits = LIMITS): string[] {
  const r = validateState(s, limits);
  assert.equal(r.ok, false, 'expected the state to be rejected');
  return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.message}`);
}
function fields(s: DesiredState, limits = LIMITS): string[] {
  const r = validateState(s, limits);
  return r.ok ? [] : r.errors.map((e) => e.field);
}
function valid(s: DesiredState): DesiredState {
  const r = validateState(s);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.value;
}

test('a valid state comes back normalised: canonical addresses, defaults filled', () => {
  const v = valid({
    services: [{ vip: '2001:DB8:0:0::10', port: 443, protocol: 'tcp', reals: [{ address: '2001:db8:0::1' }] } as unknown as ServiceSpec],
    timeouts: { tcp: 600 } as DesiredState['timeouts'],
  });
  assert.deepEqual(v, {
    services: [{
      vip: '2001:db8::10', port: 443, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
      reals: [{ address: '2001:db8::1', port: 443, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    }],
    timeouts: { tcp: 600, tcpFin: 120, udp: 300 },
  });
});

test('addresses: bad VIP, bad real, bad sorry server each name their field', () => {
  assert.deepEqual(fields(state([svc({ vip: '203.0.113.300' })])), ['services[0].vip']);
  assert.deepEqual(fields(state([svc({ reals: [real(), real({ address: 'backend1' })] })])), ['services[0].reals[1].address']);
  assert.deepEqual(fields(state([svc({ sorryServer: { address: 'nope', port: 80, method: 'dr' } })])), ['services[0].sorryServer.address']);
  assert.match(errors(state([svc({ vip: 'x' })]))[0]!, /'x' is not an IPv4 or IPv6 address/);
});

test('family must fit the method: DR and NAT keep the VIP family, TUN crosses', () => {
  const e = errors(state([svc({ reals: [real({ address: '2001:db8::1', method: 'dr' })] })]));
  assert.deepEqual(e, ['services[0].reals[0].address: DR needs an IPv4 address like the VIP; only TUN can cross families']);
  assert.deepEqual(fields(state([svc({ vip: '2001:db8::10', reals: [real({ address: '192.0.2.1', method: 'nat' })] })])), ['services[0].reals[0].address']);
  valid(state([svc({ reals: [real({ address: '2001:db8::1', method: 'tun' })] })]));
  valid(state([svc({ vip: '2001:db8::10', reals: [real({ address: '192.0.2.1', method: 'tun' })] })]));
  // The service's default method counts when the real has none.
  assert.deepEqual(fields(state([svc({ method: 'nat', reals: [real({ address: '2001:db8::1', method: '' as 'dr' })] })])), ['services[0].reals[0].address']);
  assert.deepEqual(fields(state([svc({ sorryServer: { address: '2001:db8::9', port: 80, method: 'dr' } })])), ['services[0].sorryServer.address']);
});

test('ports 0..65535; port 0 only with persistence (IPVS)', () => {
  assert.deepEqual(fields(state([svc({ port: 65536 })])), ['services[0].port']);
  assert.deepEqual(fields(state([svc({ port: -1 })])), ['services[0].port']);
  assert.deepEqual(fields(state([svc({ port: 8.5 })])), ['services[0].port']);
  assert.deepEqual(errors(state([svc({ port: 0 })])), ['services[0].port: Zero port specified for non-persistent service']);
  valid(state([svc({ port: 0, persistence: 300 })]));
  assert.deepEqual(fields(state([svc({ reals: [real({ method: 'nat', port: 70000 })] })])), ['services[0].reals[0].port']);
});

test('only NAT maps ports; DR and TUN reals get the service port, as ipvsadm', () => {
  const v = valid(state([svc({ reals: [real({ port: 8080, method: 'dr' }), real({ address: '192.0.2.2', port: 8080, method: 'nat' })] })]));
  assert.deepEqual(v.services[0]!.reals.map((r) => r.port), [80, 8080]);
});

test('protocol, scheduler and method names', () => {
  assert.deepEqual(fields(state([svc({ protocol: 'sctp' as 'tcp' })])), ['services[0].protocol']);
  assert.match(errors(state([svc({ scheduler: 'lblc' as 'rr' })]))[0]!, /^services\[0\]\.scheduler: 'lblc' is not a scheduler \(rr, wrr/);
  assert.deepEqual(fields(state([svc({ method: 'gre' as 'dr' })])), ['services[0].method']);
  assert.deepEqual(fields(state([svc({ reals: [real({ method: 'ipip' as 'dr' })] })])), ['services[0].reals[0].method']);
});

test('weights 0..65535 and thresholds (upper >= lower when both set)', () => {
  valid(state([svc({ reals: [real({ weight: 0 })] })]));
  valid(state([svc({ reals: [real({ weight: 65535 })] })]));
  assert.deepEqual(fields(state([svc({ reals: [real({ weight: 65536 })] })])), ['services[0].reals[0].weight']);
  assert.deepEqual(fields(state([svc({ reals: [real({ weight: -1 })] })])), ['services[0].reals[0].weight']);
  assert.deepEqual(errors(state([svc({ reals: [real({ upperThreshold: 10, lowerThreshold: 20 })] })])),
    ['services[0].reals[0].lowerThreshold: 20 is above the upper threshold 10']);
  valid(state([svc({ reals: [real({ upperThreshold: 20, lowerThreshold: 10 })] })]));
  valid(state([svc({ reals: [real({ upperThreshold: 0, lowerThreshold: 10 })] })])); // 0 = no limit
  assert.deepEqual(fields(state([svc({ reals: [real({ upperThreshold: -5 })] })])), ['services[0].reals[0].upperThreshold']);
});

test('scheduler flags: sh-* only with sh, mh-* only with mh', () => {
  valid(state([svc({ scheduler: 'sh', flags: ['sh-port', 'sh-fallback'] })]));
  valid(state([svc({ scheduler: 'mh', flags: ['mh-port'] })]));
  assert.deepEqual(errors(state([svc({ scheduler: 'wrr', flags: ['sh-port'] })])), ["services[0].flags[0]: 'sh-port' is a flag of the sh scheduler, not of wrr"]);
  assert.deepEqual(fields(state([svc({ scheduler: 'sh', flags: ['sh-port', 'mh-port'] })])), ['services[0].flags[1]']);
  assert.deepEqual(fields(state([svc({ scheduler: 'sh', flags: ['sh-bogus' as 'sh-port'] })])), ['services[0].flags[0]']);
  assert.deepEqual(valid(state([svc({ scheduler: 'sh', flags: ['sh-port', 'sh-fallback', 'sh-port'] })])).services[0]!.flags, ['sh-fallback', 'sh-port']);
});

test('persistence timeout and mask', () => {
  assert.deepEqual(fields(state([svc({ persistence: -1 })])), ['services[0].persistence']);
  assert.deepEqual(fields(state([svc({ persistence: 1.5 })])), ['services[0].persistence']);
  const m = (persistenceMask: string, vip = '203.0.113.10') => validateState(state([svc({ vip, persistence: 300, persistenceMask, reals: [] })]));
  const mask = (s: string, vip?: string) => { const r = m(s, vip); assert.ok(r.ok, JSON.stringify(!r.ok && r.errors)); return r.value.services[0]!.persistenceMask; };
  assert.equal(mask('255.255.255.0'), '255.255.255.0');
  assert.equal(mask('24'), '255.255.255.0');
  assert.equal(mask('/16'), '255.255.0.0');
  assert.equal(mask('255.255.255.255'), '');
  assert.equal(mask('64', '2001:db8::10'), '/64');
  assert.equal(mask('/128', '2001:db8::10'), '');
  for (const bad of ['255.0.255.0', '255.255.255.1', '33', 'abc']) {
    const r = m(bad);
    assert.ok(!r.ok && r.errors[0]!.field === 'services[0].persistenceMask', bad);
  }
  for (const bad of ['0', '129', '255.255.0.0', '/200']) {
    const r = m(bad, '2001:db8::10');
    assert.ok(!r.ok && r.errors[0]!.field === 'services[0].persistenceMask', bad);
  }
  assert.deepEqual(errors(state([svc({ persistenceMask: '255.255.255.0' })])), ['services[0].persistenceMask: a persistence mask needs a persistence timeout (-p)']);
});

test('duplicate services and duplicate reals (after normalisation)', () => {
  assert.deepEqual(errors(state([svc(), svc({ reals: [] })])),
    ['services[1]: Service already exists (tcp 203.0.113.10 port 80 is also services[0])']);
  valid(state([svc(), svc({ protocol: 'udp' }), svc({ port: 443 })]));
  assert.deepEqual(fields(state([svc({ vip: '2001:db8::10', reals: [] }), svc({ vip: '2001:DB8::0:10', reals: [] })])), ['services[1]']);
  assert.deepEqual(errors(state([svc({ reals: [real(), real({ port: 0 })] })])),
    ['services[0].reals[1]: Destination already exists (192.0.2.1 port 80 is also reals[0])']);
});

test('timeouts must be at least 1 second', () => {
  assert.deepEqual(fields(state([], { timeouts: { tcp: 0, tcpFin: 120, udp: 300 } })), ['timeouts.tcp']);
  assert.deepEqual(fields(state([], { timeouts: { tcp: 900, tcpFin: -1, udp: 0.5 } })), ['timeouts.tcpFin', 'timeouts.udp']);
});

test('map limits: services, reals per service, reals in all', () => {
  const limits = { services: 2, realsPerService: 3, reals: 5 };
  const reals = (n: number, base = 0) => Array.from({ length: n }, (_, i) => real({ address: `192.0.2.${base + i + 1}` }));
  assert.deepEqual(errors(state([svc({ port: 1 }), svc({ port: 2 }), svc({ port: 3 })]), limits), ['services: 3 services; the data plane holds at most 2']);
  assert.deepEqual(errors(state([svc({ reals: reals(4) })]), limits), ['services[0].reals: 4 reals; a service holds at most 3']);
  assert.deepEqual(errors(state([svc({ port: 1, reals: reals(3) }), svc({ port: 2, reals: reals(3, 10) })]), limits), ['services: 6 reals in all; the data plane holds at most 5']);
});

test('without the data plane\'s limits the size rules are not checked (the daemon passes them in)', () => {
  const many = Array.from({ length: 5 }, (_, i) => real({ address: `192.0.2.${i + 1}` }));
  assert.equal(validateState(state([svc({ reals: many })]), { services: 10, realsPerService: 4, reals: 100 }).ok, false);
  assert.equal(validateState(state([svc({ reals: many })])).ok, true);
});

test('health checks: type, required fields, timing', () => {
  const h = (check: object, more: object = {}) => ({ check, interval: 5, timeout: 2, rise: 2, fall: 3, onFailure: 'quiesce', ...more }) as ServiceSpec['health'];
  valid(state([svc({ health: h({ type: 'http', path: '/' }) })]));
  assert.deepEqual(fields(state([svc({ health: h({ type: 'ping' }) })])), ['services[0].health.check.type']);
  assert.deepEqual(fields(state([svc({ health: h({ type: 'http' }) })])), ['services[0].health.check.path']);
  assert.deepEqual(fields(state([svc({ reals: [real({ health: h({ type: 'tcp' }, { interval: 0, rise: 0, onFailure: 'drop' }) })] })])),
    ['services[0].reals[0].health.interval', 'services[0].reals[0].health.rise', 'services[0].reals[0].health.onFailure']);
});

test('every error is reported at once, not only the first', () => {
  const f = fields(state([svc({ vip: 'x', port: 70000, scheduler: 'zz' as 'rr', reals: [real({ weight: 1e6 })] })], { timeouts: { tcp: 0, tcpFin: 1, udp: 1 } }));
  assert.deepEqual(f, ['services[0].vip', 'services[0].port', 'services[0].scheduler', 'services[0].reals[0].weight', 'timeouts.tcp']);
});

test('HA settings are checked when enabled', () => {
  const ha = { enabled: true, localAddress: '192.0.2.250', peerAddress: '192.0.2.251', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: 'k', vips: [{ address: '203.0.113.10', prefixLength: 24, interface: 'eth0' }] };
  valid(state([], { ha }));
  assert.deepEqual(fields(state([], { ha: { ...ha, deadtime: 1, key: '', vips: [{ address: '203.0.113.10', prefixLength: 40, interface: '' }] } })),
    ['ha.deadtime', 'ha.key', 'ha.vips[0].prefixLength', 'ha.vips[0].interface']);
  valid(state([], { ha: { ...ha, enabled: false, key: '' } }));
});

test('disabled HA and BGP sections are checked too: what is given must be valid, only what enabling needs may be missing', () => {
  const off = { enabled: false, localAddress: '', peerAddress: '', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: '', vips: [] };
  valid(state([], { ha: off }));
  assert.deepEqual(fields(state([], { ha: { ...off, peerAddress: 'peer.example', priority: 300, vips: [{ address: '203.0.113.10', prefixLength: 99, interface: '' }] } })),
    ['ha.peerAddress', 'ha.priority', 'ha.vips[0].prefixLength', 'ha.vips[0].interface']);
  // 200,000 addresses were accepted (and stored) while HA was off.
  const many = Array.from({ length: 200_000 }, (_, i) => ({ address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, prefixLength: 32, interface: 'eth0' }));
  const r = validateState(state([], { ha: { ...off, vips: many } }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.errors, [{ field: 'ha.vips', message: `200000 addresses; at most ${MAX_HA_VIPS}` }]);
  const bgpOff = { enabled: false, localAs: 0, routerId: '', peers: [], nextHop: '', birdConfig: '/etc/bird/bird.conf', birdSocket: '/run/bird/bird.ctl', holdTime: 9, connectRetry: 5 };
  valid(state([], { bgp: bgpOff }));
  assert.deepEqual(fields(state([], { bgp: { ...bgpOff, birdConfig: 'bird.conf', peers: [{ address: 'x', as: 0, port: 0, password: '"' }] } })),
    ['bgp.peers[0].address', 'bgp.peers[0].as', 'bgp.peers[0].password', 'bgp.birdConfig']);
  const peers = Array.from({ length: MAX_BGP_PEERS + 1 }, (_, i) => ({ address: `192.0.2.${i + 1}`, as: 65000, port: 0, password: '' }));
  assert.deepEqual(fields(state([], { bgp: { ...bgpOff, peers } })), ['bgp.peers']);
});

test('validation does not mutate its input', () => {
  const s = state([svc({ vip: '2001:DB8::10', reals: [real({ address: '2001:DB8::1', method: 'tun', port: 0 })] })]);
  const copy = structuredClone(s);
  valid(s);
  assert.deepEqual(s, copy);
});
