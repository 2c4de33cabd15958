import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExec } from '../../../src/health/exec.js';
import { SHORT, TIMEOUT } from './servers.js';

const t = { address: '192.0.2.10', port: 53 };
const sh = (script: string) => `/bin/sh -c '${script}'`;

test('exec: exit 0 is up, exit 1 is down', async () => {
  const up = await checkExec(t, { type: 'exec', command: sh('exit 0') }, TIMEOUT);
  assert.equal(up.ok, true);
  assert.equal(up.reason, 'exit 0');
  const down = await checkExec(t, { type: 'exec', command: sh('exit 1') }, TIMEOUT);
  assert.equal(down.ok, false);
  assert.equal(down.reason, 'exit 1');
});

test('exec: without dynamicWeight any non-zero exit is down', async () => {
  const r = await checkExec(t, { type: 'exec', command: sh('exit 7') }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.equal(r.weight, undefined);
});

test('exec: misc_dynamic exit codes 2..255 are up with weight = code - 2', async () => {
  const r = await checkExec(t, { type: 'exec', command: sh('exit 7'), dynamicWeight: true }, TIMEOUT);
  assert.equal(r.ok, true);
  assert.equal(r.weight, 5);
  const top = await checkExec(t, { type: 'exec', command: sh('exit 255'), dynamicWeight: true }, TIMEOUT);
  assert.equal(top.weight, 253);
  const one = await checkExec(t, { type: 'exec', command: sh('exit 1'), dynamicWeight: true }, TIMEOUT);
  assert.equal(one.ok, false);
});

test('exec: arguments are split without a shell and get %h/%p', async () => {
  // test(1) checks the substituted arguments; a shell would have expanded $HOME.
  const r = await checkExec(t, { type: 'exec', command: 'test "%h:%p" = 192.0.2.10:53' }, TIMEOUT);
  assert.equal(r.ok, true, r.reason);
  const lit = await checkExec(t, { type: 'exec', command: `test '$HOME' = '$HOME'` }, TIMEOUT);
  assert.equal(lit.ok, true);
});

test('exec: a program that hangs is killed and down with timeout', async () => {
  const r = await checkExec(t, { type: 'exec', command: 'sleep 30' }, SHORT);
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'timeout');
});

test('exec: a missing program is down and named', async () => {
  const r = await checkExec(t, { type: 'exec', command: '/nonexistent/check_dns 192.0.2.10' }, TIMEOUT);
  assert.equal(r.ok, false);
  assert.match(r.reason, /cannot run \/nonexistent\/check_dns/);
});
