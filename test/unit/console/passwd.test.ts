// The console's password file: scrypt hashes, mode 0600, refused when others can read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLogin, hashPassword, readPasswdFile, setPassword, verifyPassword } from '../../../src/console/passwd.js';

test('a hash verifies its password only; no two hashes of one password are alike; junk never verifies', async () => {
  const a = await hashPassword('s3cret-enough');
  const b = await hashPassword('s3cret-enough');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(a, b, 'salted');
  assert.equal(await verifyPassword('s3cret-enough', a), true);
  assert.equal(await verifyPassword('s3cret-enougH', a), false);
  assert.equal(await verifyPassword('s3cret-enough', 'plain-text'), false);
  assert.equal(await verifyPassword('x', 'scrypt$1048576000$8$1$AAAA$AAAA'), false, 'a cost nobody should pay is refused, not computed');
});

test('setPassword writes NAME:HASH lines, mode 0600 in a 0700 directory, keeps other users, never the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-passwd-'));
  try {
    const f = join(dir, 'console', 'passwd');
    await setPassword(f, 'admin', 'first-password');
    await setPassword(f, 'ops', 'second-password');
    await setPassword(f, 'admin', 'third-password');
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'console')).mode & 0o777, 0o700);
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /password/);
    assert.deepEqual([...readPasswdFile(f).keys()], ['admin', 'ops']);
    assert.equal(await checkLogin(f, 'admin', 'third-password'), true);
    assert.equal(await checkLogin(f, 'admin', 'first-password'), false);
    assert.equal(await checkLogin(f, 'ops', 'second-password'), true);
    assert.equal(await checkLogin(f, 'nobody', 'second-password'), false);
    await assert.rejects(setPassword(f, 'admin', 'short'), /at least 8 characters/);
    await assert.rejects(setPassword(f, 'ad min', 'long-enough'), /user name/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a password file others may read, a missing one and a malformed one are refused with what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-passwd-'));
  try {
    const f = join(dir, 'passwd');
    assert.throws(() => readPasswdFile(f), /no console password file at .*; set a password with: ipvx console passwd --passwd-file/);
    writeFileSync(f, 'admin:scrypt$x\n', { mode: 0o644 });
    chmodSync(f, 0o644);
    assert.throws(() => readPasswdFile(f), /accessible by others \(mode 0644\); make it private: chmod 600/);
    chmodSync(f, 0o600);
    writeFileSync(f, 'garbage line\n');
    assert.throws(() => readPasswdFile(f), /line 1: expected NAME:HASH/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
