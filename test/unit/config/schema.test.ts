// The config file is the proto's DesiredState in YAML: the schema's fields must be the
// proto's, and a rich state must survive GetConfig -> ApplyConfig unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { PROTO_PATH } from '../../../src/api/proto.js';
import { SHAPES } from '../../../src/config/schema.js';
import { validateState } from '../../../src/core/validate.js';
import type { DesiredState } from '../../../src/core/model.js';
import { harness } from '../api/harness.js';

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

test('every config-file field is a proto field and the other way round', () => {
  const root = protobuf.loadSync(PROTO_PATH);
  for (const [name, shape] of Object.entries(SHAPES)) {
    const type = root.lookupType(`ipvx.v1.${name}`);
    // The serial is the API's (GetConfig's compare-and-swap revision), not a config-file field.
    const apiOnly = name === 'DesiredState' ? ['serial'] : [];
    assert.deepEqual(Object.keys(shape).sort(), type.fieldsArray.map((f) => camel(f.name)).filter((f) => !apiOnly.includes(f)).sort(), name);
  }
});

const RICH: DesiredState = {
  services: [
    {
      vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
      reals: [
        { address: '192.0.2.1', port: 80, method: 'dr', weight: 0, upperThreshold: 100, lowerThreshold: 10,
          health: { check: { type: 'http', path: '/healthz', host: 'www.example.com', statusCodes: '200', verifyTls: true }, interval: 2, timeout: 1, rise: 2, fall: 3, onFailure: 'remove', alpha: true, delayBeforeRetry: 1 } },
        { address: '192.0.2.2', port: 80, method: 'dr', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
      ],
      health: { check: { type: 'tcp' }, interval: 6, timeout: 3, rise: 1, fall: 1, onFailure: 'quiesce' },
      sorryServer: { address: '192.0.2.200', port: 80, method: 'dr' },
      quorum: 2, hysteresis: 1,
      load: { type: 'agent', port: 9999, interval: 5, bounds: { min: 1, max: 100 } },
    },
    {
      vip: '2001:db8::10', port: 0, protocol: 'udp', scheduler: 'mh', flags: ['mh-fallback', 'mh-port'], persistence: 3600, persistenceMask: '/64', method: 'tun',
      reals: [{ address: '198.51.100.7', port: 0, method: 'tun', weight: 65535, upperThreshold: 0, lowerThreshold: 0 }],
    },
  ],
  timeouts: { tcp: 600, tcpFin: 30, udp: 60 },
  ha: {
    enabled: true, localAddress: '192.0.2.250', peerAddress: '192.0.2.251', port: 539, keepalive: 1.5, deadtime: 5, priority: 150, preempt: false,
    preemptDelay: 10, key: 'k3y', vips: [{ address: '203.0.113.10', prefixLength: 24, interface: 'eth0' }],
  },
};

test('a rich state goes through ApplyConfig and GetConfig unchanged, and applying it again changes nothing', async () => {
  const v = validateState(RICH);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  assert.deepEqual(v.value, RICH, 'the fixture is already normal');
  const h = await harness();
  try {
    const r = await h.client.applyConfig(RICH as never);
    assert.equal(r.applied, true);
    assert.deepEqual(h.controller.current, RICH);
    assert.deepEqual(h.dp.applied, RICH);
    const got = await h.client.getConfig();
    assert.deepEqual(await h.client.applyConfig(got), { changes: [], applied: false, changesOmitted: 0, serial: got.serial });
    assert.deepEqual(h.controller.current, RICH);
  } finally { await h.close(); }
});
