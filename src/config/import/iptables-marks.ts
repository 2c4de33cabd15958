// Mark rules from an `iptables-save` (or `ip6tables-save`) file: the `-j MARK` rules of the
// mangle table's PREROUTING chain, which is how LVS setups mark packets for fwmark
// services (keepalived's `virtual_server fwmark N`, piranha's `fwmark = N`). ipvx's
// XDP program runs before netfilter, so it applies these rules itself (DesiredState.marks).
// A rule ipvx cannot express (a source address, an input interface, a negation, a
// partial mark mask, another chain) is reported, never half-imported.
import { parseIp, maskToPrefix } from '../../core/addr.js';
import type { MarkRule, Protocol } from '../../core/model.js';
import { MAX_MARK } from '../../core/marks.js';
import type { UnmappedLine } from './types.js';

export interface IptablesMarks {
  rules: MarkRule[];
  unmapped: UnmappedLine[];
}

/** Options whose argument is skipped without meaning anything to the mark (match modules, comments). */
const HARMLESS_WITH_ARG = new Set(['-m', '--match', '--comment']);

function destination(arg: string, v6: boolean): string | undefined {
  const [a, m] = arg.split('/');
  const r = parseIp(a ?? '');
  if (!r.ok) return undefined;
  if (m === undefined) return `${r.value.text}/${r.value.family === 4 ? 32 : 128}`;
  if (/^\d+$/.test(m)) return `${r.value.text}/${m}`;
  const mask = parseIp(m);
  const bits = mask.ok && mask.value.family === r.value.family ? maskToPrefix(mask.value.bytes) : undefined;
  return bits === undefined || (v6 && r.value.family !== 6) ? undefined : `${r.value.text}/${bits}`;
}

/** 0x1, 1, 0x1/0xffffffff: the mark, or a reason it cannot be used. */
function markValue(arg: string): number | string {
  const [v, mask] = arg.split('/');
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > MAX_MARK) return `'${arg}' is not a mark`;
  if (mask !== undefined && Number(mask) !== MAX_MARK) return `mark mask ${mask}: ipvx sets whole marks only`;
  if (n === 0) return 'a mark of 0 is no mark (clears it)';
  return n;
}

export function importIptablesMarks(text: string, file = 'iptables-save'): IptablesMarks {
  const rules: MarkRule[] = [];
  const unmapped: UnmappedLine[] = [];
  let table = '';
  const v6 = /ip6tables-save/.test(text);
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    const skip = (reason: string) => unmapped.push({ line, text: t, reason, file });
    if (!t || t.startsWith('#') || t.startsWith(':') || t === 'COMMIT') return;
    if (t.startsWith('*')) { table = t.slice(1); return; }
    const w = t.split(/\s+/);
    if (w[0] !== '-A' && w[0] !== '-I') return;
    const chain = w[1];
    const jump = w.findIndex((x) => x === '-j' || x === '--jump');
    const target = jump < 0 ? undefined : w[jump + 1];
    if (table !== 'mangle' || target !== 'MARK') return; // not a mark rule: nothing to say
    if (chain !== 'PREROUTING') { skip(`chain ${chain}: only PREROUTING marks the packets that arrive for a service`); return; }
    let dst: string | undefined;
    let protocol: Protocol | 'all' = 'all';
    let ports = '';
    let mark: number | string = 'no --set-mark';
    for (let k = 2; k < w.length; k++) {
      const o = w[k]!;
      const arg = w[k + 1] ?? '';
      if (o === '!') { skip(`a negated match ('! ${arg}') cannot be expressed as an ipvx mark rule`); return; }
      if (o === '-d' || o === '--destination') {
        dst = destination(arg, v6);
        if (!dst) { skip(`destination '${arg}' is not an address or prefix`); return; }
        k++;
      } else if (o === '-p' || o === '--protocol') {
        if (arg !== 'tcp' && arg !== 'udp') { skip(`protocol '${arg}': ipvx services are tcp or udp`); return; }
        protocol = arg;
        k++;
      } else if (o === '--dport' || o === '--destination-port' || o === '--dports' || o === '--destination-ports') {
        ports = arg.replace(/:/g, '-');
        k++;
      } else if (o === '-j' || o === '--jump') {
        k++;
      } else if (o === '--set-mark' || o === '--set-xmark') {
        mark = markValue(arg);
        k++;
      } else if (HARMLESS_WITH_ARG.has(o)) {
        k++;
      } else if (o === '-s' || o === '--source') {
        skip('a source address: ipvx mark rules match the destination, protocol and port only');
        return;
      } else if (o === '-i' || o === '--in-interface') {
        skip(`input interface ${arg}: ipvx mark rules apply on every interface the director listens on`);
        return;
      } else {
        skip(`option ${o}: not something an ipvx mark rule can match`);
        return;
      }
    }
    if (typeof mark === 'string') { skip(mark); return; }
    if (ports && protocol === 'all') { skip('ports without a protocol'); return; }
    const destinationText = dst ?? (v6 ? '::/0' : '0.0.0.0/0');
    for (const p of protocol === 'all' ? (['tcp', 'udp'] as const) : [protocol]) rules.push({ mark, destination: destinationText, protocol: p, ports });
  });
  return { rules, unmapped };
}
