// A modal dialog on the browser's own <dialog>: focus stays inside, Esc closes.
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export function Dialog(p: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; testid?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    const cancel = (e: Event) => { e.preventDefault(); p.onClose(); };
    d.addEventListener('cancel', cancel);
    return () => d.removeEventListener('cancel', cancel);
  }, []);
  return (
    <dialog ref={ref} class={p.wide ? 'dialog wide' : 'dialog'} aria-label={p.title} data-testid={p.testid}>
      <header class="dialog-head">
        <h2>{p.title}</h2>
        <button type="button" class="icon" aria-label="Close" title="Close (Esc)" onClick={p.onClose}>×</button>
      </header>
      <div class="dialog-body">{p.children}</div>
    </dialog>
  );
}
