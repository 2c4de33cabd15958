// Read-modify-write of the daemon's whole configuration (ipvx -R, ipvx mark): read it with its
// serial, apply the lines locally, write it back with a compare-and-swap on that serial.
// A change another client made in between is never overwritten: the lines are applied
// again to the new state.
import { IpvxClient, IpvxError } from '../api/client.js';
import { stateFromMsg } from '../api/proto.js';
import { applyCommand } from '../config/import/ipvsadm-save.js';
import { StateEditor } from '../core/edit.js';
import { stateToPlain } from '../config/schema.js';
import { formatErrors, type FieldError, type Result } from '../core/result.js';
import type { DesiredState } from '../core/model.js';
import type { IpvsadmCommand } from '../ipvsadm/index.js';
import type { ApplyConfigResponse__Output } from '../api/gen/ipvx/v1/ApplyConfigResponse.js';

/** What a read-modify-write needs of the client (tests pass a fake). */
export type ConfigClient = Pick<IpvxClient, 'getConfig' | 'applyConfig'>;

/** Attempts before giving up on a configuration that keeps changing under us. */
export const RESTORE_ATTEMPTS = 5;

/** The daemon's configuration and its serial (for a compare-and-swap write back). */
export async function currentConfig(c: ConfigClient): Promise<{ state: DesiredState; serial: string }> {
  const msg = await c.getConfig();
  const r = stateFromMsg({ ...msg, serial: undefined } as unknown as Record<string, unknown>);
  if (!r.ok) throw new Error(`the daemon's configuration did not parse: ${formatErrors(r.errors)}`);
  return { state: r.value, serial: String(msg.serial) };
}

/**
 * The lines applied to `state` in order, through one editor (linear in the number of
 * lines); the first line the state refuses, by number.
 */
export function applyRestore(state: DesiredState, cmds: readonly IpvsadmCommand[]): Result<DesiredState> {
  const editor = new StateEditor(state);
  for (const [i, cmd] of cmds.entries()) {
    const message = applyCommand(editor, cmd);
    if (message !== undefined) return { ok: false, errors: [{ field: `line ${i + 1}`, message: `line ${i + 1}: ${message}` }] };
  }
  return { ok: true, value: editor.result() };
}

/**
 * Read-modify-write: `edit` turns the current configuration into the one to write, which
 * is written back with a compare-and-swap on the serial read; when another client changed
 * it in between, `edit` runs again on the new one (a conflict after RESTORE_ATTEMPTS is
 * thrown). An edit that fails writes nothing and its errors are returned.
 */
export async function editConfig(c: ConfigClient, edit: (state: DesiredState) => Result<DesiredState>): Promise<Result<ApplyConfigResponse__Output>> {
  for (let attempt = 1; ; attempt++) {
    const { state, serial } = await currentConfig(c);
    const r = edit(state);
    if (!r.ok) return r;
    try {
      return { ok: true, value: await c.applyConfig(stateToPlain(r.value) as never, false, serial) };
    } catch (e) {
      if (!(e instanceof IpvxError && e.isConflict) || attempt >= RESTORE_ATTEMPTS) throw e;
    }
  }
}

/**
 * -R: every line applied to the current state in order, then one ApplyConfig: the table
 * changes all at once or not at all (ipvsadm stops half-way at a bad line). A line the
 * state refuses is returned by number; a conflict after RESTORE_ATTEMPTS is thrown.
 */
export async function restoreRules(c: ConfigClient, cmds: readonly IpvsadmCommand[]): Promise<{ ok: true } | { ok: false; errors: FieldError[] }> {
  const r = await editConfig(c, (state) => applyRestore(state, cmds));
  return r.ok ? { ok: true } : r;
}
