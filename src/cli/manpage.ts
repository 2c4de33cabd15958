// ipvx(8), generated from the texts `ipvx --help` and the subcommands' --help print
// (src/cli/help.ts, src/daemon/main.ts), so the manual page and the help never differ.
// `node build/js/src/cli/manpage.js > ipvx.8` (make build writes build/man/ipvx.8).
import { helpText, APPLY_HELP, IMPORT_HELP, WATCH_HELP } from './help.js';
import { DAEMON_HELP } from '../daemon/main.js';
import { VERSION } from '../common/version.js';

/** Text as roff: backslashes escaped, lines starting with . or ' protected. */
const roff = (text: string) => text.split('\n').map((l) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1')).join('\n');

/** A verbatim block (no filling), as the help prints it. */
const block = (text: string) => `.nf\n${roff(text.replace(/\n+$/, ''))}\n.fi\n`;

export function manPage(date = '2026-01-01'): string {
  const [, ...body] = helpText('ipvx').split('\n'); // the first line is the version line
  return [
    `.TH IPVX 8 "${date}" "ipvx ${VERSION}" "System Administration"`,
    '.SH NAME',
    'ipvx \\- layer-4 load balancer for Linux with an ipvsadm-compatible command line',
    '.SH SYNOPSIS',
    block(body.join('\n').split('\nCommands:')[0]!.replace(/^Usage:\n/, '')),
    '.SH DESCRIPTION',
    'ipvx balances TCP and UDP connections over real servers with the direct routing, tunnelling',
    'and NAT methods of LVS, in XDP programs. The command line is ipvsadm 1.31\'s: its commands,',
    'options, messages, exit codes and output formats. Each network namespace has one daemon,',
    'found without options; the ipvsadm commands below act on it.',
    '.SH OPTIONS',
    block(`Commands:${body.join('\n').split('\nCommands:')[1] ?? ''}`),
    '.SH DAEMON',
    block(DAEMON_HELP),
    '.SH APPLY',
    block(APPLY_HELP),
    '.SH IMPORT',
    block(IMPORT_HELP),
    '.SH WATCH',
    block(WATCH_HELP),
    '.SH EXIT STATUS',
    '0 done; 1 no daemon (or, for \\fB-L -t\\fR, no such service, as ipvsadm); 2 bad usage, nothing changed;',
    '255 refused by the daemon, as ipvsadm reports the kernel\'s refusals.',
    '.SH FILES',
    '/run/ipvx/\\fINETNS\\fR.sock (the daemon\'s socket), /etc/services (port names).',
    '.SH SEE ALSO',
    'ipvsadm(8), keepalived.conf(5), lvs.cf(5); docs/migrating.md in the ipvx sources.',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(manPage());
