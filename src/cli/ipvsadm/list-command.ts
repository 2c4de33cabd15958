// ipvsadm -L in all its forms, pure: what the command prints and its exit status, given
// the configuration, the daemon's counters and the flows. The CLI fetches those and
// prints this; the ipvsadm 1.31 comparison suite (test/compat) runs the same function.
import type { DesiredState } from '../../core/model.js';
import type { FlowView } from '../../dataplane/port.js';
import type { ListCommand } from '../../ipvsadm/command.js';
import { serviceKey } from '../../ipvsadm/mapping.js';
import { formatConnections, formatList, formatTimeout, NO_SUCH_SERVICE } from './format.js';
import { connectionsJson, listJson, timeoutJson, toJsonText } from './json.js';
import { canonicalServiceId, type ListData, type NameLookup } from './view.js';

export interface ListInput {
  state: DesiredState;
  data?: ListData;
  flows?: readonly FlowView[];
  /** Names for listings without -n (ipvsadm: getservbyport; ipvx resolves no host names). */
  names?: NameLookup;
}

export interface CommandOutput { stdout: string; stderr: string; exitCode: number }

/** What `ipvx -L ...` prints. */
export function runList(cmd: ListCommand, input: ListInput): CommandOutput {
  const done = (stdout: string): CommandOutput => ({ stdout, stderr: '', exitCode: 0 });
  if (cmd.what === 'daemon') return done(''); // no IPVS sync daemon: ipvsadm prints nothing then
  if (cmd.what === 'timeout') {
    const t = input.state.timeouts;
    return done(cmd.json ? toJsonText(timeoutJson(t)) : formatTimeout(t));
  }
  if (cmd.what === 'connections') {
    const flows = input.flows ?? [];
    return done(cmd.json
      ? toJsonText(connectionsJson(flows))
      : formatConnections(flows, { numeric: cmd.numeric, persistentConn: cmd.format === 'persistent-conn', ...(input.names ? { names: input.names } : {}) }));
  }
  const service = cmd.service ? serviceKey(cmd.service) : undefined;
  if (service && !input.state.services.some((s) => canonicalServiceId(s) === canonicalServiceId(service))) {
    // list_service: ipvs_get_service fails, "No such service", exit(1).
    return { stdout: '', stderr: `${NO_SUCH_SERVICE}\n`, exitCode: 1 };
  }
  const data = input.data ?? {};
  if (cmd.json) return done(toJsonText(listJson(input.state, data, { sort: cmd.sort, ...(service ? { service } : {}) })));
  return done(formatList(input.state, data, {
    numeric: cmd.numeric, format: cmd.format, exact: cmd.exact, sort: cmd.sort, ...(service ? { service } : {}),
    ...(input.names ? { names: input.names } : {}),
  }));
}
