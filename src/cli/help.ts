// `ipvx --help`: ipvsadm's usage text (its layout and option lines), minus what ipvx
// does not support, plus ipvx's own subcommands.
import { DEFAULT_SCHEDULER, SCHEDULERS } from '../core/model.js';
import { VERSION } from '../common/version.js';

export function versionText(): string {
  return `ipvx ${VERSION} (ipvsadm v1.31 compatible, IPVS v1.2.1 listing format)\n`;
}

export function helpText(program = 'ipvx'): string {
  const p = program;
  return `${versionText()}Usage:
  ${p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags]
  ${p} -D virtual-service
  ${p} -C
  ${p} -R
  ${p} -S [-n]
  ${p} -a|e virtual-service -r server-address [options]
  ${p} -d virtual-service -r server-address
  ${p} -L|l [virtual-service] [options]
  ${p} -Z [virtual-service]
  ${p} --set tcp tcpfin udp
  ${p} --defense [new_flow_rate=N] [drop_entry=0-3] [secure_tcp=0-3] [syn_timeout=S] [--json]
  ${p} -h
  ${p} daemon|apply|watch|import|console|realserver|demo ...

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin (all lines checked before any is applied)
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --defense [name=value ...]  show or set the flood defence (IPVS's drop_entry and secure_tcp sysctls)
  --help            -h        display this help message
  --version         -v        display the version

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port], IPv6 as [addr]:port
  --udp-service|-u  service-address   service-address is host[:port], IPv6 as [addr]:port
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero; -6 after it for IPv6
                                      (ipvx marks packets itself: ${p} mark add ...)
  (host must be numeric: ipvx does not resolve names; SCTP services are not supported)

Options:
  --scheduler    -s scheduler         one of ${SCHEDULERS.join('|')},
                                      the default scheduler is ${DEFAULT_SCHEDULER}.
  --persistent   -p [timeout]         persistent service (default timeout 360 s)
  --netmask      -M netmask           persistent granularity mask (IPv6: prefix length)
  --sched-flags  -b flags             scheduler flags (comma-separated): sh-fallback, sh-port, mh-fallback, mh-port
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port (gue)
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current connections (the flow table)
  --timeout                           output of timeout (tcp tcpfin udp)
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling (UDP)
  --numeric      -n                   numeric output of addresses and ports
  --json                              machine-readable output of any listing (ipvx)

ipvx commands:
  daemon start|stop|status|run        the daemon of this network namespace (${p} daemon --help)
  apply -f FILE [--dry-run]           make the desired state that of FILE (YAML); --dry-run shows the changes
  watch                               follow configuration, health and role events
  import FILE [--iptables FILE]       convert ipvsadm -S output, piranha lvs.cf or keepalived.conf to ipvx YAML
                                      (--iptables: mark rules from iptables-save output, for fwmark services)
  mark list|add|delete                the firewall-mark rules of fwmark services (${p} mark --help)
  realserver setup|teardown|agent     prepare a real server (VIP on lo, ARP, decap) or run the load agent
  demo                                run a self-contained demo in network namespaces
`;
}

export const APPLY_HELP = `Usage: ipvx apply -f FILE [--dry-run] [--serial N] [--json]
  Make the daemon's whole configuration what FILE (YAML, the schema of docs/config) says,
  in one transaction, and print what changed. --dry-run prints the changes only, and the
  configuration's serial they were computed against.
  --serial N            apply only if the configuration is still at serial N (as --dry-run
                        printed it): exactly the changes shown, or nothing (exit 255)`;

export const IMPORT_HELP = `Usage: ipvx import FILE [--format ipvsadm|lvs.cf|keepalived] [--role primary|backup]
         [--resolve-hosts] [--partial] [--ha-key-file FILE] [--iptables FILE]
         [--apply [--dry-run|--serial N]] [--json]
  Convert ipvsadm -S output, piranha's lvs.cf or keepalived.conf (with its includes) into
  ipvx's configuration. Without --apply, prints the configuration as YAML (for ipvx apply -f).
  Every line that has no ipvx equivalent is reported with its file and line on stderr, and a
  summary line counts what was imported, skipped and needs completing.
  --format F         do not guess the format
  --role R           lvs.cf: import as the primary or the backup director (default: the one whose
                     address is on this machine, as pulse decides)
  --resolve-hosts    ipvsadm -S without -n: look host names up (port names are always read
                     from /etc/services)
  --partial          exit 0 even when whole virtual servers or reals were not imported
  --ha-key-file FILE the HA key (HMAC) for ha.key, for a one-command migration with --apply
  --iptables FILE    iptables-save output whose mangle PREROUTING MARK rules become the mark rules
                     of the fwmark services (ipvx marks packets itself); without it, the import
                     says which rules a fwmark service needs
  --apply replaces the daemon's configuration with the imported one (--dry-run: show the changes
  and the configuration's serial; --serial N: apply only if it is still at that serial).
  Exit: 0 imported, 2 unreadable or (without --partial) something dropped, 255 refused by the daemon.`;

export const WATCH_HELP = `Usage: ipvx watch [--json]
  Print the daemon's events as they happen (configuration changes, real up/down,
  service quorum, HA role changes) until interrupted.`;
