// Expected HTTP status codes as written by people: "200-299,301".
import { fail, ok, type Result } from '../core/result.js';

export type StatusRanges = ReadonlyArray<readonly [number, number]>;

export const DEFAULT_STATUS = '200-299';

export function parseStatusCodes(text: string | undefined): Result<StatusRanges> {
  const src = text?.trim() ? text : DEFAULT_STATUS;
  const ranges: [number, number][] = [];
  for (const part of src.split(',')) {
    const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
    if (!m) return fail('statusCodes', `"${part.trim()}" is not a status code or range (e.g. "200-299,301")`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 100 || hi > 599 || lo > hi) return fail('statusCodes', `"${part.trim()}" is not a range within 100-599`);
    ranges.push([lo, hi]);
  }
  return ok(ranges);
}

export function statusMatches(code: number, ranges: StatusRanges): boolean {
  return ranges.some(([lo, hi]) => code >= lo && code <= hi);
}
