// Import `ipvsadm -S` output (or any -R input): the commands are applied in order to an
// empty state with core/edit.ts, so -R semantics (and messages) are the daemon's.
import { emptyState, serviceId, realId, type DesiredState } from '../../core/model.js';
import { StateEditor } from '../../core/edit.js';
import type { FieldError } from '../../core/result.js';
import { parseRestoreLines } from '../../ipvsadm/restore.js';
import { commandToRealSpec, commandToServiceSpec, serviceKey } from '../../ipvsadm/mapping.js';
import type { IpvsadmCommand } from '../../ipvsadm/command.js';
import { imported, lineError, type ImportOptions, type ImportOutcome, type ImportResult, type UnmappedLine } from './types.js';
import { parseIp } from '../../core/addr.js';
import { fwmarkRules, type FwmarkSource } from './fwmark-rules.js';

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

/**
 * `ipvsadm -S` without -n writes names (addrport_to_anyname: gethostbyaddr, getservbyport).
 * Port names are read back through /etc/services for the service's protocol, as ipvsadm -R's
 * service_to_port does; host names only through opts.resolveHost (--resolve-hosts), never
 * silently. Returns the text with numbers, or the lines that cannot be.
 */
function numericRules(text: string, opts: ImportOptions): { text: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const lines = text.split('\n').map((raw, i) => {
    const words = raw.replace(/#.*/, '').split(/[ \t\r]+/).filter(Boolean);
    if (!words.length) return raw;
    const proto = words.some((w) => w === '-u' || w === '--udp-service' || w.startsWith('--udp-service=')) ? 'udp' : 'tcp';
    const out = words.map((w, j) => {
      const prev = words[j - 1];
      if (!['-t', '-u', '-r', '--tcp-service', '--udp-service', '--real-server'].includes(prev ?? '')) return w;
      const m = /^(\[[^\]]+\]|[^:]+)(?::(.+))?$/.exec(w);
      if (!m) return w;
      let host = m[1]!;
      let port = m[2];
      if (!host.startsWith('[') && !parseIp(host).ok && /[A-Za-z]/.test(host)) {
        const a = opts.resolveHost?.(host);
        if (!a) {
          errors.push(lineError(i + 1, opts.resolveHost
            ? `host name '${host}' does not resolve`
            : `host name '${host}': ipvx resolves host names only with --resolve-hosts (or save the rules with ipvsadm -S -n)`));
          return w;
        }
        host = a.includes(':') ? `[${a}]` : a;
      }
      if (port !== undefined && !/^[0-9]+$/.test(port)) {
        const n = opts.services?.port(port, proto);
        if (n === undefined) { errors.push(lineError(i + 1, `port name '${port}' is not a ${proto} service in /etc/services`)); return w; }
        port = String(n);
      }
      return port === undefined ? host : `${host}:${port}`;
    });
    return out.join(' ');
  });
  return { text: lines.join('\n'), errors };
}

export function importIpvsadmSave(text: string, opts: ImportOptions = {}): ImportOutcome {
  const numeric = numericRules(text, opts);
  if (numeric.errors.length) return { ok: false, errors: numeric.errors };
  const parsed = parseRestoreLines(numeric.text);
  if (!parsed.ok) return parsed;
  const editor = new StateEditor(emptyState());
  const errors: FieldError[] = [];
  for (const { line, command } of parsed.value) {
    const message = applyCommand(editor, command);
    if (message !== undefined) errors.push(lineError(line, message));
  }
  if (errors.length) return { ok: false, errors };
  let state = editor.result();
  const srcLines = text.split('\n');
  const lineText = (n: number) => srcLines[n - 1]!.trim();
  // Each line's service and real found through indexes built once (a -S file has 16,384 lines).
  const serviceAt = new Map<string, number>();
  state.services.forEach((x, i) => { if (!serviceAt.has(serviceId(x))) serviceAt.set(serviceId(x), i); });
  const realsAt = new Map<number, Map<string, number>>();
  const realAt = (si: number, id: string) => {
    let m = realsAt.get(si);
    if (!m) {
      m = new Map();
      for (const [ri, r] of state.services[si]!.reals.entries()) if (!m.has(realId(r))) m.set(realId(r), ri);
      realsAt.set(si, m);
    }
    return m.get(id) ?? -1;
  };
  // Every ipvsadm rule maps; -Z lines are the only ones that mean nothing here.
  const unmapped: UnmappedLine[] = parsed.value
    .filter((l) => l.command.kind === 'zero')
    .map((l) => ({ line: l.line, text: lineText(l.line), reason: 'zeroing counters has no meaning in a configuration' }));
  // -A -f MARK: the mark rules that feed it (iptables' in ipvsadm setups) are ipvx's to apply.
  const fwmarks: FwmarkSource[] = [];
  const noted = new Set<number>();
  for (const l of parsed.value) {
    const c = l.command;
    if (c.kind !== 'add-service' || !c.service.fwmark) continue;
    const si = serviceAt.get(serviceId(serviceKey(c.service)));
    if (si !== undefined && !noted.has(si)) { noted.add(si); fwmarks.push({ service: state.services[si]!, line: l.line, text: lineText(l.line) }); }
  }
  const marks = fwmarkRules(fwmarks, opts, unmapped);
  if (marks) state = { ...state, marks };
  const origins: NonNullable<ImportResult['origins']> = [];
  for (const { line, command } of parsed.value) {
    if (command.kind !== 'add-service' && command.kind !== 'add-server') continue;
    const si = serviceAt.get(serviceId(serviceKey(command.service)));
    if (si === undefined) continue;
    if (command.kind === 'add-service') origins.push({ service: si, line });
    else if (command.kind === 'add-server') {
      const ri = realAt(si, realId(command.server));
      if (ri >= 0) origins.push({ service: si, real: ri, line });
    }
  }
  return imported('ipvsadm', state, unmapped, { origins });
}
