import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as edit from '../../../src/core/edit.js';
import { editErrorKind, MESSAGES } from '../../../src/core/edit.js';
import type { DesiredState, ServiceSpec, RealSpec } from '../../../src/core/model.js';
import { emptyState } from '../../../src/core/model.js';
import type { Result } from '../../../src/core/result.js';

const real = (address: string, r: Partial<RealSpec> = {}): RealSpec => ({ address, port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...r });
const svc = (s: Partial<ServiceSpec> = {}): ServiceSpec => ({
  vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [], ...s,
});
const KEY = { vip: '203.0.113.10', port: 80, protocol: 'tcp' as const };

function value(r: Result<DesiredState>): DesiredState {
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.value;
}
function error(r: Result<DesiredState>): string {
  assert.ok(!r.ok, 'expected an error');
  return r.ok ? '' : r.errors[0]!.message;
}
/** Run `f` on a frozen deep copy: any mutation of the input throws. */
function frozen(s: DesiredState): DesiredState {
  const deepFreeze = (o: unknown): unknown => { if (o && typeof o === 'object') { Object.freeze(o); Object.values(o).forEach(deepFreeze); } return o; };
  return deepFreeze(structuredClone(s)) as DesiredState;
}

const base = frozen({ ...emptyState(), services: [svc({ reals: [real('192.0.2.1')] })] });

test('addService: new service is appended; a second time "Service already exists"', () => {
  const s = value(edit.addService(base, svc({ port: 443 })));
  assert.deepEqual(s.services.map((x) => x.port), [80, 443]);
  assert.equal(error(edit.addService(base, svc({ scheduler: 'rr' }))), 'Service already exists');
  // Same service written differently is the same service.
  assert.equal(error(edit.addService(frozen({ ...emptyState(), services: [svc({ vip: '2001:db8::10' })] }), svc({ vip: '2001:DB8:0::10' }))), 'Service already exists');
  // Protocol is part of the identity.
  assert.equal(value(edit.addService(base, svc({ protocol: 'udp' }))).services.length, 2);
});

test('editService keeps the reals; unknown service "No such service"', () => {
  const s = value(edit.editService(base, svc({ scheduler: 'rr', persistence: 300 })));
  assert.equal(s.services[0]!.scheduler, 'rr');
  assert.equal(s.services[0]!.persistence, 300);
  assert.deepEqual(s.services[0]!.reals, base.services[0]!.reals);
  assert.equal(error(edit.editService(base, svc({ port: 81 }))), 'No such service');
});

test('deleteService; unknown service "No such service"', () => {
  assert.deepEqual(value(edit.deleteService(base, KEY)).services, []);
  assert.equal(error(edit.deleteService(base, { ...KEY, protocol: 'udp' })), 'No such service');
});

test('addReal: "Destination already exists", port 0 = the service port; missing service "Service not defined"', () => {
  const s = value(edit.addReal(base, KEY, real('192.0.2.2')));
  assert.deepEqual(s.services[0]!.reals.map((r) => r.address), ['192.0.2.1', '192.0.2.2']);
  assert.equal(error(edit.addReal(base, KEY, real('192.0.2.1'))), 'Destination already exists');
  assert.equal(error(edit.addReal(base, KEY, real('192.0.2.1', { port: 0 }))), 'Destination already exists');
  assert.equal(error(edit.addReal(base, { ...KEY, port: 8080 }, real('192.0.2.2'))), 'Service not defined');
});

test('editReal replaces the settings, keeps the health check; unknown real "No such destination"', () => {
  const withHealth = frozen(value(edit.editReal(base, KEY, real('192.0.2.1', { health: { check: { type: 'tcp' }, interval: 1, timeout: 1, rise: 1, fall: 1, onFailure: 'quiesce' } }))));
  const s = value(edit.editReal(withHealth, KEY, real('192.0.2.1', { weight: 3 })));
  assert.equal(s.services[0]!.reals[0]!.weight, 3);
  assert.equal(s.services[0]!.reals[0]!.health?.check.type, 'tcp');
  assert.equal(error(edit.editReal(base, KEY, real('192.0.2.9'))), 'No such destination');
  assert.equal(error(edit.editReal(base, { ...KEY, vip: '203.0.113.11' }, real('192.0.2.1'))), 'Service not defined');
});

test('deleteReal; unknown real "No such destination"', () => {
  assert.deepEqual(value(edit.deleteReal(base, KEY, { address: '192.0.2.1', port: 80 })).services[0]!.reals, []);
  assert.equal(error(edit.deleteReal(base, KEY, { address: '192.0.2.1', port: 81 })), 'No such destination');
});

test('clear removes every service and keeps the timeouts', () => {
  const t = frozen({ ...base, timeouts: { tcp: 1, tcpFin: 2, udp: 3 } });
  assert.deepEqual(value(edit.clear(t)), { services: [], timeouts: { tcp: 1, tcpFin: 2, udp: 3 } });
});

test('setTimeouts: 0 leaves a value unchanged, as ipvsadm --set', () => {
  assert.deepEqual(value(edit.setTimeouts(base, { tcp: 600, tcpFin: 0, udp: 0 })).timeouts, { tcp: 600, tcpFin: 120, udp: 300 });
  assert.deepEqual(value(edit.setTimeouts(base, { tcp: 0, tcpFin: 30, udp: 60 })).timeouts, { tcp: 900, tcpFin: 30, udp: 60 });
});

test('errors map onto API status kinds', () => {
  assert.equal(editErrorKind({ field: 'service', message: MESSAGES.serviceExists }), 'exists');
  assert.equal(editErrorKind({ field: 'real', message: MESSAGES.destExists }), 'exists');
  assert.equal(editErrorKind({ field: 'service', message: MESSAGES.noService }), 'not-found');
  assert.equal(editErrorKind({ field: 'service', message: MESSAGES.serviceNotDefined }), 'not-found');
  assert.equal(editErrorKind({ field: 'real', message: MESSAGES.noDest }), 'not-found');
  assert.equal(editErrorKind({ field: 'x', message: 'anything else' }), 'invalid');
});

test('no edit mutates its input (inputs are frozen)', () => {
  // Every call above ran on frozen states; run the full set once more and compare.
  const before = structuredClone(base);
  edit.addService(base, svc({ port: 1 }));
  edit.editService(base, svc({ scheduler: 'rr' }));
  edit.deleteService(base, KEY);
  edit.addReal(base, KEY, real('192.0.2.5'));
  edit.editReal(base, KEY, real('192.0.2.1', { weight: 9 }));
  edit.deleteReal(base, KEY, real('192.0.2.1'));
  edit.clear(base);
  edit.setTimeouts(base, { tcp: 5, tcpFin: 5, udp: 5 });
  assert.deepEqual(base, before);
});
