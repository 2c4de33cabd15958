// What every importer returns: the state it could build, and every line it could not
// map (never dropped silently). A file that cannot be read yields errors and no state.
import type { DesiredState } from '../../core/model.js';
import type { FieldError, Result } from '../../core/result.js';
import type { ServiceNames } from '../../common/services.js';

export interface UnmappedLine {
  line: number;
  text: string;
  reason: string;
  /** The file the line is in, when not the imported file itself (keepalived include). */
  file?: string;
}

/** Counts for the summary line: what came over, what was left out, what the operator must complete. */
export interface ImportSummary {
  services: number;
  reals: number;
  /** Whole virtual servers / reals not imported (an import with any exits non-zero unless --partial). */
  droppedServices: number;
  droppedReals: number;
  /** Lines reported as not imported. */
  skipped: number;
}

export interface ImportResult {
  state: DesiredState;
  unmapped: UnmappedLine[];
  /** Where each service (by index in state.services) and real came from, to name the source line of an error. */
  origins?: { service: number; real?: number; line: number; file?: string }[];
  /** Which format was read. */
  format?: ImportFormat;
  /** Notes for the operator that are not about one line (the HA role chosen, the key's source). */
  notes?: string[];
  summary?: ImportSummary;
}

export type ImportOutcome = Result<ImportResult>;

export type ImportFormat = 'ipvsadm' | 'lvs.cf' | 'keepalived';

/**
 * What importers may need from outside, passed in so they stay pure: the CLI reads files,
 * /etc/services and the local addresses; tests pass their own.
 */
export interface ImportOptions {
  format?: ImportFormat;
  /** Path of the imported file (relative includes are resolved against its directory). */
  file?: string;
  /** Read a file (keepalived include); undefined when it cannot be read. */
  readFile?: (path: string) => string | undefined;
  /** Expand an include pattern (glob, relative to dir) into paths, sorted as glob(3) sorts. */
  glob?: (pattern: string, dir: string) => string[];
  /** /etc/services for port names (lvs.cf `port = http`, ipvsadm -S without -n). */
  services?: ServiceNames;
  /** Host name -> address, only when the operator asked for it (--resolve-hosts). */
  resolveHost?: (name: string) => string | undefined;
  /** This machine's addresses (lvs.cf: which director this is, as pulse decides). */
  localAddresses?: string[];
  /** lvs.cf: the role, overriding the local addresses. */
  role?: 'primary' | 'backup';
  /** --iptables: an iptables-save file's text; its MARK rules become the mark rules of fwmark services. */
  iptablesSave?: { text: string; file: string };
}

/**
 * An importer's successful outcome: the unmapped lines in file and line order, and the
 * summary counted from the state (what came over) and what the importer left out.
 */
export function imported(
  format: ImportFormat, state: DesiredState, unmapped: UnmappedLine[],
  extra: Pick<ImportResult, 'origins' | 'notes'> & { droppedServices?: number; droppedReals?: number } = {},
): ImportOutcome {
  unmapped.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line);
  const { droppedServices = 0, droppedReals = 0, ...rest } = extra;
  return {
    ok: true,
    value: {
      state, unmapped, ...rest, format,
      summary: { services: state.services.length, reals: state.services.reduce((n, x) => n + x.reals.length, 0), droppedServices, droppedReals, skipped: unmapped.length },
    },
  };
}

/** A line-numbered error: formatErrors() prints "line 12: ..." (or "FILE: line 12: ..." for an included file). */
export const lineError = (line: number, message: string, file?: string): FieldError =>
  ({ field: file ? `${file}: line ${line}` : `line ${line}`, message });
