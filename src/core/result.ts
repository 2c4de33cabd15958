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

export function formatErrors(errors: FieldError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
}
