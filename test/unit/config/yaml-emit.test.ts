// The state file's YAML writer: whatever it writes, the yaml package reads back equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { yamlMap, yamlSeq, yamlScalar } from '../../../src/config/yaml-emit.js';

const TRICKY = [
  '', ' ', 'yes', 'no', 'on', 'Off', 'y', 'null', '~', 'true', 'False', '1', '-1', '1.5', '.5', '1e3', '0x1f', '0o17', '.inf', '.NaN', '1:20',
  'a: b', 'a:', ':a', '#x', 'a #b', '- x', '[x]', '{x}', '*x', '&x', '!x', '|x', '>x', "'x'", '"x"', '%x', '@x', '`x`', 'x\ny', 'tab\there',
  '2001:db8::', '2001:db8::1', '::1', '192.0.2.1', '/health', '/a b', 'é', '\u0000', 'back\\slash', '200-299', 'GET / HTTP/1.0\r\n\r\n',
];

test('tricky strings read back as the same strings', () => {
  for (const s of TRICKY) {
    assert.deepEqual(YAML.parse(yamlMap({ k: s })), { k: s }, `string ${JSON.stringify(s)} as ${yamlScalar(s)}`);
    assert.deepEqual(YAML.parse(yamlMap({ [s || 'empty']: 1 })), { [s || 'empty']: 1 }, `key ${JSON.stringify(s)}`);
  }
});

test('nested maps, sequences, empty collections, numbers, booleans and undefined read back as JSON would keep them', () => {
  const v = {
    services: [
      { vip: '2001:db8::10', port: 0, flags: [], reals: [{ address: '192.0.2.1', weight: 0, health: { check: { type: 'http', path: '/' } } }], extra: {} },
      { vip: '203.0.113.1', flags: ['sh-port'], nested: [[1, 2], []], gone: undefined, ok: true, ratio: -0.25 },
    ],
    timeouts: { tcp: 900 },
    list: [1, 'a', null, false],
  };
  assert.deepEqual(YAML.parse(yamlMap(v)), JSON.parse(JSON.stringify(v)));
  assert.deepEqual(YAML.parse(yamlSeq([{ a: 1 }, 'b'])), [{ a: 1 }, 'b']);
});

test('plain where plain is safe: addresses and names stay readable', () => {
  assert.equal(yamlMap({ vip: '203.0.113.10', scheduler: 'wrr', v6: '2001:db8::1' }), 'vip: 203.0.113.10\nscheduler: wrr\nv6: 2001:db8::1\n');
});

test('strings written again (memoised, and after the memo was cleared) are written as the first time', () => {
  const many = Array.from({ length: 10_000 }, (_, i) => `${TRICKY[i % TRICKY.length]}${i % 3 ? '' : String(i)}`);
  const first = many.map((s) => yamlScalar(s));
  const again = many.map((s) => yamlScalar(s));
  assert.deepEqual(again, first);
  for (let i = 0; i < many.length; i += 97) assert.equal(YAML.parse(`k: ${first[i]}\n`).k, many[i]);
});
