// ipvsadm 1.31's option names and its table of legal command/option combinations
// (commands_v_options in ipvsadm.c), plus ipvx's --json. The messages that name
// options and commands use these exact words.

/** Option names in ipvsadm's order (optnames[]); the index is the table column. */
export const OPTION_NAMES = [
  'numeric', 'connection', 'service-address', 'scheduler', 'persistent', 'netmask', 'real-server',
  'forwarding-method', 'weight', 'u-threshold', 'l-threshold', 'mcast-interface', 'timeout', 'daemon',
  'stats', 'rate', 'thresholds', 'persistent-conn', 'nosort', 'syncid', 'exact', 'ops', 'pe', 'sched-flags',
  'mcast-group', 'mcast-port', 'mcast-ttl', 'sync-maxlen', 'tun-info', 'tun-type', 'tun-port', 'tun-nocsum',
  'tun-csum', 'tun-remcsum',
  // ipvx
  'json',
] as const;
export type OptionName = (typeof OPTION_NAMES)[number];

/** Command names as ipvsadm prints them (cmdnames[]): note -C is 'flush'. */
export type TableCommand =
  | 'add-service' | 'edit-service' | 'delete-service' | 'flush' | 'list' | 'add-server' | 'delete-server'
  | 'edit-server' | 'set' | 'start-daemon' | 'stop-daemon' | 'restore' | 'save' | 'zero';

// '+' compulsory, 'x' illegal, '1' at most one of the '1's, ' ' optional. Columns as OPTION_NAMES.
const x = (n: number) => 'x'.repeat(n);
const sp = (n: number) => ' '.repeat(n);
const TABLE: Record<TableCommand, string> = {
  'add-service':    'xx+' + sp(3) + x(15) + sp(3) + x(10) + 'x',
  'edit-service':   'xx+' + sp(3) + x(15) + sp(3) + x(10) + 'x',
  'delete-service': 'xx+' + x(31) + 'x',
  flush:            x(34) + 'x',
  list:             ' 11' + x(9) + '11' + sp(7) + x(7) + ' ' + x(5) + ' ',
  'add-server':     'xx+xxx+' + sp(4) + x(18) + sp(5) + 'x',
  'delete-server':  'xx+xxx+' + x(27) + 'x',
  'edit-server':    'xx+xxx+' + sp(4) + x(18) + sp(5) + 'x',
  set:              x(34) + 'x',
  'start-daemon':   x(11) + ' ' + x(7) + ' ' + x(4) + sp(4) + x(6) + 'x',
  'stop-daemon':    x(19) + ' ' + x(14) + 'x',
  restore:          x(34) + 'x',
  save:             ' ' + x(33) + 'x',
  zero:             'xx ' + x(31) + 'x',
};

/** generic_opt_check: the first violation, in column order, with ipvsadm's message. */
export function checkOptions(cmd: TableCommand, given: ReadonlySet<OptionName>): string | undefined {
  const row = TABLE[cmd];
  let firstExclusive: OptionName | undefined;
  for (let j = 0; j < OPTION_NAMES.length; j++) {
    const name = OPTION_NAMES[j]!;
    const rule = row[j];
    if (!given.has(name)) {
      if (rule === '+') return `You need to supply the '${name}' option for the '${cmd}' command`;
      continue;
    }
    if (rule === 'x') return `Illegal '${name}' option with the '${cmd}' command`;
    if (rule === '1') {
      if (firstExclusive === undefined) { firstExclusive = name; continue; }
      return `The option '${name}' conflicts with the '${firstExclusive}' option in the '${cmd}' command`;
    }
  }
  return undefined;
}
