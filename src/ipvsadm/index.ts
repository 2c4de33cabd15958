// ipvsadm's command language (1.31), pure: argv and -R lines parsed with ipvsadm's
// messages and exit codes, and mapped onto the model. The CLI reads commands with it;
// the config importer reads `ipvsadm -S` files with it.
export * from './command.js';
export { parseIpvsadmArgs, parseSchedFlags, tryHelp, MAX_TIMEOUT, UNSUPPORTED } from './parse.js';
export { parseRestoreInput, parseRestoreLines, restoreLineWords, type RestoreLine } from './restore.js';
export { commandToServiceSpec, commandToRealSpec, serviceKey } from './mapping.js';
