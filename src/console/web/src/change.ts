// Every change the console makes: the page builds the whole next state from the
// configuration it read (the base, with its serial), the daemon's dry run shows the
// diff, and only then is it applied, with the same serial. If someone else changed the
// configuration in between, the daemon refuses and the page says so; the change can
// then be made again on the current configuration (and reviewed again): nothing is
// overwritten silently.
import { signal, type Signal } from '@preact/signals';
import { api, ApiError } from './api.js';
import { config, loadConfig, say } from './store.js';
import type { Change, ChangeResult, ConfigSnapshot, DesiredState, FieldError } from './types.js';

export type Phase = 'editing' | 'planning' | 'review' | 'applying' | 'conflict' | 'done';

export interface ChangeFlow {
  phase: Signal<Phase>;
  changes: Signal<Change[]>;
  omitted: Signal<number>;
  /** The daemon's (or the console's) refusal: its message, and the fields it names. */
  error: Signal<string>;
  fields: Signal<FieldError[]>;
  /** Dry run of make(base): the diff, or the refusal. */
  plan(make: (base: DesiredState) => DesiredState): Promise<void>;
  apply(): Promise<void>;
  /** After a conflict: the same change made on the current configuration, reviewed again. */
  rebase(): Promise<void>;
  back(): void;
}

export function changeFlow(onDone?: () => void): ChangeFlow {
  let base: ConfigSnapshot | null = config.value;
  let make: ((b: DesiredState) => DesiredState) | undefined;
  let next: DesiredState | undefined;
  const phase = signal<Phase>('editing');
  const changes = signal<Change[]>([]);
  const omitted = signal(0);
  const error = signal('');
  const fields = signal<FieldError[]>([]);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 409) {
      phase.value = 'conflict';
      error.value = 'The configuration was changed by someone else since this page read it (see Events). Nothing was applied.';
      return;
    }
    phase.value = 'editing';
    error.value = (e as Error).message;
    fields.value = e instanceof ApiError ? e.fields : [];
  };

  const plan = async (m: (b: DesiredState) => DesiredState) => {
    make = m;
    if (!base) base = await loadConfig();
    if (!base) { error.value = 'the configuration could not be read'; return; }
    error.value = '';
    fields.value = [];
    try {
      next = m(base.state);
    } catch (e) {
      error.value = (e as Error).message;
      return;
    }
    phase.value = 'planning';
    try {
      const r = await api<ChangeResult>('POST', '/api/plan', { state: next, serial: base.serial });
      changes.value = r.changes;
      omitted.value = r.changesOmitted;
      phase.value = 'review';
    } catch (e) {
      fail(e);
    }
  };

  const apply = async () => {
    if (!base || !next) return;
    phase.value = 'applying';
    try {
      const r = await api<ChangeResult>('POST', '/api/apply', { state: next, serial: base.serial });
      phase.value = 'done';
      const n = r.changes.length + r.changesOmitted;
      say(r.applied ? `Applied ${n} change${n === 1 ? '' : 's'}.` : 'Nothing to change.');
      await loadConfig();
      onDone?.();
    } catch (e) {
      fail(e);
    }
  };

  const rebase = async () => {
    base = await loadConfig();
    if (make) await plan(make);
  };

  const back = () => { phase.value = 'editing'; };

  return { phase, changes, omitted, error, fields, plan, apply, rebase, back };
}
