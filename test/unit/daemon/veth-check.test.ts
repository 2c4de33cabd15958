// The warning `ipvx daemon start` gives for a veth it attaches to (src/daemon/veth-check.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vethAdvice } from '../../../src/daemon/veth-check.js';
import { startWarnings } from '../../../src/daemon/main.js';

const VETH_INFO = 'driver: veth\nversion: 1.0\nbus-info: \n';
const features = (tx: 'on' | 'off') => `Features for va:\nrx-checksumming: on\ntx-checksumming: ${tx}\n\ttx-checksum-ipv4: off [fixed]\ngeneric-receive-offload: off\n`;

test('a veth with TX checksum offload on: turn it off here and on the peer, and give the peer an XDP program', () => {
  const w = vethAdvice('va', VETH_INFO, features('on'))!;
  assert.match(w, /^va is a veth: TX checksum offload is on here \(turn it off: ethtool -K va tx off\); on its peer, turn TX checksum offload off \(ethtool -K <peer> tx off/);
  assert.match(w, /attach an XDP program .*ipvx_pass\.bpf\.o/);
  assert.match(w, /only GRO on, some arrive late or are lost/);
});

test('a veth with TX checksum offload off still gets the peer\'s conditions; other drivers nothing', () => {
  const w = vethAdvice('va', VETH_INFO, features('off'))!;
  assert.doesNotMatch(w, /on here/);
  assert.match(w, /^va is a veth: on its peer, turn TX checksum offload off/);
  assert.equal(vethAdvice('eth0', 'driver: virtio_net\n', features('on')), undefined);
});

test('ipvx daemon start shows the warnings its daemon logged', () => {
  const log = [
    JSON.stringify({ level: 30, msg: 'serving' }),
    JSON.stringify({ level: 40, msg: 'va is a veth: ...' }),
    'not json',
    JSON.stringify({ level: 50, msg: 'worse' }),
  ].join('\n');
  assert.deepEqual(startWarnings(log), ['va is a veth: ...', 'worse']);
});
