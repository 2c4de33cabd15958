// ipvsadm's output formats, pure: the listings (-L, -S, -c, --timeout) as text and JSON.
// The command language they answer is in src/ipvsadm.
export { formatSave, formatList, formatConnections, formatTimeout, NO_SUCH_SERVICE, IPVS_VERSION, CONN_TAB_SIZE, type ListOptions, type SaveOptions } from './format.js';
export { listJson, connectionsJson, timeoutJson, toJsonText, counterJson } from './json.js';
export { formatLargenum } from './largenum.js';
export { compareServices, compareReals } from './sort.js';
export type { ListData, RealLive, Rates, ServiceRates, Health, NameLookup } from './view.js';
export { runList, type ListInput, type CommandOutput } from './list-command.js';
