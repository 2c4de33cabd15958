// A change in a dialog: the form (or a sentence saying what will happen), then the
// daemon's diff, then Apply. Forms get the daemon's field errors under their prefix.
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { changeFlow, type ChangeFlow } from '../change.js';
import { Dialog } from './Dialog.js';
import { Review } from './Review.js';
import { errorsUnder, type Errors } from './Field.js';

export function useChangeFlow(onDone?: () => void): ChangeFlow {
  return useMemo(() => changeFlow(onDone), []);
}

/**
 * `form(errors)` is shown while editing; its submit calls flow.plan(make). Errors of the
 * daemon under `prefix` go to the form's fields, the others above it.
 */
export function ChangeDialog(p: { title: string; flow: ChangeFlow; prefix: string; onClose: () => void; form: (errors: Errors) => ComponentChildren; wide?: boolean }) {
  const f = p.flow;
  const editing = f.phase.value === 'editing';
  const { mine, other } = errorsUnder(f.fields.value, p.prefix);
  if (mine['']) other.unshift(mine['']);
  const general = f.error.value && !f.fields.value.length ? [f.error.value] : other;
  return (
    <Dialog title={p.title} onClose={p.onClose} wide={p.wide ?? false} testid="change-dialog">
      {editing ? (
        <>
          {general.length ? <div class="error-box" role="alert" data-testid="form-errors">{general.map((e, i) => <p key={i}>{e}</p>)}</div> : null}
          {p.form(mine)}
        </>
      ) : <Review flow={f} onCancel={p.onClose} />}
    </Dialog>
  );
}

/** A change without a form (delete, drain): what it does, then Review. */
export function ConfirmChange(p: { title: string; what: ComponentChildren; make: Parameters<ChangeFlow['plan']>[0]; onClose: () => void }) {
  const flow = useChangeFlow(p.onClose);
  const f = flow;
  return (
    <ChangeDialog title={p.title} flow={f} prefix="" onClose={p.onClose} form={() => (
      <form onSubmit={(e) => { e.preventDefault(); void f.plan(p.make); }}>
        <div class="confirm-what">{p.what}</div>
        <div class="actions">
          <button type="submit" class="primary" autoFocus>Review change</button>
          <button type="button" onClick={p.onClose}>Cancel</button>
        </div>
      </form>
    )} />
  );
}
