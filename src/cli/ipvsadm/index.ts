// The ipvsadm-compatible CLI's pure parts: parsing, mapping onto the model, formatting.
export * from '../../ipvsadm/command.js';
export { parseIpvsadmArgs, parseSchedFlags, tryHelp, MAX_TIMEOUT, UNSUPPORTED } from '../../ipvsadm/parse.js';
export { parseRestoreInput, parseRestoreLines, restoreLineWords, type RestoreLine } from '../../ipvsadm/restore.js';
export { commandToServiceSpec, commandToRealSpec, serviceKey } from '../../ipvsadm/mapping.js';
export { formatSave, formatList, formatConnections, formatTimeout, NO_SUCH_SERVICE, IPVS_VERSION, CONN_TAB_SIZE, type ListOptions, type SaveOptions } from './format.js';
export { listJson, connectionsJson, timeoutJson, toJsonText, counterJson } from './json.js';
export { formatLargenum } from './largenum.js';
export { compareServices, compareReals } from './sort.js';
export type { ListData, RealLive, Rates, ServiceRates, Health, NameLookup } from './view.js';
