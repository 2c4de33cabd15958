// The console's password file: one line per user, "NAME:scrypt$N$r$p$SALT$HASH" (salt and
// hash base64), mode 0600, never a password in clear. `ipvx console passwd` writes it (as
// piranha-passwd did); the console reads it at each login, so a new password takes effect
// without a restart.
import { scrypt as scryptCb, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../config/atomic-write.js';

export const DEFAULT_PASSWD_FILE = '/var/lib/ipvx/console/passwd';
export const DEFAULT_USER = 'admin';

/** scrypt cost: N=2^15, r=8 (32 MiB, ~0.1 s here): OWASP's minimum for scrypt. */
const PARAMS = { N: 1 << 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Passwords longer than this are refused before hashing (bounded work per login). */
export const MAX_PASSWORD_BYTES = 1024;
export const MIN_PASSWORD_LENGTH = 8;
const USER_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function scrypt(password: string, salt: Buffer, p: typeof PARAMS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEY_BYTES, { ...p, maxmem: 256 * p.N * p.r }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

export function checkUserName(user: string): string | undefined {
  return USER_RE.test(user) ? undefined : `user name '${user.slice(0, 80)}': 1-64 characters of A-Z a-z 0-9 _ . -`;
}

export function checkNewPassword(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `the password must have at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}

/** "scrypt$N$r$p$salt$hash" for a new password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches a stored hash; false for a malformed hash (never throws on input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounded: a hand-edited file must not make a login cost gigabytes.
  if (N < 2 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const want = Buffer.from(m[5]!, 'base64');
  if (want.length < 16) return false;
  const got = await scrypt(password, Buffer.from(m[4]!, 'base64'), { N, r, p }).catch(() => undefined);
  return !!got && got.length === want.length && timingSafeEqual(got, want);
}

export class PasswdFileError extends Error {
  override name = 'PasswdFileError';
  /** There is no file at all (setPassword creates it). */
  constructor(message: string, readonly missing = false) { super(message); }
}

/** user -> hash. Refuses a file others can read or write (as ssh does with keys). */
export function readPasswdFile(path: string): Map<string, string> {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PasswdFileError(`no console password file at ${path}; set a password with: ipvx console passwd${path === DEFAULT_PASSWD_FILE ? '' : ` --passwd-file ${path}`}`, true);
    throw new PasswdFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new PasswdFileError(`${path} is not a regular file`);
  if (st.size > 1 << 20) throw new PasswdFileError(`${path} is larger than 1 MiB: not a console password file`);
  if (st.mode & 0o077) throw new PasswdFileError(`${path} is accessible by others (mode 0${(st.mode & 0o777).toString(8)}); make it private: chmod 600 ${path}`);
  const users = new Map<string, string>();
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const c = line.indexOf(':');
    const user = line.slice(0, c);
    if (c < 0 || checkUserName(user)) throw new PasswdFileError(`${path}: line ${i + 1}: expected NAME:HASH`);
    users.set(user, line.slice(c + 1).trim());
  });
  return users;
}

/** Set (or replace) one user's password; the file is written atomically, mode 0600, its directory 0700. */
export async function setPassword(path: string, user: string, password: string): Promise<void> {
  const bad = checkUserName(user) ?? checkNewPassword(password);
  if (bad) throw new PasswdFileError(bad);
  let users = new Map<string, string>();
  try {
    users = readPasswdFile(path);
  } catch (e) {
    // A missing file is created; any other problem (foreign mode, bad line) is the operator's to see.
    if (!(e instanceof PasswdFileError && e.missing)) throw e;
  }
  users.set(user, await hashPassword(password));
  writeFileAtomic(path, [...users].map(([u, h]) => `${u}:${h}\n`).join(''), { mode: 0o600, dirMode: 0o700 });
}

/**
 * Check a login against the file. A user that does not exist costs a hash as well, so
 * the answer's timing does not tell which user names exist.
 */
export async function checkLogin(path: string, user: string, password: string): Promise<boolean> {
  const users = readPasswdFile(path);
  const stored = users.get(user);
  if (stored === undefined) {
    await verifyPassword(password, DUMMY_HASH);
    return false;
  }
  return verifyPassword(password, stored);
}

/** A hash of nothing anyone knows, with the default cost (for unknown users). */
const DUMMY_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${randomBytes(SALT_BYTES).toString('base64')}$${randomBytes(KEY_BYTES).toString('base64')}`;
