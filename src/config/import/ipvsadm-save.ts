// Import `ipvsadm -S` output (or any -R input): the commands are applied in order to an
// empty state with core/edit.ts, so -R semantics (and messages) are the daemon's.
import { emptyState, type DesiredState } from '../../core/model.js';
import * as edit from '../../core/edit.js';
import type { FieldError } from '../../core/result.js';
import { parseRestoreLines } from '../../ipvsadm/restore.js';
import { commandToRealSpec, commandToServiceSpec, serviceKey } from '../../ipvsadm/mapping.js';
import type { IpvsadmCommand } from '../../ipvsadm/command.js';
import { lineError, type ImportOutcome, type ImportOptions, type UnmappedLine } from './types.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

/** Apply one table-changing command; zero has nothing to do on a desired state. */
export function applyToState(state: DesiredState, cmd: IpvsadmCommand): { ok: true; state: DesiredState } | { ok: false; message: string } {
  const r = (() => {
    switch (cmd.kind) {
      case 'add-service': return edit.addService(state, commandToServiceSpec(cmd));
      case 'edit-service': return edit.editService(state, commandToServiceSpec(cmd));
      case 'delete-service': return edit.deleteService(state, serviceKey(cmd.service));
      case 'add-server': return edit.addReal(state, serviceKey(cmd.service), commandToRealSpec(cmd));
      case 'edit-server': return edit.editReal(state, serviceKey(cmd.service), commandToRealSpec(cmd));
      case 'delete-server': return edit.deleteReal(state, serviceKey(cmd.service), { address: cmd.server.address, port: cmd.server.port });
      case 'clear': return edit.clear(state);
      case 'set': return edit.setTimeouts(state, cmd.timeouts);
      default: return { ok: true as const, value: state };
    }
  })();
  return r.ok ? { ok: true, state: r.value } : { ok: false, message: r.errors.map((e) => e.message).join('; ') };
}

export function importIpvsadmSave(text: string, opts: ImportOptions = {}): ImportOutcome {
  const parsed = parseRestoreLines(text);
  if (!parsed.ok) return parsed;
  let state = emptyState();
  const errors: FieldError[] = [];
  for (const { line, command } of parsed.value) {
    const r = applyToState(state, command);
    if (r.ok) state = r.state;
    else errors.push(lineError(line, r.message));
  }
  if (errors.length) return { ok: false, errors };
  const lineText = (n: number) => text.split('\n')[n - 1]!.trim();
  // Every ipvsadm rule maps; -Z lines are the only ones that mean nothing here.
  const unmapped: UnmappedLine[] = parsed.value
    .filter((l) => l.command.kind === 'zero')
    .map((l) => ({ line: l.line, text: lineText(l.line), reason: 'zeroing counters has no meaning in a configuration' }));
  // -A -f MARK: the mark rules that feed it (iptables' in ipvsadm setups) are ipvx's to apply.
  const fwmarks: FwmarkSource[] = [];
  for (const l of parsed.value) {
    const c = l.command;
    if (c.kind !== 'add-service' || !c.service.fwmark) continue;
    const service = state.services.find((s) => s.fwmark === c.service.fwmark && s.vip === c.service.address);
    if (service && !fwmarks.some((f) => f.service === service)) fwmarks.push({ service, line: l.line, text: lineText(l.line) });
  }
  const marks = fwmarkRules(fwmarks, opts, unmapped);
  if (marks) state = { ...state, marks };
  return { ok: true, value: { state, unmapped } };
}
