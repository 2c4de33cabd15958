// A popt-compatible reader of ipvsadm's argv: long options ("--name", "--name=value"),
// clustered short options ("-Ln", "-At 10.0.0.1:80", "-p600"), optional arguments
// (taken from the next word unless it starts with '-'), leftovers in any position, "--".

export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionDef {
  long: string;
  short?: string;
  arg: ArgKind;
  /** What the parser switches on. */
  key: string;
}

export interface ParsedOption {
  key: string;
  value?: string;
  /** The argv word as typed, for messages. */
  raw: string;
}

export type TokenizeResult =
  | { ok: true; options: ParsedOption[]; leftovers: string[] }
  | { ok: false; message: string };

export function tokenizeArgs(argv: readonly string[], defs: readonly OptionDef[]): TokenizeResult {
  const byLong = new Map(defs.map((d) => [d.long, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short!, d]));
  const options: ParsedOption[] = [];
  const leftovers: string[] = [];
  let i = 0;
  let optionsDone = false;
  while (i < argv.length) {
    const word = argv[i++]!;
    if (optionsDone || word === '-' || !word.startsWith('-')) { leftovers.push(word); continue; }
    if (word === '--') { optionsDone = true; continue; }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const def = byLong.get(name);
      if (!def) return { ok: false, message: `${word}: unknown option` };
      const inline = eq < 0 ? undefined : word.slice(eq + 1);
      if (def.arg === 'none') {
        if (inline !== undefined) return { ok: false, message: `${word}: option does not take an argument` };
        options.push({ key: def.key, raw: word });
        continue;
      }
      if (inline !== undefined) { options.push({ key: def.key, value: inline, raw: word }); continue; }
      const next = takeNext(argv, i, def.arg);
      if (next === 'missing') return { ok: false, message: `${word}: missing argument` };
      if (next !== undefined) i++;
      options.push({ key: def.key, value: next, raw: word });
      continue;
    }
    // A cluster of short options.
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      const def = byShort.get(c);
      if (!def) return { ok: false, message: `-${c}: unknown option` };
      if (def.arg === 'none') { options.push({ key: def.key, raw: word }); continue; }
      const rest = word.slice(j + 1);
      if (rest !== '') { options.push({ key: def.key, value: rest.startsWith('=') ? rest.slice(1) : rest, raw: word }); break; }
      const next = takeNext(argv, i, def.arg);
      if (next === 'missing') return { ok: false, message: `-${c}: missing argument` };
      if (next !== undefined) i++;
      options.push({ key: def.key, value: next, raw: word });
      break;
    }
  }
  return { ok: true, options, leftovers };
}

function takeNext(argv: readonly string[], i: number, kind: ArgKind): string | undefined | 'missing' {
  if (i >= argv.length) return kind === 'required' ? 'missing' : undefined;
  const next = argv[i]!;
  if (kind === 'optional' && next.startsWith('-')) return undefined;
  return next;
}
