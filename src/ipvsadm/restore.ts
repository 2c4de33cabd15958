// ipvsadm -R: one command per line, as -S prints them. Unlike ipvsadm (which applies
// lines as it reads them and stops at the first bad one), every line is checked first
// and nothing is returned unless all are good. Like ipvsadm's config_stream_read,
// words are split on blanks and a leading "ipvsadm" word is skipped; unlike it, blank
// lines and '#' comments are ignored (ipvsadm chokes on comments).
import type { FieldError, Result } from '../core/result.js';
import type { IpvsadmCommand } from './command.js';
import { parseIpvsadmArgs } from './parse.js';

/** Commands that change the table; the others make no sense inside -R input. */
const RESTORABLE = new Set<IpvsadmCommand['kind']>([
  'add-service', 'edit-service', 'delete-service', 'add-server', 'edit-server', 'delete-server', 'clear', 'set', 'zero',
]);

export interface RestoreLine {
  line: number;
  command: IpvsadmCommand;
}

/** Split one line into argv words; undefined for a line with nothing to do. */
export function restoreLineWords(text: string): string[] | undefined {
  const hash = text.indexOf('#');
  const body = hash >= 0 ? text.slice(0, hash) : text;
  const words = body.split(/[ \t\r]+/).filter((w) => w !== '');
  if (words[0] === 'ipvsadm' || words[0] === 'ipvx') words.shift();
  return words.length > 0 ? words : undefined;
}

export function parseRestoreLines(text: string): Result<RestoreLine[]> {
  const out: RestoreLine[] = [];
  const errors: FieldError[] = [];
  text.split('\n').forEach((raw, i) => {
    const words = restoreLineWords(raw);
    if (!words) return;
    const field = `line ${i + 1}`;
    const r = parseIpvsadmArgs(words);
    if (!r.ok) { for (const e of r.errors) errors.push({ ...e, field }); return; }
    if (!RESTORABLE.has(r.value.kind)) {
      errors.push({ field, message: `'${words.join(' ')}' cannot be used in restore input: only commands that change the table can` });
      return;
    }
    out.push({ line: i + 1, command: r.value });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

/** parseRestoreInput: the commands of -R input, or the numbered bad lines. */
export function parseRestoreInput(text: string): Result<IpvsadmCommand[]> {
  const r = parseRestoreLines(text);
  return r.ok ? { ok: true, value: r.value.map((l) => l.command) } : r;
}
