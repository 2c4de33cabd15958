// `ipvx realserver setup|teardown|agent`: what the LVS documents ask users to do by
// hand on each real server, done in this network namespace and reversibly.
// Parsing is pure (parseRealserverArgs); runRealserverCommand does the I/O.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseIp, type IpAddr } from '../core/addr.js';
import { describeStep, setupSteps, type RealServerMethod } from './plan.js';
import { UsageError } from '../common/usage-error.js';

export const REALSERVER_HELP = `Usage: ipvx realserver setup|teardown|agent [options]
  setup      prepare this host to receive traffic for a VIP from an ipvx director:
               --vip ADDR[,ADDR...]   the virtual address(es); repeatable; IPv4 and IPv6
               --method dr|tun        how the director forwards to this host
               --interfaces A,B       TUN: where tunnelled packets arrive (default: every up interface)
               --tun-type ipip|gue|gre TUN: the director's encapsulation (ipvsadm --tun-type; default ipip)
               --tun-port PORT        GUE: the UDP port the director sends to (ipvsadm --tun-port)
               --dry-run              print the steps, change nothing
             dr:  VIP on lo (/32, /128), arp_ignore=1 and arp_announce=2 (all, lo) so the
                  host never answers ARP for the VIP nor uses it as ARP source
             tun: the same, rp_filter=0 (decapsulated packets come from anywhere), and the
                  ipvx_decap XDP program on the interfaces: strips IPIP/IP6IP6 and GRE, and
                  GUE to the --tun-port, addressed to this host (no ipip, gre or fou module
                  needed), verifies tunnel checksums, passes everything else untouched
             nat: nothing to set up on the real server; route its replies through the director
  teardown   undo exactly what setup did (previous sysctl values, addresses it added, XDP)
  agent      serve the weight this host asks for (one line, "75%", per TCP connection) to a
             director whose service uses the 'agent' load source:
               --port N (default 3333)  --host ADDR (default ::)
               --load loadavg|PERCENT|drain|down|up (default loadavg)  --floor PERCENT (default 10)
Everything acts on the network namespace the command runs in (ip netns exec NS ipvx realserver ...).`;

export type AgentLoad = 'loadavg' | 'drain' | 'down' | 'up' | number;

export type RealserverCommand =
  | { kind: 'help' }
  | { kind: 'setup'; vips: IpAddr[]; method: 'dr' | 'tun'; interfaces?: string[]; tunType?: 'ipip' | 'gue' | 'gre'; tunPort?: number; dryRun: boolean }
  | { kind: 'teardown' }
  | { kind: 'agent'; port: number; host: string; load: AgentLoad; floor: number };

const OPTIONS = {
  vip: { type: 'string', multiple: true },
  method: { type: 'string' },
  interfaces: { type: 'string' },
  'tun-type': { type: 'string' },
  'tun-port': { type: 'string' },
  'dry-run': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  load: { type: 'string' },
  floor: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  setup: ['vip', 'method', 'interfaces', 'tun-type', 'tun-port', 'dry-run', 'help'],
  teardown: ['help'],
  agent: ['port', 'host', 'load', 'floor', 'help'],
};

function intIn(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${what} '${text}': expected a whole number ${min}..${max}`);
  return n;
}

/** argv after `realserver` -> a command, or UsageError naming what is wrong. Pure. */
export function parseRealserverArgs(argv: string[]): RealserverCommand {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') return { kind: 'help' };
  if (!(sub in ALLOWED)) throw new UsageError(`unknown command '${sub}' (setup, teardown, agent)`);
  let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values as typeof values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return { kind: 'help' };
  for (const k of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (!ALLOWED[sub]!.includes(k)) throw new UsageError(`${sub} takes no --${k}`);
  }
  if (sub === 'teardown') return { kind: 'teardown' };
  if (sub === 'agent') {
    const load = values.load ?? 'loadavg';
    let parsedLoad: AgentLoad;
    if (load === 'loadavg' || load === 'drain' || load === 'down' || load === 'up') parsedLoad = load;
    else if (/^\d+%?$/.test(load)) parsedLoad = intIn(load.replace('%', ''), '--load', 0, 1000);
    else throw new UsageError(`--load '${load}': expected loadavg, a percent (0..1000), drain, down or up`);
    return {
      kind: 'agent',
      port: values.port === undefined ? 3333 : intIn(values.port, '--port', 1, 65535),
      host: checkHost(values.host ?? '::'),
      load: parsedLoad,
      floor: values.floor === undefined ? 10 : intIn(values.floor.replace('%', ''), '--floor', 0, 100),
    };
  }
  // setup
  const vipTexts = (values.vip ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (vipTexts.length === 0) throw new UsageError('setup needs --vip ADDR (the virtual address this host serves)');
  const vips: IpAddr[] = [];
  for (const t of vipTexts) {
    const r = parseIp(t);
    if (!r.ok) throw new UsageError(`--vip '${t}': not an IPv4 or IPv6 address`);
    if (!vips.some((v) => v.text === r.value.text)) vips.push(r.value);
  }
  const method = values.method;
  if (method === undefined) throw new UsageError('setup needs --method dr|tun');
  if (method === 'nat') throw new UsageError('--method nat: a NAT real server needs no setup; make the director its route for replies (default gateway)');
  if (method !== 'dr' && method !== 'tun') throw new UsageError(`--method '${method}': expected dr or tun`);
  const interfaces = values.interfaces?.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.interfaces !== undefined && !interfaces?.length) throw new UsageError('--interfaces: give at least one interface name');
  for (const i of interfaces ?? []) if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(i)) throw new UsageError(`--interfaces: '${i}' is not an interface name`);
  const tunType = values['tun-type'];
  if (tunType !== undefined && method !== 'tun') throw new UsageError(`--tun-type is for --method tun, not ${method}`);
  if (tunType !== undefined && tunType !== 'ipip' && tunType !== 'gue' && tunType !== 'gre') throw new UsageError(`--tun-type '${tunType}': expected ipip, gue or gre`);
  let tunPort: number | undefined;
  if (values['tun-port'] !== undefined) {
    if (tunType !== 'gue') throw new UsageError('--tun-port is for --tun-type gue');
    tunPort = intIn(values['tun-port'], '--tun-port', 1, 65535);
  } else if (tunType === 'gue') {
    throw new UsageError('--tun-type gue needs --tun-port PORT (the UDP port the director sends to)');
  }
  return {
    kind: 'setup', vips, method, ...(interfaces ? { interfaces } : {}), ...(tunType ? { tunType } : {}), ...(tunPort ? { tunPort } : {}),
    dryRun: Boolean(values['dry-run']),
  };
}

function checkHost(h: string): string {
  if (!parseIp(h).ok) throw new UsageError(`--host '${h}': not an IPv4 or IPv6 address`);
  return h;
}

export async function runRealserverCommand(argv: string[]): Promise<number> {
  let cmd: RealserverCommand;
  try {
    cmd = parseRealserverArgs(argv);
  } catch (e) {
    console.error(`ipvx realserver: ${(e as Error).message}\n${REALSERVER_HELP}`);
    return 2;
  }
  try {
    switch (cmd.kind) {
      case 'help':
        console.log(REALSERVER_HELP);
        return argv.length ? 0 : 2;
      case 'setup': return await setup(cmd);
      case 'teardown': return await teardown();
      case 'agent': return await agent(cmd);
    }
  } catch (e) {
    console.error(`ipvx realserver ${cmd.kind}: ${(e as Error).message}`);
    return 1;
  }
}

async function setup(cmd: RealserverCommand & { kind: 'setup' }): Promise<number> {
  // Loaded here: the data-plane modules need libbpf, which help and parsing do not.
  const { realServerSetup } = await import('./apply.js');
  if (cmd.dryRun) {
    const { upInterfaces } = await import('../dataplane/xdp.js');
    const ifaces = upInterfaces().map((i) => i.name).filter((n) => !cmd.interfaces || cmd.interfaces.includes(n));
    const steps = setupSteps({ vips: cmd.vips, method: cmd.method, interfaces: ifaces, tunnelAddresses: [], ...(cmd.tunType ? { tunType: cmd.tunType } : {}), ...(cmd.tunPort ? { tunPort: cmd.tunPort } : {}) });
    console.log('would do (dry run, nothing changed):');
    for (const s of steps) console.log(`  ${describeStep(s).replace(/ for $/, ' for this host\'s addresses')}`);
    return 0;
  }
  if (cmd.interfaces) await checkInterfacesExist(cmd.interfaces);
  const steps = await realServerSetup({
    vips: cmd.vips, method: cmd.method, ...(cmd.interfaces ? { interfaces: cmd.interfaces } : {}),
    ...(cmd.tunType ? { tunType: cmd.tunType } : {}), ...(cmd.tunPort ? { tunPort: cmd.tunPort } : {}),
  });
  console.log(`real server set up for ${cmd.vips.map((v) => v.text).join(', ')} (${cmd.method}${cmd.tunType ? `, ${cmd.tunType}` : ''}):`);
  for (const s of steps) console.log(`  ${describeStep(s)}`);
  console.log('undo with: ipvx realserver teardown');
  return 0;
}

async function checkInterfacesExist(names: string[]): Promise<void> {
  const { upInterfaces } = await import('../dataplane/xdp.js');
  const up = new Set(upInterfaces().map((i) => i.name));
  const missing = names.filter((n) => !up.has(n));
  if (missing.length) throw new Error(`--interfaces: no up interface named ${missing.join(', ')} in this network namespace`);
}

async function teardown(): Promise<number> {
  const { realServerTeardown } = await import('./apply.js');
  await realServerTeardown();
  console.log('real server set-up undone (addresses, sysctls and XDP restored to what they were)');
  return 0;
}

async function agent(cmd: RealserverCommand & { kind: 'agent' }): Promise<number> {
  const { runAgent } = await import('./agent.js');
  const a = await runAgent({ port: cmd.port, host: cmd.host, loadSource: cmd.load, floorPercent: cmd.floor });
  console.log(`agent listening on ${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port} (load: ${cmd.load})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await a.close();
  return 0;
}

export type { RealServerMethod };

// Entry point when run directly (the lab runs it before the `ipvx` dispatcher exists in a build).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runRealserverCommand(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => { console.error(e.message); process.exit(1); });
}
