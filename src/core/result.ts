// Errors as values: every validation failure names the field and says what is wrong.

export interface FieldError {
  /** Dotted path of the offending field, e.g. "services[2].reals[0].weight". */
  field: string;
  /** What is wrong, in words a person can act on. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(field: string, message: string): Result<T> => ({
  ok: false,
  errors: [{ field, message }],
});

/** Problems spelt out in one message; the rest are counted (4,000 duplicate reals are not 4,000 lines). */
export const MAX_LISTED_ERRORS = 10;
/** Characters of one problem at most: a 10 KB VIP is not echoed back whole. */
export const MAX_ERROR_TEXT = 240;

/**
 * `s` cut to about `max` characters: its start and its end (where a message says what is
 * wrong with the value it quoted) with the number of characters left out between them.
 */
export function clipText(s: string, max = MAX_ERROR_TEXT): string {
  if (s.length <= max) return s;
  const tail = Math.floor(max / 3);
  const head = max - tail;
  return `${s.slice(0, head)}…[${s.length - head - tail} characters]…${s.slice(s.length - tail)}`;
}

/**
 * Errors as one line: the first `max` (each clipped), then how many more. Bounded, as it
 * travels back in a gRPC status (clients give up on large ones) and into logs.
 */
export function formatErrors(errors: readonly FieldError[], max = MAX_LISTED_ERRORS): string {
  const shown = errors.slice(0, max).map((e) => clipText(e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  const more = errors.length - max;
  return more > 0 ? `${shown}; and ${more} more problem${more === 1 ? '' : 's'} (${errors.length} in all)` : shown;
}
