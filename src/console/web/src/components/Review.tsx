// The second step of every change: the daemon's dry run as a diff, then Apply. Also the
// conflict view when someone else changed the configuration meanwhile.
import { useEffect, useRef } from 'preact/hooks';
import type { ChangeFlow } from '../change.js';

export function ChangeList(p: { changes: { op: string; kind: string; detail: string }[]; omitted?: number }) {
  if (!p.changes.length) return <p class="muted">No changes: the configuration already is like this.</p>;
  return (
    <ul class="diff" data-testid="diff">
      {p.changes.map((c, i) => (
        <li key={i} class={c.op === '+' ? 'add' : c.op === '-' ? 'del' : 'mod'}>
          <span class="op">{c.op}</span> <span class="kind">{c.kind}</span> {c.detail}
        </li>
      ))}
      {p.omitted ? <li class="muted">… and {p.omitted} more service and real changes</li> : null}
    </ul>
  );
}

/** Review, applying, conflict; `editing` renders nothing (the form is shown instead). */
export function Review(p: { flow: ChangeFlow; onCancel: () => void }) {
  const f = p.flow;
  const apply = useRef<HTMLButtonElement>(null);
  const phase = f.phase.value;
  useEffect(() => { if (phase === 'review') apply.current?.focus(); }, [phase]);
  if (phase === 'planning') return <p class="muted" role="status">Asking the daemon what this changes…</p>;
  if (phase === 'conflict') {
    return (
      <div class="conflict" role="alert" data-testid="conflict">
        <p class="error">{f.error.value}</p>
        <div class="actions">
          <button type="button" class="primary" onClick={() => void f.rebase()}>Review again on the current configuration</button>
          <button type="button" onClick={p.onCancel}>Cancel</button>
        </div>
      </div>
    );
  }
  if (phase !== 'review' && phase !== 'applying') return null;
  const nothing = f.changes.value.length === 0;
  return (
    <div class="review" data-testid="review">
      <p class="muted">The daemon checked this change. It will:</p>
      <ChangeList changes={f.changes.value} omitted={f.omitted.value} />
      {f.error.value ? <p class="error" role="alert">{f.error.value}</p> : null}
      <div class="actions">
        <button ref={apply} type="button" class="primary" disabled={phase === 'applying' || nothing} onClick={() => void f.apply()} data-testid="apply">
          {phase === 'applying' ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" onClick={() => f.back()}>Back</button>
        <button type="button" class="link" onClick={p.onCancel}>Cancel</button>
      </div>
    </div>
  );
}
