// What every importer returns: the state it could build, and every line it could not
// map (never dropped silently). A file that cannot be read yields errors and no state.
import type { DesiredState } from '../../core/model.js';
import type { FieldError, Result } from '../../core/result.js';

export interface UnmappedLine {
  line: number;
  text: string;
  reason: string;
  /** The file the line is in, when it is not the imported configuration itself (an iptables-save file). */
  file?: string;
}

/** Options every importer takes. */
export interface ImportOptions {
  /** An iptables-save file's text: its MARK rules become the mark rules of fwmark services. */
  iptablesSave?: { text: string; file: string };
}

export interface ImportResult {
  state: DesiredState;
  unmapped: UnmappedLine[];
}

export type ImportOutcome = Result<ImportResult>;

/** A line-numbered error: formatErrors() prints "line 12: ...". */
export const lineError = (line: number, message: string): FieldError => ({ field: `line ${line}`, message });
