// Options of a sub-benchmark. run.js passes every sub-benchmark the same options, so
// each parses leniently (an option of another benchmark is ignored, not an error) and
// knows the common ones: --rounds N and --quick.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface BenchArgs {
  /** --quick: a shorter run. */
  quick: boolean;
  /** A boolean option. */
  flag(name: string): boolean;
  /** A string option, undefined when absent. */
  str(name: string): string | undefined;
  /** A numeric option: `full` when absent (`quick` instead under --quick); throws on a non-number. */
  num(name: string, full: number, quick?: number): number;
}

export function benchArgs(options: Options, argv = process.argv.slice(2)): BenchArgs {
  const all: Options = { rounds: { type: 'string' }, quick: { type: 'boolean' }, ...options };
  const { values } = parseArgs({ args: argv, options: all, strict: false, allowPositionals: true });
  const str = (name: string): string | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`--${name} needs a value`);
    return v;
  };
  const quick = values.quick === true;
  return {
    quick,
    flag: (name) => values[name] === true,
    str,
    num: (name, full, quickValue = full) => {
      const v = str(name);
      if (v === undefined) return quick ? quickValue : full;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} ${v}: not a number`);
      return n;
    },
  };
}
