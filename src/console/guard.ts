// What the console never shows and never lets a browser set. Pure.
//
// Shown masked: the HA key and BGP peer passwords. The browser gets MASK in their place
// and sends MASK back for "unchanged"; restoreSecrets puts the daemon's value back.
//
// Not settable from a browser: programs the daemon runs as root (exec health checks,
// send programs, load commands) and the files it writes (BIRD's config and socket). A
// console user could otherwise run any command on the director; they come from the
// configuration file on the director (`ipvx apply -f`), and the console keeps those in
// place as they are.
import { BGP_DEFAULTS, type DesiredState, type HealthSpec, type ServiceSpec } from '../core/model.js';
import type { FieldError } from '../core/result.js';

export const MASK = '(unchanged)';

/** The config file's plain shape (src/config/schema.ts), as JSON from the browser. */
type Plain = Record<string, any>;

/** The state as the browser sees it: secrets replaced by MASK (a copy). */
export function redactSecrets(plain: Plain): Plain {
  const out = structuredClone(plain);
  if (out.ha?.key) out.ha.key = MASK;
  for (const p of out.bgp?.peers ?? []) if (p.password) p.password = MASK;
  return out;
}

/** MASK back to the daemon's values; a masked peer password without a peer of that address is an error. */
export function restoreSecrets(next: Plain, current: DesiredState): { state: Plain; errors: FieldError[] } {
  const out = structuredClone(next);
  const errors: FieldError[] = [];
  if (out.ha?.key === MASK) out.ha.key = current.ha?.key ?? '';
  (out.bgp?.peers ?? []).forEach((p: Plain, i: number) => {
    if (p.password !== MASK) return;
    const was = current.bgp?.peers.find((x) => x.address === p.address);
    if (was) p.password = was.password;
    else errors.push({ field: `bgp.peers[${i}].password`, message: 'a new peer\'s password must be typed in' });
  });
  return { state: out, errors };
}

const LOCAL_ONLY = 'is set in the configuration file on the director (ipvx apply -f), not in the console: it runs a program as root';

function programsOf(h: HealthSpec | undefined): string[] {
  if (!h) return [];
  const c = h.check as { type: string; command?: string; sendProgram?: string };
  return [c.command, c.sendProgram].filter((x): x is string => !!x);
}

function servicePrograms(s: ServiceSpec): string[] {
  const load = s.load && s.load.type === 'command' ? [s.load.command] : [];
  return [...programsOf(s.health), ...load, ...s.reals.flatMap((r) => programsOf(r.health))];
}

/**
 * Errors for every program in `next` that the current state does not already run, and
 * for BIRD paths that differ from the current ones (or the defaults).
 */
export function checkLocalOnly(next: DesiredState, current: DesiredState): FieldError[] {
  const known = new Set(current.services.flatMap(servicePrograms));
  const errors: FieldError[] = [];
  const check = (h: HealthSpec | undefined, at: string) => {
    const c = h?.check as { command?: string; sendProgram?: string } | undefined;
    if (c?.command && !known.has(c.command)) errors.push({ field: `${at}.check.command`, message: `the command of an exec check ${LOCAL_ONLY}` });
    if (c?.sendProgram && !known.has(c.sendProgram)) errors.push({ field: `${at}.check.sendProgram`, message: `a send program ${LOCAL_ONLY}` });
  };
  next.services.forEach((s, i) => {
    check(s.health, `services[${i}].health`);
    if (s.load?.type === 'command' && !known.has(s.load.command)) errors.push({ field: `services[${i}].load.command`, message: `a load command ${LOCAL_ONLY}` });
    s.reals.forEach((r, j) => check(r.health, `services[${i}].reals[${j}].health`));
  });
  if (next.bgp) {
    for (const k of ['birdConfig', 'birdSocket'] as const) {
      const was = current.bgp?.[k];
      if (was !== undefined ? next.bgp[k] !== was : next.bgp[k] !== BGP_DEFAULTS[k]) {
        errors.push({ field: `bgp.${k}`, message: `BIRD's files are set in the configuration file on the director (ipvx apply -f), not in the console (now ${was ?? BGP_DEFAULTS[k]})` });
      }
    }
  }
  return errors;
}
