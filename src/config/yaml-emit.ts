// A small block-style YAML writer for plain data (what JSON can hold), for the
// state file: the `yaml` package builds a document tree first and took seconds and
// hundreds of MB for 100,000 reals. The output reads back (YAML 1.2 core schema)
// to exactly the input: strings that could be read as anything else (numbers,
// booleans, null, indicators, spaces) are written double-quoted with JSON's escapes,
// which YAML's double-quoted style shares. `undefined` is left out as JSON does.

/** Plain scalars that YAML 1.2 (or a 1.1 reader) would take for something other than a string. */
const NOT_A_STRING = /^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|[0-9:]+)$/;
/** Plain-safe: no spaces, quotes, '#', flow or other indicators; never starts with an indicator, never ends in ':'. */
const PLAIN = /^[A-Za-z0-9_/.][A-Za-z0-9_/.:@%+=-]*$/;

/** Strings as written, memoised: a state file repeats its keys and most values (two regexes each) 100,000s of times. */
const written = new Map<string, string>();
const WRITTEN_MAX = 4096;

function yamlString(v: string): string {
  let out = written.get(v);
  if (out === undefined) {
    out = PLAIN.test(v) && !v.endsWith(':') && !NOT_A_STRING.test(v) ? v : JSON.stringify(v);
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(v, out);
  }
  return out;
}

export function yamlScalar(v: unknown): string {
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return String(v);
  return 'null';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const defined = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function');

/** The value after "key:" — a scalar on the same line, or a nested block on the next lines at `indent`. */
function afterKey(v: unknown, indent: string): string {
  if (Array.isArray(v)) return v.length ? `\n${yamlSeq(v, indent)}` : ' []\n';
  if (isObject(v)) return defined(v).length ? `\n${yamlMap(v, indent)}` : ' {}\n';
  return ` ${yamlScalar(v)}\n`;
}

/** A mapping, each line at `indent`. */
export function yamlMap(o: Record<string, unknown>, indent = ''): string {
  let out = '';
  for (const k of defined(o)) out += `${indent}${yamlScalar(k)}:${afterKey(o[k], `${indent}  `)}`;
  return out;
}

/** One "- " item of a sequence whose dashes are at `indent`. */
export function yamlSeqItem(v: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (isObject(v) && defined(v).length) {
    // The first key goes on the dash's line, the others line up under it.
    return `${indent}- ${yamlMap(v, inner).slice(inner.length)}`;
  }
  // Nested sequences (not in ipvx's schema) and empty collections: flow style, which is JSON.
  if (Array.isArray(v) || isObject(v)) return `${indent}- ${JSON.stringify(v)}\n`;
  return `${indent}- ${yamlScalar(v)}\n`;
}

export function yamlSeq(a: readonly unknown[], indent = ''): string {
  let out = '';
  for (const v of a) out += yamlSeqItem(v === undefined ? null : v, indent);
  return out;
}
