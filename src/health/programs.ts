// Which programs health checks may run, and as whom. An `exec` check, a send-expect
// `sendProgram` and a `command` load source name a program that the daemon (root)
// runs; the name comes from the API. As keepalived's `script_user` and
// `enable_script_security` (keepalived/check/check_misc.c misc_end_handler and
// check_misc_script_security, lib/notify.c set_default_script_user and
// check_script_secure), the local configuration decides instead:
//
// - who: the programs run as an unprivileged user (`--script-user`; by default
//   `ipvx_script` if it exists, else `nobody`, where keepalived falls back to root),
//   without supplementary groups, in /, with a minimal environment;
// - what: only programs the daemon's options allow (`--exec-allow FILE|DIR`), named by
//   their absolute path (no PATH search, which keepalived does and warns about), after
//   resolving links: a link in an allowed directory that leads out of it is not allowed;
// - where from: the program and every directory above it owned by root and not writable
//   by group or others (a sticky directory such as /tmp excepted), as check_script_secure
//   asks of scripts run as root. keepalived disables an insecure script only with
//   enable_script_security; here it is always refused (there is no API client to warn).
//
// A check the policy refuses is refused when the configuration is given (INVALID_ARGUMENT
// naming the field), when the daemon starts, and again before each run.
import { realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, sep } from 'node:path';
import type { DesiredState, HealthSpec, LoadSpec } from '../core/model.js';
import type { FieldError } from '../core/result.js';
import { splitArgv } from './argv.js';
import { findTool, runSync } from '../common/command.js';

export interface ScriptUser { name: string; uid: number; gid: number }

export interface ProgramPolicy {
  /** Who runs the programs (spawn's uid and gid); undefined: the daemon's own user. */
  user?: ScriptUser;
  /** Programs (files) and directories of programs that may run, as given; undefined: any (library use). */
  allow?: readonly string[];
}

/** The environment programs run with: nothing of the daemon's (its variables may hold secrets). */
export const PROGRAM_ENV: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

const ALLOW_HINT = 'allow it with the daemon option --exec-allow PATH (the program or its directory)';

/** A path that is not root's to decide, or undefined: keepalived's check_script_secure rule. */
function unsafe(st: Stats, path: string): string | undefined {
  if (st.uid !== 0) return `${path} is not owned by root (uid ${st.uid})`;
  const stickyDir = st.isDirectory() && (st.mode & 0o1000) !== 0;
  if (!stickyDir && ((st.gid !== 0 && st.mode & 0o020) || st.mode & 0o002)) return `${path} is writable by ${st.mode & 0o002 ? 'everyone' : `group ${st.gid}`}`;
  return undefined;
}

/** The first of `real` (a resolved path; `st` its stat if at hand) and the directories above it that unsafe() refuses, or undefined. */
function unsafePath(real: string, st: Stats = statSync(real)): string | undefined {
  for (let p = real; ; p = dirname(p)) {
    const bad = unsafe(p === real ? st : statSync(p), p);
    if (bad) return bad;
    if (p === dirname(p)) return undefined;
  }
}

function executableBy(st: Stats, user: ScriptUser | undefined): boolean {
  const uid = user?.uid ?? process.getuid?.() ?? 0, gid = user?.gid ?? process.getgid?.() ?? 0;
  if (uid === 0) return (st.mode & 0o111) !== 0;
  if (st.uid === uid) return (st.mode & 0o100) !== 0;
  if (st.gid === gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);

/**
 * The program to run for `argv0` under `policy` (its real path), or why not. Without an
 * allow list (library use) the name is used as it is.
 */
export function resolveProgram(argv0: string, policy: ProgramPolicy): { ok: true; path: string } | { ok: false; why: string } {
  if (!policy.allow) return { ok: true, path: argv0 };
  if (!isAbsolute(argv0)) {
    const found = findTool(argv0);
    return { ok: false, why: `'${argv0}' is not an absolute path: name the program by its path${found ? ` (${found}?)` : ''} and ${ALLOW_HINT}` };
  }
  let real: string;
  try {
    real = realpathSync(argv0);
  } catch (e) {
    return { ok: false, why: `${argv0}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}` };
  }
  const allowed = policy.allow.some((a) => {
    try {
      const r = realpathSync(a);
      return statSync(r).isDirectory() ? within(real, r) : real === r;
    } catch {
      return false;
    }
  });
  if (!allowed) return { ok: false, why: `${argv0}${real !== argv0 ? ` (${real})` : ''} is not a program this daemon may run: ${ALLOW_HINT}` };
  let st: Stats;
  try {
    st = statSync(real);
  } catch (e) {
    return { ok: false, why: `${real}: ${(e as Error).message}` };
  }
  if (!st.isFile()) return { ok: false, why: `${real} is not a regular file` };
  const bad = unsafePath(real, st);
  if (bad) return { ok: false, why: `${real} is not safe to run: ${bad}` };
  if (!executableBy(st, policy.user)) return { ok: false, why: `${real} is not executable by ${policy.user ? `${policy.user.name} (uid ${policy.user.uid}, gid ${policy.user.gid})` : 'the daemon'}` };
  return { ok: true, path: real };
}

/** The program-running parts of a health check or load source: [field under it, command line]. */
function programsOf(h: HealthSpec | undefined, load: LoadSpec | undefined): [string, string][] {
  const out: [string, string][] = [];
  const c = h?.check as { type?: string; command?: string; sendProgram?: string } | undefined;
  if (c?.type === 'exec' && c.command) out.push(['health.check.command', c.command]);
  if (c?.type === 'send-expect' && c.sendProgram) out.push(['health.check.sendProgram', c.sendProgram]);
  if (load?.type === 'command' && load.command) out.push(['load.command', load.command]);
  return out;
}

/**
 * Every program `next` would run that `policy` refuses, as validation errors. Services
 * that are also in `prev` (the same object: validated services are reused as they are)
 * were checked when they came in and are skipped.
 */
export function programErrors(next: DesiredState, policy: ProgramPolicy, prev?: DesiredState): FieldError[] {
  const seen = new Set(prev?.services ?? []);
  const errors: FieldError[] = [];
  const check = (field: string, line: string) => {
    const argv = splitArgv(line);
    if (!argv.ok) { errors.push({ field, message: argv.errors[0]!.message }); return; }
    const r = resolveProgram(argv.value[0]!, policy);
    if (!r.ok) errors.push({ field, message: r.why });
  };
  next.services.forEach((s, i) => {
    if (seen.has(s)) return;
    for (const [f, line] of programsOf(s.health, s.load)) check(`services[${i}].${f}`, line);
    s.reals.forEach((r, j) => { for (const [f, line] of programsOf(r.health, undefined)) check(`services[${i}].reals[${j}].${f}`, line); });
  });
  return errors;
}

/** The default users programs run as, in this order (keepalived: keepalived_script, else root). */
export const DEFAULT_SCRIPT_USERS = ['ipvx_script', 'nobody'];

/** A user by name (uid and primary gid, through NSS: `id`); undefined if there is none. */
export function lookupUser(name: string): ScriptUser | undefined {
  try {
    const uid = Number(runSync('id', ['-u', name]).trim()), gid = Number(runSync('id', ['-g', name]).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The daemon's policy: programs run as `userName` (default: the first of
 * DEFAULT_SCRIPT_USERS that exists) and only those under `allow`, each of which must
 * exist and be root's. Throws with what to change.
 */
export function programPolicy(allow: readonly string[], userName?: string): ProgramPolicy {
  // The first default user that exists: `id` runs only until one is found.
  const user = userName ? lookupUser(userName) : DEFAULT_SCRIPT_USERS.reduce<ScriptUser | undefined>((found, n) => found ?? lookupUser(n), undefined);
  if (!user) throw new Error(userName ? `--script-user ${userName}: no such user` : `none of the users ${DEFAULT_SCRIPT_USERS.join(', ')} exists to run health check programs: create one, or give --script-user`);
  for (const a of allow) {
    if (!isAbsolute(a)) throw new Error(`--exec-allow ${a}: not an absolute path`);
    let real: string;
    try { real = realpathSync(a); } catch (e) { throw new Error(`--exec-allow ${a}: ${(e as Error).message}`); }
    const bad = unsafePath(real);
    if (bad) throw new Error(`--exec-allow ${a}: ${bad} (programs the daemon runs must be root's to change)`);
  }
  return { user, allow: [...allow] };
}
