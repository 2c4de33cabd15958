// What the keepalived and lvs.cf importers do for fwmark services: take the mark rules
// from an iptables-save file when one is given, and otherwise (or for a mark no rule
// gives) say which rules to add. ipvx's XDP program runs before iptables, so the mark
// rules must be in ipvx's own configuration (DesiredState.marks).
import type { MarkRule, ServiceSpec } from '../../core/model.js';
import { importIptablesMarks } from './iptables-marks.js';
import type { ImportOptions, UnmappedLine } from './types.js';

export interface FwmarkSource {
  service: ServiceSpec;
  /** Where the service was declared, for the note. */
  line: number;
  text: string;
  /** Rules that would give this service its traffic, when the configuration says (lvs.cf's addresses and ports). */
  examples?: MarkRule[];
}

export function fwmarkRules(sources: FwmarkSource[], opts: ImportOptions, unmapped: UnmappedLine[]): MarkRule[] | undefined {
  if (!sources.length && !opts.iptablesSave) return undefined;
  let rules: MarkRule[] = [];
  if (opts.iptablesSave) {
    const r = importIptablesMarks(opts.iptablesSave.text, opts.iptablesSave.file);
    rules = r.rules;
    unmapped.push(...r.unmapped);
  }
  for (const s of sources) {
    const mark = s.service.fwmark!;
    if (rules.some((r) => r.mark === mark)) continue;
    const examples = s.examples?.length ? s.examples : [{ mark, destination: 'VIP', protocol: 'tcp', ports: 'PORTS' }];
    const example = examples.map((e) => `{ mark: ${mark}, destination: ${e.destination}, protocol: ${e.protocol}, ports: "${e.ports}" }`).join(', ');
    unmapped.push({
      line: s.line, text: s.text,
      reason: `fwmark ${mark}: ipvx marks packets itself (its XDP program runs before iptables), and no mark rule gives mark ${mark}: ` +
        `add the rules that mark this service's traffic under 'marks:' in the configuration (${s.examples?.length ? 'for its virtual servers' : 'such as'}: ${example}), ` +
        `or import again with --iptables FILE (iptables-save output) to take them from the mangle table's MARK rules`,
    });
  }
  return rules.length ? rules : undefined;
}
