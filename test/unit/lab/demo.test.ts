// Argument parsing of `ipvx demo` (pure): what is accepted, and that bad input gets an
// error naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDemoArgs } from '../../../src/lab/demo.js';

test('demo options: defaults, choices, errors', () => {
  assert.deepEqual(parseDemoArgs([]), { method: 'dr', family: 4, requests: 6, keep: false, clean: false, help: false });
  assert.deepEqual(parseDemoArgs(['--method', 'nat', '--family', '6', '--requests', '10', '--keep']),
    { method: 'nat', family: 6, requests: 10, keep: true, clean: false, help: false });
  assert.throws(() => parseDemoArgs(['--method', 'gre']), /--method 'gre': expected dr, tun or nat/);
  assert.throws(() => parseDemoArgs(['--family', '5']), /--family '5'/);
  assert.throws(() => parseDemoArgs(['--requests', '1']), /--requests '1'/);
  assert.throws(() => parseDemoArgs(['--clean', '--keep']), /--clean takes no other option/);
  assert.throws(() => parseDemoArgs(['extra']), /extra/);
});
