// `ipvx`: ipvsadm's command line against the daemon of this network namespace (over
// gRPC), and ipvx's own subcommands (daemon, apply, watch, import, realserver, demo).
// Parsing (src/ipvsadm) and formatting (src/cli/ipvsadm) are pure; this file is the I/O around them.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import {
  parseIpvsadmArgs, parseRestoreInput, exitCodeOf, commandToServiceSpec, commandToRealSpec, serviceKey,
  type IpvsadmCommand, type ListCommand,
} from '../ipvsadm/index.js';
import { formatSave, runList, toJsonText, type ListData, type Health, type NameLookup } from './ipvsadm/index.js';
import { readServices } from '../common/services.js';
import { helpText, versionText, APPLY_HELP, IMPORT_HELP, WATCH_HELP } from './help.js';
import { defenseLines, parseDefenseArgs } from './dataplane-text.js';
import { UsageError } from '../common/usage-error.js';
import { runDaemonCommand } from '../daemon/main.js';
import { IpvxClient, IpvxError, DaemonUnavailable, type ConnectOptions } from '../api/client.js';
import { currentConfig, restoreRules, editConfig } from './restore-rules.js';
import { parseMarkArgs, applyMarkCommand, formatMarks, MARK_HELP } from './mark.js';
import { resolveSocket } from '../common/paths.js';
import { importAny, type ImportOptions, type ImportFormat } from '../config/import/index.js';
import { globSync } from '../common/glob.js';
import { networkInterfaces } from 'node:os';
import { parseConfig, stateToPlain, formatConfig } from '../config/schema.js';
import { validateState } from '../core/validate.js';
import { renderChanges, type Change } from '../core/diff.js';
import { formatErrors, type FieldError } from '../core/result.js';
import type { DesiredState } from '../core/model.js';
import type { FlowView, ServiceCounters } from '../dataplane/port.js';
import type { GetStatsResponse__Output } from '../api/gen/ipvx/v1/GetStatsResponse.js';
import type { Counters__Output } from '../api/gen/ipvx/v1/Counters.js';

/** The data plane's sizes, from this installation's object (loaded only by the commands that validate). */
const dataplaneLimits = async () => (await import('../dataplane/limits.js')).readLimits();

/** Exit statuses: ipvsadm's where it has them (2 usage, 255 kernel refusal, 1 no IPVS). */
const EXIT = { ok: 0, unavailable: 1, usage: 2, refused: 255 } as const;

/** How to reach the daemon; taken off argv before anything else parses it. */
interface Target { socket?: string; runDir?: string; server?: string; tls: NonNullable<ConnectOptions['tls']> }

const TARGET_OPTIONS: Record<string, (t: Target, v: string) => void> = {
  '--socket': (t, v) => { t.socket = v; },
  // As the daemon's own --run-dir: the socket of this namespace's daemon in DIR.
  '--run-dir': (t, v) => { t.runDir = v; },
  '--server': (t, v) => { t.server = v; },
  '--tls-ca': (t, v) => { t.tls.ca = v; },
  '--tls-cert': (t, v) => { t.tls.cert = v; },
  '--tls-key': (t, v) => { t.tls.key = v; },
};

export function splitTarget(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { target: Target; rest: string[] } {
  const target: Target = { tls: {} };
  if (env.IPVX_SERVER) target.server = env.IPVX_SERVER;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const set = TARGET_OPTIONS[name];
    if (!set) { rest.push(a); continue; }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`option ${name} needs a value`);
    set(target, v);
  }
  target.socket = resolveSocket(target, env);
  return { target, rest };
}


function connect(t: Target): IpvxClient {
  const tls = t.tls.ca || t.tls.cert || t.tls.key ? t.tls : undefined;
  if (t.server) return new IpvxClient(t.server, tls ? { tls } : {});
  return IpvxClient.local(t.socket);
}

const out = (s: string) => { process.stdout.write(s); };
const err = (s: string) => { process.stderr.write(s.endsWith('\n') ? s : `${s}\n`); };

// ---- ipvsadm commands ----

async function runIpvsadm(argv: string[], target: Target): Promise<number> {
  const parsed = parseIpvsadmArgs(argv);
  if (!parsed.ok) return printErrors(parsed.errors, exitCodeOf(parsed.errors));
  const cmd = parsed.value;
  if (cmd.kind === 'help') { out(helpText()); return EXIT.ok; }
  if (cmd.kind === 'version') { out(versionText()); return EXIT.ok; }
  if (cmd.kind === 'restore') {
    // Read all of stdin before connecting: a bad line changes nothing.
    const input = parseRestoreInput(readFileSync(0, 'utf8'));
    if (!input.ok) return printErrors(input.errors, exitCodeOf(input.errors));
    return withClient(target, async (c) => {
      const r = await restoreRules(c, input.value);
      return r.ok ? EXIT.ok : printErrors(r.errors, EXIT.refused);
    });
  }
  return withClient(target, (c) => execute(c, cmd));
}

async function execute(c: IpvxClient, cmd: IpvsadmCommand): Promise<number> {
  switch (cmd.kind) {
    case 'add-service': await c.addService(toMsg(commandToServiceSpec(cmd))); return EXIT.ok;
    case 'edit-service': await c.updateService(toMsg(commandToServiceSpec(cmd))); return EXIT.ok;
    case 'delete-service': await c.deleteService(serviceKey(cmd.service)); return EXIT.ok;
    case 'add-server': await c.addReal(serviceKey(cmd.service), toMsg(commandToRealSpec(cmd))); return EXIT.ok;
    case 'edit-server': await c.updateReal(serviceKey(cmd.service), toMsg(commandToRealSpec(cmd))); return EXIT.ok;
    case 'delete-server': await c.deleteReal(serviceKey(cmd.service), { address: cmd.server.address, port: cmd.server.port }); return EXIT.ok;
    case 'clear': await c.clear(); return EXIT.ok;
    case 'zero': await c.zeroCounters(cmd.service ? serviceKey(cmd.service) : undefined); return EXIT.ok;
    case 'set': await c.setTimeouts(cmd.timeouts); return EXIT.ok;
    case 'save': out(formatSave(await currentState(c), cmd.numeric, { names: portNames() })); return EXIT.ok;
    case 'list': return list(c, cmd);
    default: return EXIT.ok;
  }
}

/** A service or real as its proto message (the schema's field names are the proto's); whole states go through stateToPlain. */
const toMsg = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function currentState(c: IpvxClient): Promise<DesiredState> {
  return (await currentConfig(c)).state;
}

/** Port names for listings without -n, from /etc/services as ipvsadm's getservbyport reads it. */
function portNames(): NameLookup {
  const services = readServices();
  return { port: (port, protocol) => services.name(port, protocol) };
}

async function list(c: IpvxClient, cmd: ListCommand): Promise<number> {
  const flows: FlowView[] = [];
  if (cmd.what === 'connections') {
    const filter = cmd.service ? { service: serviceKey(cmd.service) } : {};
    for await (const f of c.listConnections(filter)) flows.push({ ...f, protocol: f.protocol as FlowView['protocol'] });
  }
  const needsStats = cmd.what === 'services';
  const [state, stats] = await Promise.all([currentState(c), needsStats ? c.getStats() : undefined]);
  const r = runList(cmd, { state, ...(stats ? { data: listData(stats) } : {}), flows, names: portNames() });
  out(r.stdout);
  if (r.stderr) err(r.stderr);
  return r.exitCode;
}

const counters = (m: Counters__Output | null) => ({
  conns: BigInt(m?.conns || 0), pktsIn: BigInt(m?.pktsIn || 0), pktsOut: BigInt(m?.pktsOut || 0),
  bytesIn: BigInt(m?.bytesIn || 0), bytesOut: BigInt(m?.bytesOut || 0),
});
const rates = (m: { cps: number; inpps: number; outpps: number; inbps: number; outbps: number } | null) =>
  ({ cps: m?.cps ?? 0, inpps: m?.inpps ?? 0, outpps: m?.outpps ?? 0, inbps: m?.inbps ?? 0, outbps: m?.outbps ?? 0 });
const health = (h: string): Health => (h === 'up' || h === 'down' ? h : 'unknown');

/** GetStats as the listings' input. */
export function listData(stats: GetStatsResponse__Output): ListData {
  const services = stats.services;
  return {
    counters: services.map((s): ServiceCounters => ({
      service: s.service, ...counters(s.counters),
      reals: s.reals.map((r) => ({ real: r.real, ...counters(r.counters), activeConns: r.activeConns, inactiveConns: r.inactiveConns })),
    })),
    rates: services.map((s) => ({ service: s.service, ...rates(s.rates), reals: s.reals.map((r) => ({ real: r.real, ...rates(r.rates) })) })),
    reals: services.flatMap((s) => s.reals.map((r) => ({
      service: s.service, real: r.real, health: health(r.health), effectiveWeight: r.effectiveWeight, persistConns: r.persistConns,
      ...(r.healthReason ? { healthReason: r.healthReason, healthSince: r.healthSince } : {}),
    }))),
  };
}

// ---- ipvx's own subcommands ----

async function runApply(argv: string[], target: Target): Promise<number> {
  let file: string | undefined;
  let serial: string | undefined;
  let dryRun = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f' || a === '--file') file = argv[++i];
    else if (a.startsWith('--file=')) file = a.slice(7);
    else if (a === '--dry-run' || a === '-n') dryRun = true;
    else if (a === '--json') json = true;
    else if (a === '--serial' || a.startsWith('--serial=')) {
      const n = a === '--serial' ? argv[++i] : a.slice(9);
      if (!n || !/^[1-9]\d*$/.test(n)) return usage(`ipvx apply: --serial ${n ?? ''}: expected the positive serial --dry-run printed`, APPLY_HELP);
      serial = n;
    }
    else if (a === '-h' || a === '--help') { out(`${APPLY_HELP}\n`); return EXIT.ok; }
    else return usage(`ipvx apply: unknown argument '${a}'`, APPLY_HELP);
  }
  if (!file) return usage('ipvx apply: -f FILE is required', APPLY_HELP);
  const text = file === '-' ? readFileSync(0, 'utf8') : readText(file);
  const limits = await dataplaneLimits();
  const parsed = parseConfig(text, (s) => validateState(s, limits));
  if (!parsed.ok) return printErrors(parsed.errors.map((e) => ({ ...e, message: `${file}: ${e.message}` })), EXIT.usage);
  return withClient(target, async (c) => {
    const res = await c.applyConfig(stateToPlain(parsed.value.state) as never, dryRun, serial);
    printChanges(res.changes as unknown as Change[], json, dryRun, Number(res.changesOmitted ?? 0), String(res.serial));
    return EXIT.ok;
  });
}

function printChanges(changes: Change[], json: boolean, dryRun: boolean, omitted = 0, serial = ''): void {
  if (json) { out(toJsonText({ dryRun, changes, ...(omitted ? { changesOmitted: omitted } : {}), ...(serial ? { serial: Number(serial) } : {}) })); return; }
  if (!changes.length) { out('no changes\n'); return; }
  out(`${renderChanges(changes)}\n`);
  if (omitted) out(`(${omitted} more service and real change${omitted === 1 ? '' : 's'} applied, not listed)\n`);
  if (dryRun) out(`(dry run: ${changes.length} change${changes.length === 1 ? '' : 's'} not applied; configuration serial ${serial}: --serial ${serial} applies exactly these)\n`);
}

/** The I/O an import may need, from this machine. */
function importIo(file: string, resolveHosts: boolean): ImportOptions {
  const services = readServices();
  const localAddresses = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
  return {
    ...(file !== '-' ? { file } : {}),
    readFile: (p) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } },
    glob: (pattern, dir) => globSync(pattern, dir),
    services,
    localAddresses,
    ...(resolveHosts ? {
      resolveHost: (name: string) => {
        try { return execFileSync('getent', ['ahostsv4', name], { encoding: 'utf8' }).split(/\s+/)[0] || undefined; } catch { return undefined; }
      },
    } : {}),
  };
}

async function runImport(argv: string[], target: Target): Promise<number> {
  let file: string | undefined;
  let apply = false, dryRun = false, json = false, partial = false, resolveHosts = false;
  let serial: string | undefined;
  let iptables: string | undefined;
  let format: ImportFormat | undefined;
  let role: 'primary' | 'backup' | undefined;
  let keyFile: string | undefined;
  const value = (a: string, i: number, name: string): [string | undefined, number] =>
    (a === name ? [argv[i + 1], i + 1] : [a.slice(name.length + 1), i]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const opt = a.split('=')[0]!;
    if (a === '--apply') apply = true;
    else if (opt === '--iptables') {
      const [f, j] = value(a, i, '--iptables'); i = j;
      iptables = f;
      if (!iptables) return usage('ipvx import: --iptables needs a file (iptables-save output)', IMPORT_HELP);
    }
    else if (opt === '--serial') {
      const [n, j] = value(a, i, '--serial'); i = j;
      if (!n || !/^[1-9]\d*$/.test(n)) return usage(`ipvx import: --serial ${n ?? ''}: expected the positive serial --dry-run printed`, IMPORT_HELP);
      serial = n;
    } else if (opt === '--format') {
      const [f, j] = value(a, i, '--format'); i = j;
      if (f !== 'ipvsadm' && f !== 'lvs.cf' && f !== 'keepalived') return usage(`ipvx import: --format ${f ?? ''}: expected ipvsadm, lvs.cf or keepalived`, IMPORT_HELP);
      format = f;
    } else if (opt === '--role') {
      const [r, j] = value(a, i, '--role'); i = j;
      if (r !== 'primary' && r !== 'backup') return usage(`ipvx import: --role ${r ?? ''}: expected primary or backup`, IMPORT_HELP);
      role = r;
    } else if (opt === '--ha-key-file') {
      const [k, j] = value(a, i, '--ha-key-file'); i = j;
      if (!k) return usage('ipvx import: --ha-key-file needs a file', IMPORT_HELP);
      keyFile = k;
    }
    else if (a === '--dry-run') dryRun = true;
    else if (a === '--json') json = true;
    else if (a === '--partial') partial = true;
    else if (a === '--resolve-hosts') resolveHosts = true;
    else if (a === '-h' || a === '--help') { out(`${IMPORT_HELP}\n`); return EXIT.ok; }
    else if (a.startsWith('-') && a !== '-') return usage(`ipvx import: unknown option '${a}'`, IMPORT_HELP);
    else if (file) return usage(`ipvx import: one file at a time ('${file}' and '${a}')`, IMPORT_HELP);
    else file = a;
  }
  if (!file) return usage('ipvx import: FILE is required', IMPORT_HELP);
  if ((dryRun || serial) && !apply) return usage(`ipvx import: ${dryRun ? '--dry-run' : '--serial'} goes with --apply`, IMPORT_HELP);
  const opts: ImportOptions = { ...importIo(file, resolveHosts), ...(format ? { format } : {}), ...(role ? { role } : {}), ...(iptables ? { iptablesSave: { text: readText(iptables), file: iptables } } : {}) };
  const r = importAny(file === '-' ? readFileSync(0, 'utf8') : readText(file), opts);
  const where = (f: string | undefined, line: number) => `${f ?? file}: line ${line}`;
  if (!r.ok) {
    return printErrors(r.errors.map((e) => {
      const m = /^(?:(.+): )?line (\d+)$/.exec(e.field);
      return { field: '', message: m ? `${where(m[1], Number(m[2]))}: ${e.message}` : `${file}: ${e.message}` };
    }), EXIT.usage);
  }
  const res = r.value;
  for (const u of res.unmapped) err(`${where(u.file, u.line)}: not imported: ${u.reason} (${u.text.trim()})`);
  for (const n of res.notes ?? []) err(`${file}: ${n}`);
  let state = res.state;
  if (keyFile) {
    if (!state.ha) return usage(`ipvx import: --ha-key-file: ${file} has no HA settings to give the key to`, IMPORT_HELP);
    const key = readText(keyFile).trim();
    if (!key) return usage(`ipvx import: --ha-key-file ${keyFile} is empty`, IMPORT_HELP);
    state = { ...state, ha: { ...state.ha, key } };
  }
  const v = validateState(state, await dataplaneLimits());
  // A validation error names the source line of the service or real it is about.
  const origin = (field: string) => {
    const m = /^services\[(\d+)\](?:\.reals\[(\d+)\])?/.exec(field);
    if (!m) return undefined;
    const svc = Number(m[1]), real = m[2] !== undefined ? Number(m[2]) : undefined;
    const o = res.origins?.find((x) => x.service === svc && x.real === real) ?? res.origins?.find((x) => x.service === svc && x.real === undefined);
    return o ? `${where(o.file, o.line)}: ` : '';
  };
  const toComplete = v.ok ? [] : v.errors.map((e) => `${origin(e.field) ?? `${file}: `}to complete before ipvx apply: ${e.field}: ${e.message}`);
  const sum = res.summary;
  if (sum) {
    err(`${file}: imported ${sum.services} service${sum.services === 1 ? '' : 's'} and ${sum.reals} real${sum.reals === 1 ? '' : 's'} (${res.format ?? 'unknown format'}); ` +
      `${sum.skipped} line${sum.skipped === 1 ? '' : 's'} not imported` +
      `${sum.droppedServices || sum.droppedReals ? ` (${sum.droppedServices} whole virtual server${sum.droppedServices === 1 ? '' : 's'} and ${sum.droppedReals} real${sum.droppedReals === 1 ? '' : 's'} left out)` : ''}; ` +
      `${toComplete.length} thing${toComplete.length === 1 ? '' : 's'} to complete`);
  }
  const dropped = (sum?.droppedServices ?? 0) + (sum?.droppedReals ?? 0);
  if (dropped && !partial) err(`${file}: not everything was imported (see above); --partial accepts that`);
  if (!apply) {
    // What the source files cannot say (an HA key piranha never had) is left to the
    // operator: the configuration is printed, with what to fill in before `ipvx apply`.
    for (const line of toComplete) err(line);
    out(json ? toJsonText(stateToPlain(v.ok ? v.value : state)) : formatConfig(v.ok ? v.value : state));
    return dropped && !partial ? EXIT.usage : EXIT.ok;
  }
  if (!v.ok) { for (const line of toComplete) err(line); return EXIT.usage; }
  if (dropped && !partial) return EXIT.usage;
  return withClient(target, async (c) => {
    const resApply = await c.applyConfig(stateToPlain(v.value) as never, dryRun, serial);
    printChanges(resApply.changes as unknown as Change[], json, dryRun, Number(resApply.changesOmitted ?? 0), String(resApply.serial));
    return EXIT.ok;
  });
}

async function runMark(argv: string[], target: Target): Promise<number> {
  const p = parseMarkArgs(argv);
  if (!p.ok) return usage(`ipvx ${p.errors[0]!.message}`, MARK_HELP);
  const cmd = p.value;
  if (cmd.kind === 'help') { out(`${MARK_HELP}\n`); return EXIT.ok; }
  return withClient(target, async (c) => {
    if (cmd.kind === 'list') {
      const { state } = await currentConfig(c);
      out(cmd.json ? toJsonText({ marks: state.marks ?? [] }) : formatMarks(state.marks ?? []));
      return EXIT.ok;
    }
    // Read, edit, write back on the serial read (another client's change in between: again).
    // The edit's refusal or validation's errors, each as `ipvx mark KIND: message`.
    const r = await editConfig(c, (state) => {
      const next = applyMarkCommand(state, cmd);
      return next.ok ? validateState(next.value) : next;
    });
    if (!r.ok) return printErrors(r.errors.map((e) => ({ ...e, message: `ipvx mark ${cmd.kind}: ${e.message}` })), EXIT.usage);
    printChanges(r.value.changes as unknown as Change[], false, false);
    return EXIT.ok;
  });
}

async function runWatch(argv: string[], target: Target): Promise<number> {
  const json = argv.includes('--json');
  if (argv.some((a) => a === '-h' || a === '--help')) { out(`${WATCH_HELP}\n`); return EXIT.ok; }
  const bad = argv.find((a) => a !== '--json');
  if (bad) return usage(`ipvx watch: unknown argument '${bad}'`, WATCH_HELP);
  return withClient(target, async (c) => {
    const w = c.watch();
    const stop = () => w.cancel();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of w.events) {
        if (json) { out(`${JSON.stringify(e)}\n`); continue; }
        const what = e.kind === 'config'
          ? (e.changes as unknown as Change[]).map((ch) => `${ch.op} ${ch.kind} ${ch.detail}`).join('; ')
          : [e.service, e.real, e.from || e.to ? `${e.from || '-'} -> ${e.to || '-'}` : '', e.reason ? `(${e.reason})` : ''].filter(Boolean).join(' ');
        out(`${e.at} ${e.kind} ${what}${e.origin ? ` [${e.origin}]` : ''}\n`);
      }
    } catch (e) {
      if ((e as { code?: number }).code === 1) return EXIT.ok; // CANCELLED: our own Ctrl-C
      throw e;
    }
    return EXIT.ok;
  });
}

// ---- plumbing ----

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function usage(message: string, help: string): number {
  err(`${message}\n${help}`);
  return EXIT.usage;
}

/** Errors as ipvsadm words them; input lines are named ("line 3: ...") where known. */
function printErrors(errors: FieldError[], code: number): number {
  for (const e of errors) err(/^line \d+$/.test(e.field) && !e.message.includes(`${e.field}:`) ? `${e.field}: ${e.message}` : e.message);
  return code;
}

async function withClient(target: Target, fn: (c: IpvxClient) => Promise<number>): Promise<number> {
  const c = connect(target);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Errors from the daemon as ipvsadm reports the kernel's: the message, exit 255. */
function reportFailure(e: unknown): number {
  if (e instanceof DaemonUnavailable) { err(`ipvx: ${e.message}`); return EXIT.unavailable; }
  if (e instanceof UsageError) { err(`ipvx: ${e.message}`); return EXIT.usage; }
  if (e instanceof IpvxError) {
    if (e.code === grpc.status.INVALID_ARGUMENT) { err(e.message); return EXIT.usage; }
    // ipvsadm prints the kernel's words alone ("Service already exists"); the API names the field.
    const kernelLike = e.code === grpc.status.ALREADY_EXISTS || e.code === grpc.status.NOT_FOUND;
    err(kernelLike ? e.message.replace(/^[\w.[\]]+: /, '') : e.message);
    return EXIT.refused;
  }
  err(`ipvx: ${(e as Error).message}`);
  return EXIT.unavailable;
}

/** `ipvx --defense [new_flow_rate=N] [drop_entry=0-3] [secure_tcp=0-3] [syn_timeout=S] [--json]`. */
async function runDefense(argv: string[], target: Target): Promise<number> {
  const p = parseDefenseArgs(argv);
  if (!p.ok) return usage(`ipvx --defense: ${p.message}`, 'Usage: ipvx --defense [new_flow_rate=N] [drop_entry=0-3] [secure_tcp=0-3] [syn_timeout=S] [--json]');
  return withClient(target, async (c) => {
    if (Object.keys(p.set).length) await c.setDefense(p.set);
    const s = await c.getStatus();
    const d = s.defense?.settings;
    const view = {
      settings: { newFlowRate: d?.newFlowRate, dropEntry: d?.dropEntry, secureTcp: d?.secureTcp, synTimeout: d?.synTimeout },
      floodedCpus: s.defense?.floodedCpus ?? 0,
    };
    out(p.json ? toJsonText(view) : `${defenseLines(s.defense, s.globalCounters).join('\n')}\n`);
    return EXIT.ok;
  });
}

type Command = (argv: string[], target: Target) => Promise<number>;

/** Subcommands that ipvsadm does not have. Loaded on use: the daemon pulls in libbpf. */
const SUBCOMMANDS: Record<string, Command> = {
  daemon: (argv) => runDaemonCommand(argv),
  apply: runApply,
  import: runImport,
  mark: runMark,
  watch: runWatch,
  '--defense': runDefense,
  // The lab's commands take no daemon target (src/realserver/cli.ts, src/lab/demo.ts).
  realserver: async (argv) => (await import('../realserver/cli.js')).runRealserverCommand(argv),
  demo: async (argv) => (await import('../lab/demo.js')).runDemo(argv),
  console: async (argv) => (await import('../console/cli.js')).runConsoleCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  try {
    const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
    // The daemon parses its own options (it has --socket-like ones of its own).
    if (sub && (argv[0] === 'daemon' || argv[0] === 'realserver' || argv[0] === 'demo' || argv[0] === 'console')) return await sub(argv.slice(1), { tls: {} });
    const { target, rest } = splitTarget(argv);
    // The daemon-target options may come first (`ipvx --run-dir D --defense ...`).
    const named = rest[0] !== undefined ? SUBCOMMANDS[rest[0]] : undefined;
    if (named) return await named(rest.slice(1), target);
    return await runIpvsadm(rest, target);
  } catch (e) {
    return reportFailure(e);
  }
}

process.exitCode = await main(process.argv.slice(2));
