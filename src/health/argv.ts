// Command lines for exec checks and send programs: split like a shell would split
// words (quotes, backslashes) but never run through a shell, so %h/%p cannot inject.
import { fail, ok, type Result } from '../core/result.js';

export function splitArgv(line: string): Result<string[]> {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return fail('command', `unterminated ${quote} quote in ${JSON.stringify(line)}`);
  if (inWord) out.push(cur);
  if (out.length === 0) return fail('command', 'empty command line');
  return ok(out);
}

/** piranha's %h (real's address) and %p (port) in each argument; %% is a literal %. */
export function substitute(args: string[], target: { address: string; port: number }): string[] {
  return args.map((a) =>
    a.replace(/%([hp%])/g, (_m, k: string) => (k === 'h' ? target.address : k === 'p' ? String(target.port) : '%')),
  );
}
