// Form text to config values. What is not a number is sent as typed: the daemon's
// schema check then names the field ("expected a number, found string ...").

/** "" -> undefined (the default), "12" -> 12, anything else as typed. */
export function num(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** Like num(), with "" -> 0. */
export const num0 = (text: string) => num(text) ?? 0;

export const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** An object without the keys whose value is undefined or "" (absent = default in the config schema). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
