// Importers of the configurations people bring: ipvsadm -S output, piranha lvs.cf, keepalived.conf.
export { importIpvsadmSave, applyToState } from './ipvsadm-save.js';
export { importLvsCf, type LvsCfOptions } from './lvs-cf.js';
export { importKeepalived } from './keepalived.js';
export type { ImportResult, ImportOutcome, UnmappedLine, ImportOptions } from './types.js';
export { importIptablesMarks } from './iptables-marks.js';
import { importIpvsadmSave } from './ipvsadm-save.js';
import { importLvsCf } from './lvs-cf.js';
import { importKeepalived } from './keepalived.js';
import type { ImportOutcome, ImportOptions } from './types.js';

/** Guess the format from the text: keepalived blocks, lvs.cf "key = value", else ipvsadm rules. */
export function detectFormat(text: string): 'keepalived' | 'lvs.cf' | 'ipvsadm' {
  if (/^\s*(virtual_server|vrrp_instance|global_defs|real_server)\b/m.test(text)) return 'keepalived';
  if (/^\s*(virtual\s+\S+\s*\{|primary\s*=|service\s*=|serial_no\s*=)/m.test(text)) return 'lvs.cf';
  return 'ipvsadm';
}

export function importAny(text: string, opts: ImportOptions = {}): ImportOutcome {
  const f = detectFormat(text);
  return f === 'keepalived' ? importKeepalived(text, opts) : f === 'lvs.cf' ? importLvsCf(text, opts) : importIpvsadmSave(text, opts);
}
