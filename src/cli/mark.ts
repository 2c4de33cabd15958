// `ipvx mark list|add|delete`: the firewall-mark rules of fwmark services (the
// configuration's `marks:`), in the order they are tried. Parsing and the edit are pure;
// src/cli/main.ts reads the configuration, applies the edit and writes it back with a
// compare-and-swap on its serial.
import type { MarkRule, DesiredState } from '../core/model.js';
import { checkMarks } from '../core/marks.js';
import { ok, fail, type FieldError, type Result } from '../core/result.js';

export const MARK_HELP = `Usage: ipvx mark list [--json]
       ipvx mark add --mark N --destination ADDR[/LEN] --protocol tcp|udp [--ports LIST] [--position P]
       ipvx mark delete P | --mark N --destination ADDR[/LEN] --protocol tcp|udp [--ports LIST]
  The rules that give packets the firewall mark of a fwmark service (ipvsadm -A -f N): ipvx
  applies them itself, before its service lookup (an iptables MARK rule is not seen there).
  The first rule that matches a packet (destination, protocol, destination port) gives the mark.
  --ports: 80, 80,443 or 8000-8100 (empty or absent: every port)
  --position: where the rule goes in the list, 1 = first (default: last)
  delete P removes the rule at position P (as 'ipvx mark list' numbers them)`;

export type MarkCommand =
  | { kind: 'help' }
  | { kind: 'list'; json: boolean }
  | { kind: 'add'; rule: MarkRule; position?: number }
  | { kind: 'delete'; position?: number; rule?: MarkRule };

const VALUE_OPTIONS: Record<string, keyof MarkRule | 'position'> = {
  '--mark': 'mark', '-m': 'mark', '--destination': 'destination', '-d': 'destination', '--protocol': 'protocol', '-p': 'protocol',
  '--ports': 'ports', '--dport': 'ports', '--dports': 'ports', '--position': 'position',
};

/** argv after `mark` -> a command, or an error naming the bad argument. */
export function parseMarkArgs(argv: readonly string[]): Result<MarkCommand> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '-h' || sub === '--help' || sub === 'help') return ok({ kind: 'help' });
  if (sub === 'list') {
    const bad = rest.find((a) => a !== '--json');
    return bad ? fail('argv', `mark list: unknown argument '${bad}'`) : ok({ kind: 'list', json: rest.includes('--json') });
  }
  if (sub !== 'add' && sub !== 'delete') return fail('argv', `unknown mark command '${sub}' (list, add, delete)`);
  if (sub === 'delete' && rest.length === 1 && /^\d+$/.test(rest[0]!)) {
    const position = Number(rest[0]);
    return position >= 1 ? ok({ kind: 'delete', position }) : fail('position', 'positions start at 1');
  }
  const v: Partial<Record<keyof MarkRule | 'position', string>> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const key = VALUE_OPTIONS[name];
    if (!key) return fail('argv', `mark ${sub}: unknown argument '${a}'`);
    const value = eq > 0 ? a.slice(eq + 1) : rest[++i];
    if (value === undefined) return fail(key, `mark ${sub}: ${name} needs a value`);
    if (v[key] !== undefined) return fail(key, `mark ${sub}: ${name} given twice`);
    v[key] = value;
  }
  for (const need of ['mark', 'destination', 'protocol'] as const) {
    if (v[need] === undefined) return fail(need, `mark ${sub}: --${need} is required`);
  }
  if (!/^\d+$/.test(v.mark!)) return fail('mark', `mark ${sub}: --mark '${v.mark}' is not a number`);
  if (v.protocol !== 'tcp' && v.protocol !== 'udp') return fail('protocol', `mark ${sub}: --protocol '${v.protocol}' is not tcp or udp`);
  const rule: MarkRule = { mark: Number(v.mark), destination: v.destination!, protocol: v.protocol, ports: v.ports ?? '' };
  if (sub === 'delete') {
    if (v.position !== undefined) return fail('position', 'mark delete: give a position or a rule, not both');
    return ok({ kind: 'delete', rule });
  }
  if (v.position !== undefined && !(/^\d+$/.test(v.position) && Number(v.position) >= 1)) return fail('position', `mark add: --position '${v.position}': positions start at 1`);
  return ok({ kind: 'add', rule, ...(v.position !== undefined ? { position: Number(v.position) } : {}) });
}

/** A rule in the form validation keeps it (checkMarks), to find it among the state's; undefined if it is not valid. */
function canon(rule: MarkRule): MarkRule | undefined {
  const errs: FieldError[] = [];
  const [c] = checkMarks([rule], errs);
  return errs.length ? undefined : c;
}

/** The state with the edit made (the caller validates it, so a bad rule is refused with validation's message). */
export function applyMarkCommand(state: DesiredState, cmd: Extract<MarkCommand, { kind: 'add' | 'delete' }>): Result<DesiredState> {
  const marks = [...(state.marks ?? [])];
  if (cmd.kind === 'add') {
    const c = canon(cmd.rule);
    if (c && marks.some((m) => sameRule(m, c))) return fail('marks', `the rule is already there (position ${marks.findIndex((m) => sameRule(m, c)) + 1})`);
    const at = Math.min(cmd.position ?? marks.length + 1, marks.length + 1) - 1;
    marks.splice(at, 0, cmd.rule);
  } else if (cmd.position !== undefined) {
    if (cmd.position > marks.length) return fail('position', `no rule at position ${cmd.position} (there ${marks.length === 1 ? 'is 1' : `are ${marks.length}`})`);
    marks.splice(cmd.position - 1, 1);
  } else {
    const c = canon(cmd.rule!);
    const i = c ? marks.findIndex((m) => sameRule(m, c)) : -1;
    if (i < 0) return fail('marks', 'no such mark rule');
    marks.splice(i, 1);
  }
  return ok({ ...state, marks });
}

const sameRule = (a: MarkRule, b: MarkRule) => a.mark === b.mark && a.destination === b.destination && a.protocol === b.protocol && a.ports === b.ports;

/** `ipvx mark list`: one numbered line per rule, in the order they are tried. */
export function formatMarks(marks: readonly MarkRule[]): string {
  if (!marks.length) return 'no mark rules\n';
  const rows = marks.map((m, i) => [String(i + 1), String(m.mark), m.protocol, m.destination, m.ports || 'all']);
  const w = [3, 4, 5, 11, 5].map((min, c) => Math.max(min, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(w[c]!))).join('  ');
  return `${line(['Pos', 'Mark', 'Prot', 'Destination', 'Ports'])}\n${rows.map(line).join('\n')}\n`;
}
