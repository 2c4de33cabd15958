// A labelled form field with the daemon's message under it when it refused that field.
import type { ComponentChildren } from 'preact';

export type Errors = Record<string, string>;

export function Field(p: { label: string; name: string; errors: Errors; hint?: string; children: ComponentChildren; wide?: boolean }) {
  const err = p.errors[p.name];
  const id = `f-${p.name.replace(/[^\w]/g, '-')}`;
  return (
    <div class={`field${p.wide ? ' wide' : ''}${err ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      <div class="control" data-field={p.name}>{p.children}</div>
      {err ? <p class="field-error" id={`${id}-err`} role="alert" data-testid={`error-${p.name}`}>{err}</p> : p.hint ? <p class="hint">{p.hint}</p> : null}
    </div>
  );
}

export const fieldId = (name: string) => `f-${name.replace(/[^\w]/g, '-')}`;

/** Props of an <input> bound to one value of a form's state. */
export function text(name: string, value: string | number | undefined, set: (v: string) => void, errors: Errors) {
  return {
    id: fieldId(name), name, value: value ?? '', 'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${fieldId(name)}-err` : undefined,
    onInput: (e: Event) => set((e.target as HTMLInputElement).value),
  };
}

/**
 * Daemon field errors ("services[3].reals[0].weight") relative to the object a form edits
 * (prefix "services[3].reals[0]"): { weight: message }; the rest is returned apart.
 */
export function errorsUnder(fields: { field: string; message: string }[], prefix: string): { mine: Errors; other: string[] } {
  const mine: Errors = {};
  const other: string[] = [];
  for (const f of fields) {
    if (f.field === prefix) mine[''] = f.message;
    else if (f.field.startsWith(`${prefix}.`)) mine[f.field.slice(prefix.length + 1)] = f.message;
    else if (prefix && f.field.startsWith(`${prefix}[`)) mine[f.field.slice(prefix.length)] = f.message; // a list's rows: "[0].mark"
    else other.push(f.field ? `${f.field}: ${f.message}` : f.message);
  }
  return { mine, other };
}

/** The end of every change form: to the daemon's dry run, or away. */
export function FormActions(p: { onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary">Review change</button>
      <button type="button" onClick={p.onCancel}>Cancel</button>
    </div>
  );
}

/**
 * A list of small records as rows of inputs (HA VIPs, BGP peers): the daemon's errors
 * for `${prefix}[i].${key}` under their input.
 */
export function RowsEditor<K extends string>(p: {
  label: string; columns: readonly { key: K; label: string; secret?: boolean }[]; rows: Record<K, string>[];
  onChange: (rows: Record<K, string>[]) => void; blank: Record<K, string>; prefix: string; errors: Errors; add: string;
}) {
  const set = (i: number, k: K, v: string) => p.onChange(p.rows.map((y, j) => (j === i ? { ...y, [k]: v } : y)));
  return (
    <>
      <table class="plain editor">
        <thead><tr>{p.columns.map((c) => <th key={c.key}>{c.label}</th>)}<th /></tr></thead>
        <tbody>
          {p.rows.map((x, i) => (
            <tr key={i}>
              {p.columns.map((c) => {
                const err = p.errors[`${p.prefix}[${i}].${c.key}`];
                const props = { 'aria-label': `${p.label} ${i + 1} ${c.label}`, autoComplete: 'off', value: x[c.key], onInput: (e: Event) => set(i, c.key, (e.target as HTMLInputElement).value) };
                return (
                  <td key={c.key} class={err ? 'invalid' : ''}>
                    {c.secret ? <input type="password" {...props} /> : <input type="text" {...props} />}
                    {err ? <p class="field-error">{err}</p> : null}
                  </td>
                );
              })}
              <td><button type="button" class="small" onClick={() => p.onChange(p.rows.filter((_, j) => j !== i))}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="small" onClick={() => p.onChange([...p.rows, { ...p.blank }])}>{p.add}</button>
    </>
  );
}
