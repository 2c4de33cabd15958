// Import `ipvsadm -S` output (or any -R input): the commands are applied in order to an
// empty state with core/edit.ts, so -R semantics (and messages) are the daemon's.
import { emptyState, type DesiredState } from '../../core/model.js';
import { StateEditor } from '../../core/edit.js';
import type { FieldError } from '../../core/result.js';
import { parseRestoreLines } from '../../ipvsadm/restore.js';
import { commandToRealSpec, commandToServiceSpec, serviceKey } from '../../ipvsadm/mapping.js';
import type { IpvsadmCommand } from '../../ipvsadm/command.js';
import { lineError, type ImportOutcome } from './types.js';

/**
 * Apply one table-changing command to an editor (one of many in a row: -R, an import);
 * the refusal's message, or undefined. Zero has nothing to do on a desired state.
 */
export function applyCommand(e: StateEditor, cmd: IpvsadmCommand): string | undefined {
  const error = (() => {
    switch (cmd.kind) {
      case 'add-service': return e.addService(commandToServiceSpec(cmd));
      case 'edit-service': return e.editService(commandToServiceSpec(cmd));
      case 'delete-service': return e.deleteService(serviceKey(cmd.service));
      case 'add-server': return e.addReal(serviceKey(cmd.service), commandToRealSpec(cmd));
      case 'edit-server': return e.editReal(serviceKey(cmd.service), commandToRealSpec(cmd));
      case 'delete-server': return e.deleteReal(serviceKey(cmd.service), { address: cmd.server.address, port: cmd.server.port });
      case 'clear': return e.clear();
      case 'set': return e.setTimeouts(cmd.timeouts);
      default: return undefined;
    }
  })();
  return error?.message;
}

/** Apply one table-changing command to a state. */
export function applyToState(state: DesiredState, cmd: IpvsadmCommand): { ok: true; state: DesiredState } | { ok: false; message: string } {
  const e = new StateEditor(state);
  const message = applyCommand(e, cmd);
  return message === undefined ? { ok: true, state: e.result() } : { ok: false, message };
}

export function importIpvsadmSave(text: string): ImportOutcome {
  const parsed = parseRestoreLines(text);
  if (!parsed.ok) return parsed;
  const editor = new StateEditor(emptyState());
  const errors: FieldError[] = [];
  for (const { line, command } of parsed.value) {
    const message = applyCommand(editor, command);
    if (message !== undefined) errors.push(lineError(line, message));
  }
  if (errors.length) return { ok: false, errors };
  const state = editor.result();
  // Every ipvsadm rule maps; -Z lines are the only ones that mean nothing here.
  const unmapped = parsed.value
    .filter((l) => l.command.kind === 'zero')
    .map((l) => ({ line: l.line, text: text.split('\n')[l.line - 1]!.trim(), reason: 'zeroing counters has no meaning in a configuration' }));
  return { ok: true, value: { state, unmapped } };
}
