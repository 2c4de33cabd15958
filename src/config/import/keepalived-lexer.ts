// keepalived.conf as keepalived 2.x reads it (lib/parser.c of keepalived 2.2.7, Debian's
// source package): read_line and decomment, then words and { } blocks.
// - '#' and '!' start a comment anywhere outside "quotes"; '\#' and '\!' are the characters.
// - `include PATTERN`: a glob, relative to the directory of the file that includes it
//   (read_conf_file/open_conf_file chdir there); every message names the file and line.
// - `$NAME=value` defines, `$NAME` / `${NAME}` substitutes; a definition whose line ends
//   with '\' continues on the next lines (a multiline definition: one line per line).
// - `@ID line` is only for the keepalived started with that config id (none here: the line
//   is left out), `@^ID line` is for every other one (kept).
// - `~SEQ(...)` is reported, not expanded.
// I/O is the caller's: opts.readFile and opts.glob.
import { posix as path } from 'node:path';
import type { FieldError } from '../../core/result.js';
import { lineError, type ImportOptions, type UnmappedLine } from './types.js';

export interface Stmt { words: string[]; line: number; text: string; file?: string; block?: Stmt[] }

interface Line { text: string; line: number; file?: string }

/** decomment(): comments, escaped comment characters, surrounding blanks; `cont` for a trailing '\'. */
function decomment(raw: string): { text: string; cont: boolean } {
  let s = raw.replace(/^[ \t]+/, '');
  let quote = false;
  let out = '';
  let cont = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') { quote = !quote; out += c; continue; }
    if (c === '\\') {
      if (i + 1 === s.length) { cont = true; break; }
      if (!quote && (s[i + 1] === '#' || s[i + 1] === '!')) { out += s[i + 1]; i++; continue; }
      out += c + s[i + 1];
      i++;
      continue;
    }
    // A comment ends the text, but a '\\' ending the raw line still continues it (decomment scans on).
    if (!quote && (c === '#' || c === '!')) { cont = /\\$/.test(s.replace(/[ \t]+$/, '')); break; }
    out += c;
  }
  s = out.replace(/[ \t]+$/, '');
  return { text: s, cont };
}

interface Definition { value: string[]; multiline: boolean }

/** The logical lines of a file and everything it includes, in order. */
function readLines(text: string, file: string | undefined, dir: string, opts: ImportOptions, defs: Map<string, Definition>, errors: FieldError[], unmapped: UnmappedLine[], depth: number): Line[] {
  const out: Line[] = [];
  const raw = text.split('\n');
  let open: Definition | undefined;
  for (let i = 0; i < raw.length; i++) {
    const n = i + 1;
    const { text: t, cont } = decomment(raw[i]!.replace(/\r$/, ''));
    if (open) {
      if (t) open.value.push(t);
      if (!cont) open = undefined;
      continue;
    }
    if (!t) continue;
    let body = t;
    const cond = /^@(\^?)(\S+)\s+(.*)$/.exec(body);
    if (cond) {
      if (!cond[1]) { unmapped.push({ line: n, text: raw[i]!.trim(), reason: `conditional configuration for config id '${cond[2]}' (keepalived -i): left out, as keepalived without -i does`, ...(file ? { file } : {}) }); continue; }
      body = cond[3]!;
    }
    const def = /^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(body);
    if (def) {
      const d: Definition = { value: def[2] ? [def[2]] : [], multiline: cont };
      defs.set(def[1]!, d);
      if (cont) open = d;
      continue;
    }
    if (body.startsWith('~SEQ')) { unmapped.push({ line: n, text: raw[i]!.trim(), reason: '~SEQ sequences are not expanded by ipvx: write the lines out', ...(file ? { file } : {}) }); continue; }
    const inc = /^include\s+(\S+)$/.exec(body);
    if (inc) {
      if (!opts.readFile || !opts.glob) { errors.push(lineError(n, `include ${inc[1]}: cannot read included files here (import the file by its path)`, file)); continue; }
      if (depth > 16) { errors.push(lineError(n, `include ${inc[1]}: includes nested more than 16 deep`, file)); continue; }
      const paths = opts.glob(inc[1]!, dir);
      if (!paths.length) unmapped.push({ line: n, text: body, reason: `include ${inc[1]}: no file matches (keepalived: "No config files matched")`, ...(file ? { file } : {}) });
      for (const p of paths) {
        const content = opts.readFile(p);
        if (content === undefined) { errors.push(lineError(n, `include: cannot read ${p}`, file)); continue; }
        out.push(...readLines(content, p, path.dirname(p), opts, defs, errors, unmapped, depth + 1));
      }
      continue;
    }
    for (const expanded of substitute(body, defs)) out.push({ text: expanded, line: n, ...(file ? { file } : {}) });
  }
  return out;
}

/** replace_param: $NAME and ${NAME}; a multiline definition used alone on its line expands to its lines. */
function substitute(line: string, defs: Map<string, Definition>, depth = 0): string[] {
  if (!defs.size || !line.includes('$') || depth > 8) return [line];
  const whole = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(line.trim());
  if (whole && defs.get(whole[1]!)?.multiline) return defs.get(whole[1]!)!.value.flatMap((l) => substitute(l, defs, depth + 1));
  const replaced = line.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string | undefined, b: string | undefined) => {
    const d = defs.get((a ?? b)!);
    return d && !d.multiline ? d.value.join(' ') : m;
  });
  return replaced === line ? [line] : substitute(replaced, defs, depth + 1);
}

/** keepalived.conf into statements and blocks; `{` may open on the keyword's line or the next. */
export function readKeepalived(text: string, opts: ImportOptions = {}): { ok: true; value: Stmt[]; unmapped: UnmappedLine[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const unmapped: UnmappedLine[] = [];
  // The imported file's own messages carry no file name; relative includes start from its directory.
  const lines = readLines(text, undefined, opts.file ? path.dirname(opts.file) : '.', opts, new Map(), errors, unmapped, 0);
  type Tok = { w: string; line: number; file?: string; quoted: boolean; text: string };
  const toks: Tok[] = [];
  for (const l of lines) {
    const re = /"((?:[^"\\]|\\.)*)"|([{}])|([^\s{}"]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(l.text))) {
      const base = { line: l.line, text: l.text, ...(l.file ? { file: l.file } : {}) };
      if (m[1] !== undefined) toks.push({ ...base, w: m[1].replace(/\\(.)/g, '$1'), quoted: true });
      else toks.push({ ...base, w: (m[2] ?? m[3])!, quoted: false });
    }
  }
  let pos = 0;
  const same = (a: Tok, b: Tok) => a.line === b.line && a.file === b.file && a.text === b.text;
  const parseBlock = (depth: number, opener?: Tok): Stmt[] => {
    const out: Stmt[] = [];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.w === '}' && !t.quoted) {
        pos++;
        if (depth === 0) errors.push(lineError(t.line, "'}' without an open block", t.file));
        else return out;
        continue;
      }
      if (t.w === '{' && !t.quoted) { errors.push(lineError(t.line, "'{' without a keyword", t.file)); pos++; continue; }
      const words: string[] = [];
      while (pos < toks.length && same(toks[pos]!, t) && !(['{', '}'].includes(toks[pos]!.w) && !toks[pos]!.quoted)) words.push(toks[pos++]!.w);
      const s: Stmt = { words, line: t.line, text: t.text, ...(t.file ? { file: t.file } : {}) };
      if (pos < toks.length && toks[pos]!.w === '{' && !toks[pos]!.quoted) { pos++; s.block = parseBlock(depth + 1, t); }
      out.push(s);
    }
    if (depth > 0 && opener) errors.push(lineError(opener.line, `block opened here is not closed with '}'`, opener.file));
    return out;
  };
  const stmts = parseBlock(0);
  return errors.length ? { ok: false, errors } : { ok: true, value: stmts, unmapped };
}
