// piranha's expect: "*" = any answer, a regex when useRegex, else the text must
// appear in the answer (after \r \n \\ escapes are applied).
import { fail, ok, type Result } from '../core/result.js';
import { unescape } from './escapes.js';

export type Matcher = (answer: string) => boolean;

export function expectMatcher(expect: string, useRegex: boolean): Result<Matcher> {
  if (expect === '*') return ok((a) => a.length > 0);
  if (useRegex) {
    try {
      const re = new RegExp(expect);
      return ok((a) => re.test(a));
    } catch (err) {
      return fail('expect', `not a valid regex: ${(err as Error).message}`);
    }
  }
  const want = unescape(expect);
  return ok((a) => a.includes(want));
}

/** The answer as shown in a reason: printable, short. */
export function preview(answer: string): string {
  const s = JSON.stringify(answer.length > 40 ? answer.slice(0, 40) + '…' : answer);
  return s;
}
