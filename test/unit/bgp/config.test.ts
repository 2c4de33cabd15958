// BGP scale-out, pure parts: the BIRD config ipvx writes (checked by BIRD's own parser
// when bird is installed), birdc output parsing, which VIPs are announced, and the
// validation of the bgp section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { birdConfig, keepaliveFor, vipPrefix } from '../../../src/bgp/config.js';
import { parseProtocols, parseRoutes } from '../../../src/bgp/bird.js';
import { writeFileAtomic } from '../../../src/config/atomic-write.js';
import { healthyVips, announcedVips, withdrawReason } from '../../../src/bgp/announcer.js';
import { validateState } from '../../../src/core/validate.js';
import { parseConfig } from '../../../src/config/schema.js';
import { emptyState, type BgpSpec, type DesiredState, type ServiceSpec } from '../../../src/core/model.js';
import { haveCommand } from '../../lib/have.js';

const SPEC: BgpSpec = {
  enabled: true, localAs: 65001, routerId: '192.0.2.11', nextHop: '',
  peers: [{ address: '192.0.2.1', as: 65000, port: 0, password: '' }, { address: '2001:db8::1', as: 65000, port: 1179, password: 's3cret' }],
  birdConfig: '/etc/bird/bird.conf', birdSocket: '/run/bird/bird.ctl', holdTime: 3, connectRetry: 1,
};

const hasBird = haveCommand('bird');

test('the config announces exactly the given VIPs to each peer of their family', () => {
  const text = birdConfig(SPEC, ['2001:db8::10', '203.0.113.10', '203.0.113.10']);
  assert.match(text, /router id 192\.0\.2\.11;/);
  assert.match(text, /protocol static ipvx_vips4 \{\n {2}ipv4;\n {2}route 203\.0\.113\.10\/32 blackhole;\n\}/);
  assert.match(text, /protocol static ipvx_vips6 \{\n {2}ipv6;\n {2}route 2001:db8::10\/128 blackhole;\n\}/);
  assert.equal(text.match(/route 203\.0\.113\.10\/32/g)!.length, 1, 'each VIP once');
  assert.match(text, /protocol bgp ipvx_peer1 \{[^}]*neighbor 192\.0\.2\.1 port 179 as 65000;[^}]*ipv4 \{\n {4}import none;\n {4}export where proto = "ipvx_vips4";\n {4}next hop self;/);
  assert.match(text, /protocol bgp ipvx_peer2 \{[^}]*neighbor 2001:db8::1 port 1179 as 65000;[^}]*password "s3cret";[^}]*ipv6 \{[^}]*export where proto = "ipvx_vips6";/);
  assert.match(text, /hold time 3;\n {2}keepalive time 1;\n {2}connect retry time 1;\n {2}error wait time 1, 4;/);
  // Nothing announced: sessions stay, the static protocols are empty.
  const none = birdConfig(SPEC, []);
  assert.doesNotMatch(none, /^ +route /m);
  assert.match(none, /protocol bgp ipvx_peer1/);
  // A next hop is announced only to peers of its family.
  const nh = birdConfig({ ...SPEC, nextHop: '192.0.2.100' }, ['203.0.113.10']);
  assert.match(nh, /ipv4 \{[^}]*next hop address 192\.0\.2\.100;/);
  assert.match(nh, /ipv6 \{[^}]*next hop self;/);
  assert.equal(keepaliveFor(9), 3);
  assert.equal(keepaliveFor(4), 1);
  assert.equal(vipPrefix('2001:db8::10'), '2001:db8::10/128');
});

test('BIRD itself parses the config ipvx writes', { skip: hasBird ? false : 'bird (Debian bird2) is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-bird-'));
  try {
    for (const [i, vips] of [['203.0.113.10', '203.0.113.11', '2001:db8::10'], []].entries()) {
      for (const spec of [SPEC, { ...SPEC, routerId: '', nextHop: '2001:db8::100', holdTime: 90, connectRetry: 5 }]) {
        const f = join(dir, `bird-${i}.conf`);
        writeFileSync(f, birdConfig(spec, vips));
        const r = spawnSync('bird', ['-p', '-c', f], { encoding: 'utf8' });
        assert.equal(r.status, 0, `bird -p refused:\n${r.stderr}\n${readFileSync(f, 'utf8')}`);
      }
    }
    // And a broken file is refused (the check is not vacuous).
    writeFileSync(join(dir, 'bad.conf'), birdConfig(SPEC, []).replace('local as', 'local ass'));
    assert.notEqual(spawnSync('bird', ['-p', '-c', join(dir, 'bad.conf')]).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('birdc output: BGP sessions and static routes', () => {
  const protocols = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     21:38:26.603
ipvx_vips4 Static     master4    up     21:38:26.603
ipvx_peer1 BGP        ---        up     21:38:27.120  Established
ipvx_peer2 BGP        ---        start  2024-01-02 21:38:26  Active        Socket: Connection refused
`;
  assert.deepEqual(parseProtocols(protocols), [
    { name: 'ipvx_peer1', state: 'up', since: '21:38:27.120', info: 'Established' },
    { name: 'ipvx_peer2', state: 'start', since: '2024-01-02 21:38:26', info: 'Active  Socket: Connection refused' },
  ]);
  const routes = `BIRD 2.0.12 ready.
Table master4:
203.0.113.10/32      blackhole [ipvx_vips4 21:38:26.603] * (200)
203.0.113.11/32      blackhole [ipvx_vips4 21:38:26.603] * (200)
Table master6:
2001:db8::10/128     blackhole [ipvx_vips6 21:38:26.603] * (200)
`;
  assert.deepEqual(parseRoutes(routes), ['203.0.113.10/32', '203.0.113.11/32', '2001:db8::10/128']);
  assert.deepEqual(parseRoutes('BIRD 2.0.12 ready.\n'), []);
});

test('writeFileAtomic replaces the file whole and leaves no temporary behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-atomic-'));
  try {
    const f = join(dir, 'sub', 'bird.conf');
    writeFileAtomic(f, 'one\n');
    writeFileAtomic(f, 'two\n');
    assert.equal(readFileSync(f, 'utf8'), 'two\n');
    assert.deepEqual(spawnSync('ls', ['-A', join(dir, 'sub')], { encoding: 'utf8' }).stdout.trim().split('\n'), ['bird.conf']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const svc = (vip: string, port: number, weights: number[]): ServiceSpec => ({
  vip, port, protocol: 'tcp', scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
  reals: weights.map((w, i) => ({ address: `198.51.100.${21 + i}`, port, method: 'dr', weight: w, upperThreshold: 0, lowerThreshold: 0 })),
});

test('a VIP is announced while one of its services has a real that takes new flows', () => {
  const s: DesiredState = {
    ...emptyState(),
    services: [svc('203.0.113.10', 80, [0, 1]), svc('203.0.113.11', 80, [0, 0]), svc('203.0.113.11', 443, []), svc('203.0.113.12', 80, [0]), svc('203.0.113.12', 443, [2])],
  };
  assert.deepEqual(healthyVips(s), ['203.0.113.10', '203.0.113.12']);
  assert.deepEqual(announcedVips(s, { stopping: false, role: 'standalone' }), ['203.0.113.10', '203.0.113.12']);
  assert.deepEqual(announcedVips(s, { stopping: false, role: 'active' }), ['203.0.113.10', '203.0.113.12']);
  assert.deepEqual(announcedVips(s, { stopping: true, role: 'standalone' }), []);
  assert.deepEqual(announcedVips(s, { stopping: false, role: 'fault' }), []);
  assert.deepEqual(announcedVips(s, { stopping: false, role: 'standby' }), []);
  assert.match(withdrawReason({ stopping: false, role: 'fault' })!, /fault/);
  assert.equal(withdrawReason({ stopping: false, role: 'standalone' }), undefined);
});

test('the bgp section: defaults, canonical addresses, and every bad field named', () => {
  const yaml = `bgp:
  enabled: true
  localAs: 65001
  routerId: 192.0.2.11
  peers:
    - { address: "2001:DB8:0::1", as: 65000 }
`;
  const r = parseConfig(yaml, (s) => validateState(s));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.value.state.bgp, {
    enabled: true, localAs: 65001, routerId: '192.0.2.11', nextHop: '', peers: [{ address: '2001:db8::1', as: 65000, port: 0, password: '' }],
    birdConfig: '/etc/bird/bird.conf', birdSocket: '/run/bird/bird.ctl', holdTime: 9, connectRetry: 5,
  });
  const bad = validateState({
    ...emptyState(),
    bgp: {
      ...SPEC, localAs: 0, routerId: '2001:db8::1', nextHop: '203.0.113.x', holdTime: 2, connectRetry: 0, birdConfig: 'bird.conf', birdSocket: '/run/"x',
      peers: [{ address: '192.0.2.1', as: 70000000000, port: 70000, password: 'a"b' }, { address: '192.0.2.1', as: 65000, port: 0, password: '' }],
    },
  });
  assert.ok(!bad.ok);
  const fields = bad.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, [
    'bgp.birdConfig', 'bgp.birdSocket', 'bgp.connectRetry', 'bgp.holdTime', 'bgp.localAs', 'bgp.nextHop', 'bgp.peers[0].as',
    'bgp.peers[0].password', 'bgp.peers[0].port', 'bgp.peers[1].address', 'bgp.routerId',
  ]);
  const noPeers = validateState({ ...emptyState(), bgp: { ...SPEC, peers: [] } });
  assert.ok(!noPeers.ok && noPeers.errors[0]!.field === 'bgp.peers');
  const wrongFamily = validateState({ ...emptyState(), bgp: { ...SPEC, peers: [SPEC.peers[0]!], nextHop: '2001:db8::5' } });
  assert.ok(!wrongFamily.ok && /family/.test(wrongFamily.errors[0]!.message));
  // Off: not checked (as ha), kept as given.
  assert.ok(validateState({ ...emptyState(), bgp: { ...SPEC, enabled: false, localAs: 0 } }).ok);
  // Unknown keys are refused by the schema.
  const typo = parseConfig('bgp:\n  enabled: true\n  localASN: 1\n', (s) => validateState(s));
  assert.ok(!typo.ok && typo.errors[0]!.message.includes('unknown field'));
});
