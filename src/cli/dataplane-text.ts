// Text for what the data plane counts and how its flood defence stands: `ipvx daemon
// status --counters` and `ipvx --defense`. Pure: messages in, lines out.
import { REASONS, EVENTS, reasonVerdict } from '../dataplane/codec.js';
import { DEFAULT_DEFENSE, type Defense } from '../core/model.js';

/** Every exit reason with its XDP verdict, then every event, as aligned columns (zeros too: a debugging aid). */
export function countersLines(global: Record<string, string>): string[] {
  const width = Math.max(...[...REASONS, ...EVENTS].map((n) => n.length));
  const num = Math.max(1, ...Object.values(global).map((v) => v.length));
  const row = (name: string, note: string) => `  ${name.padEnd(width)}  ${(global[name] ?? '0').padStart(num)}${note ? `  ${note}` : ''}`;
  return [
    'Packets by how they left the program:',
    ...REASONS.map((r) => row(r, `XDP_${reasonVerdict(r)}`)),
    'Events on the way (a packet may count in several or none):',
    ...EVENTS.map((e) => row(e, '')),
  ];
}

export interface DefenseView {
  settings?: { newFlowRate?: number; dropEntry?: number; secureTcp?: number; synTimeout?: number } | null;
  floodedCpus?: number;
}

/** IPVS shows drop_entry/secure_tcp 2 while an automatic defence is on: so does this. */
const shown = (mode: number, flooded: boolean) => (mode === 1 && flooded ? 2 : mode);

export function defenseLines(d: DefenseView | null | undefined, counters: Record<string, string> = {}): string[] {
  const given = Object.entries(d?.settings ?? {}).filter(([, v]) => v !== undefined && v !== null);
  const s = { ...DEFAULT_DEFENSE, ...Object.fromEntries(given) } as Defense;
  const flooded = (d?.floodedCpus ?? 0) > 0;
  const c = (n: string) => counters[n] ?? '0';
  return [
    `flood defence: new_flow_rate ${s.newFlowRate === 0 ? 'off' : `${s.newFlowRate}/s per CPU`}, drop_entry ${shown(s.dropEntry, flooded)}, ` +
      `secure_tcp ${shown(s.secureTcp, flooded)} (syn_timeout ${s.synTimeout}s), flooded CPUs now ${d?.floodedCpus ?? 0}`,
    `  flooded seconds ${c('flood_windows')}, new flows without entry ${c('flow_no_entry')}, embryonic ${c('flow_embryo')}, ` +
      `promoted ${c('flow_promoted')}, non-SYN passed ${c('pass_not_syn')}`,
  ];
}

const KEYS: Record<string, keyof Defense> = {
  new_flow_rate: 'newFlowRate', drop_entry: 'dropEntry', secure_tcp: 'secureTcp', syn_timeout: 'synTimeout',
};

/** `name=value ...` (IPVS's sysctl names); the values are checked by the daemon's validation. */
export function parseDefenseArgs(argv: readonly string[]): { ok: true; set: Partial<Defense>; json: boolean } | { ok: false; message: string } {
  const set: Partial<Defense> = {};
  let json = false;
  for (const a of argv) {
    if (a === '--json') { json = true; continue; }
    const m = /^([a-z_]+)=(\d+)$/.exec(a);
    const key = m && KEYS[m[1]!];
    if (!m || !key) return { ok: false, message: `'${a}' is not a setting: give ${Object.keys(KEYS).map((k) => `${k}=N`).join(' ')}` };
    (set as Record<string, number>)[key] = Number(m[2]);
  }
  return { ok: true, set, json };
}
