import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffStates, diffDelta, diffStatesLimited, diffDeltaLimited, renderChanges, summarizeChanges, type Change } from '../../../src/core/diff.js';
import type { StateDelta } from '../../../src/core/delta.js';
import type { DesiredState, ServiceSpec, RealSpec } from '../../../src/core/model.js';
import { emptyState } from '../../../src/core/model.js';

const real = (address: string, r: Partial<RealSpec> = {}): RealSpec => ({ address, port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...r });
const svc = (s: Partial<ServiceSpec> = {}): ServiceSpec => ({
  vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [], ...s,
});
const st = (...services: ServiceSpec[]): DesiredState => ({ ...emptyState(), services });

test('identical states: no changes', () => {
  const a = st(svc({ reals: [real('192.0.2.1')] }));
  assert.deepEqual(diffStates(a, structuredClone(a)), []);
});

test('added service lists its reals; removed service lists only itself', () => {
  const b = st(svc({ reals: [real('192.0.2.1'), real('2001:db8::1', { method: 'tun', weight: 3 })] }));
  assert.equal(renderChanges(diffStates(emptyState(), b)), [
    '+ service tcp 203.0.113.10:80 wrr',
    '+ real tcp 203.0.113.10:80 -> 192.0.2.1:80 dr weight 1',
    '+ real tcp 203.0.113.10:80 -> [2001:db8::1]:80 tun weight 3',
  ].join('\n'));
  assert.deepEqual(diffStates(b, emptyState()), [{ op: '-', kind: 'service', id: 'tcp|203.0.113.10|80', detail: 'tcp 203.0.113.10:80', fields: [] }]);
});

test('changed service names each changed field', () => {
  const a = st(svc({ reals: [real('192.0.2.1')] }));
  const b = st(svc({ scheduler: 'sh', flags: ['sh-port'], persistence: 300, reals: [real('192.0.2.1')] }));
  assert.deepEqual(diffStates(a, b), [{
    op: '~', kind: 'service', id: 'tcp|203.0.113.10|80', detail: 'tcp 203.0.113.10:80 scheduler wrr -> sh, flags - -> sh-port, persistence 0 -> 300',
    fields: [{ field: 'scheduler', from: 'wrr', to: 'sh' }, { field: 'flags', from: '-', to: 'sh-port' }, { field: 'persistence', from: '0', to: '300' }],
  }]);
});

test('reals added, removed and changed within a kept service', () => {
  const a = st(svc({ reals: [real('192.0.2.1'), real('192.0.2.2'), real('192.0.2.3')] }));
  const b = st(svc({ reals: [real('192.0.2.1', { weight: 3 }), real('192.0.2.3'), real('192.0.2.4', { weight: 0 })] }));
  assert.equal(renderChanges(diffStates(a, b)), [
    '- real tcp 203.0.113.10:80 -> 192.0.2.2:80',
    '~ real tcp 203.0.113.10:80 -> 192.0.2.1:80 weight 1 -> 3',
    '+ real tcp 203.0.113.10:80 -> 192.0.2.4:80 dr weight 0',
  ].join('\n'));
  const changed = diffStates(a, b)[1]!;
  assert.equal(changed.id, 'tcp|203.0.113.10|80|192.0.2.1|80');
  assert.deepEqual(changed.fields, [{ field: 'weight', from: '1', to: '3' }]);
});

test('a real on another port is another real (remove + add), not a change', () => {
  const a = st(svc({ reals: [real('192.0.2.1', { method: 'nat', port: 8080 })] }));
  const b = st(svc({ reals: [real('192.0.2.1', { method: 'nat', port: 8081 })] }));
  assert.deepEqual(diffStates(a, b).map((c) => `${c.op}${c.id}`), ['-tcp|203.0.113.10|80|192.0.2.1|8080', '+tcp|203.0.113.10|80|192.0.2.1|8081']);
});

test('threshold and method changes; timeouts; services keep the new state order', () => {
  const a: DesiredState = { ...st(svc({ port: 1, reals: [real('192.0.2.1')] }), svc({ port: 2 })), timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };
  const b: DesiredState = {
    ...st(svc({ port: 3 }), svc({ port: 1, reals: [real('192.0.2.1', { method: 'tun', upperThreshold: 100 })] })),
    timeouts: { tcp: 600, tcpFin: 120, udp: 60 },
  };
  assert.equal(renderChanges(diffStates(a, b)), [
    '- service tcp 203.0.113.10:2',
    '+ service tcp 203.0.113.10:3 wrr',
    '~ real tcp 203.0.113.10:1 -> 192.0.2.1:1 method dr -> tun, upperThreshold 0 -> 100',
    '~ timeouts tcp 900 -> 600, udp 300 -> 60',
  ].join('\n').replace('192.0.2.1:1', '192.0.2.1:80'));
});

test('HA: added, changed (the key is never shown), removed', () => {
  const ha = { enabled: true, localAddress: '192.0.2.250', peerAddress: '192.0.2.251', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: 'secret1', vips: [] };
  const a = emptyState(), b = { ...emptyState(), ha }, c = { ...emptyState(), ha: { ...ha, priority: 50, key: 'secret2' } };
  assert.equal(renderChanges(diffStates(a, b)), '+ ha peer 192.0.2.251');
  const text = renderChanges(diffStates(b, c));
  assert.equal(text, '~ ha key (secret) -> (secret), priority 100 -> 50');
  assert.doesNotMatch(text, /secret1|secret2/);
  assert.equal(renderChanges(diffStates(c, a)), '- ha settings removed');
});

test('summarizeChanges lists every non-service change and the first N service/real changes, counting the rest', () => {
  const changes = [
    ...Array.from({ length: 7 }, (_, i) => ({ op: '+' as const, kind: 'real' as const, id: `r${i}`, detail: '' })),
    { op: '~' as const, kind: 'ha' as const, id: 'ha', detail: '' },
    ...Array.from({ length: 3 }, (_, i) => ({ op: '-' as const, kind: 'service' as const, id: `s${i}`, detail: '' })),
    { op: '~' as const, kind: 'timeouts' as const, id: 'timeouts', detail: '' },
  ] as unknown as Change[];
  const s = summarizeChanges(changes, 4);
  assert.equal(s.changesOmitted, 6);
  assert.deepEqual(s.changes.map((c) => c.id), ['r0', 'r1', 'r2', 'r3', 'ha', 'timeouts']);
  const all = summarizeChanges(changes, 100);
  assert.equal(all.changesOmitted, 0);
  assert.equal(all.changes, changes);
});

test('diffStatesLimited and diffDeltaLimited list what summarizeChanges(diff, limit) lists, for every limit', () => {
  const a = st(
    svc({ vip: '203.0.113.1', reals: [real('192.0.2.1'), real('192.0.2.2')] }),
    svc({ vip: '203.0.113.2', reals: [real('192.0.2.1')] }),
    svc({ vip: '203.0.113.3', scheduler: 'rr', reals: [real('192.0.2.1'), real('192.0.2.3', { weight: 2 })] }),
  );
  const b = {
    ...st(
      svc({ vip: '203.0.113.3', scheduler: 'wlc', reals: [real('192.0.2.3', { weight: 5 }), real('192.0.2.4')] }),
      svc({ vip: '203.0.113.4', reals: [real('192.0.2.1'), real('192.0.2.2'), real('192.0.2.5')] }),
    ),
    timeouts: { tcp: 1, tcpFin: 2, udp: 3 },
  };
  const full = diffStates(a, b);
  assert.ok(full.length > 8);
  const delta = {
    services: [
      { id: 'tcp|203.0.113.1|80', before: a.services[0], after: undefined, beforeIndex: 0, afterIndex: -1 },
      { id: 'tcp|203.0.113.2|80', before: a.services[1], after: undefined, beforeIndex: 1, afterIndex: -1 },
      { id: 'tcp|203.0.113.3|80', before: a.services[2], after: b.services[0], beforeIndex: 2, afterIndex: 0 },
      { id: 'tcp|203.0.113.4|80', before: undefined, after: b.services[1], beforeIndex: -1, afterIndex: 1 },
    ],
  } as unknown as StateDelta;
  assert.deepEqual(diffDelta(a, b, delta), full);
  for (let limit = 0; limit <= full.length + 1; limit++) {
    const want = summarizeChanges(full, limit);
    assert.deepEqual(diffStatesLimited(a, b, limit), { changes: want.changes, changesOmitted: want.changesOmitted }, `limit ${limit}`);
    assert.deepEqual(diffDeltaLimited(a, b, delta, limit), { changes: want.changes, changesOmitted: want.changesOmitted }, `delta, limit ${limit}`);
  }
  assert.deepEqual(diffStatesLimited(a, b, Infinity), { changes: full, changesOmitted: 0 });
});

test('the same health check with its keys in another order is no change (a state read back and sent again)', () => {
  const check = { type: 'tcp' as const };
  const a = st(svc({ health: { check, interval: 1, onFailure: 'quiesce', timeout: 3, rise: 1, fall: 1 } }));
  const b = st(svc({ health: { check, interval: 1, timeout: 3, rise: 1, fall: 1, onFailure: 'quiesce' } }));
  assert.deepEqual(diffStates(a, b), []);
  const c = st(svc({ health: { check, interval: 2, timeout: 3, rise: 1, fall: 1, onFailure: 'quiesce' } }));
  assert.deepEqual(diffStates(a, c).map((x) => x.fields.map((f) => f.field)), [['health']], 'a real change still shows');
});
