// Importers of the configurations people bring: ipvsadm -S output, piranha lvs.cf, keepalived.conf.
export { importIpvsadmSave } from './ipvsadm-save.js';
export { importLvsCf, type LvsCfOptions } from './lvs-cf.js';
export { importKeepalived } from './keepalived.js';
export type { ImportResult, ImportOutcome, UnmappedLine, ImportOptions, ImportFormat, ImportSummary } from './types.js';
export { importIptablesMarks } from './iptables-marks.js';
import { importIpvsadmSave } from './ipvsadm-save.js';
import { importLvsCf } from './lvs-cf.js';
import { importKeepalived } from './keepalived.js';
import type { ImportFormat, ImportOptions, ImportOutcome } from './types.js';

/** Words that only start a line in keepalived.conf (its top-level keywords and include). */
const KEEPALIVED_TOP = /^\s*(virtual_server|virtual_server_group|vrrp_instance|vrrp_sync_group|vrrp_script|vrrp_track_file|global_defs|real_server|static_ipaddress|static_routes|static_rules|linkbeat_interfaces|garp_group|track_file|track_process|bfd_instance|include|SSL)\b/m;

/**
 * Guess the format from the text: keepalived keywords (or its "! Configuration File for
 * keepalived" header, or $NAME= definitions), lvs.cf "key = value" and blocks, else ipvsadm rules.
 */
export function detectFormat(text: string): ImportFormat {
  if (KEEPALIVED_TOP.test(text) || /^\s*!\s*Configuration File for keepalived/im.test(text) || /^\s*\$[A-Za-z_]\w*\s*=/m.test(text)) return 'keepalived';
  if (/^\s*((virtual|failover)\s+\S+\s*\{|primary\s*=|backup\s*=|service\s*=|serial_no\s*=|network\s*=)/m.test(text)) return 'lvs.cf';
  return 'ipvsadm';
}

/** Import in the given format (opts.format) or the detected one. Text in, { state, unmapped, ... } out. */
export function importAny(text: string, opts: ImportOptions = {}): ImportOutcome {
  const f = opts.format ?? detectFormat(text);
  return f === 'keepalived' ? importKeepalived(text, opts) : f === 'lvs.cf' ? importLvsCf(text, opts) : importIpvsadmSave(text, opts);
}
