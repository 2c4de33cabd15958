// `ipvx demo [--method dr|tun|nat] [--family 4|6] [--keep]`: the classic LVS lab in
// network namespaces, the real daemon on the director, a service configured with
// ipvsadm commands, requests from the client, the director's table; then cleanup.
// How a newcomer first meets ipvx, so every step says what it does.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lab, removeLeftoverLabs } from './topology.js';
import { buildClassicLab, startDirectorDaemon, teardownReals, PLAN, PORTS, IPVX_BIN, hostPort, type ClassicLab, type Family, type LabMethod } from './classic.js';
import { serverScript } from './servers/index.js';
import { startDemoConsole, stopDemoConsole } from './demo-console.js';

export const DEMO_HELP = `Usage: ipvx demo [--method dr|tun|nat] [--family 4|6] [--requests N] [--keep]
       ipvx demo --clean
Builds a small lab in network namespaces (nothing changes in this machine's own network):
  client --- director --- bridge --- rs1, rs2
starts the ipvx daemon on the director (XDP), configures a virtual service with ipvsadm
commands (round robin, the chosen forwarding method), sends HTTP requests from the client,
shows which real server answered each and the director's statistics, then removes the lab.
  --method dr|tun|nat   forwarding method (default dr): direct routing, IP-in-IP tunnel, NAT
  --family 4|6          IPv4 (default) or IPv6
  --requests N          how many requests (default 6, 2..1000)
  --keep                keep the lab afterwards, start the web console on it (its URL and a
                        one-time password are printed) and print how to enter the lab
  --clean               remove labs kept by earlier runs
Needs root (namespaces, XDP) and a build (make build).`;

const PREFIX = 'ipvxdemo';
const METHOD_NAME: Record<LabMethod, string> = { dr: 'direct routing', tun: 'IP-in-IP tunnelling', nat: 'NAT (masquerading)' };
const METHOD_FLAG: Record<LabMethod, string> = { dr: '-g', tun: '-i', nat: '-m' };
const LB_OBJ = fileURLToPath(new URL('../../../bpf/ipvx_lb.bpf.o', import.meta.url));

export interface DemoOptions { method: LabMethod; family: Family; requests: number; keep: boolean; clean: boolean; help: boolean }

/** argv after `demo` -> options, or an Error naming what is wrong. Pure. */
export function parseDemoArgs(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { method: { type: 'string' }, family: { type: 'string' }, requests: { type: 'string' }, keep: { type: 'boolean' }, clean: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const method = values.method ?? 'dr';
  if (method !== 'dr' && method !== 'tun' && method !== 'nat') throw new Error(`--method '${method}': expected dr, tun or nat`);
  const fam = values.family ?? '4';
  if (fam !== '4' && fam !== '6') throw new Error(`--family '${fam}': expected 4 or 6`);
  const req = values.requests ?? '6';
  if (!/^\d+$/.test(req) || Number(req) < 2 || Number(req) > 1000) throw new Error(`--requests '${req}': expected a whole number 2..1000`);
  if (values.clean && (values.keep || values.method || values.family || values.requests)) throw new Error('--clean takes no other option');
  return { method, family: Number(fam) as Family, requests: Number(req), keep: Boolean(values.keep), clean: Boolean(values.clean), help: Boolean(values.help) };
}

export async function runDemo(argv: string[]): Promise<number> {
  let o: DemoOptions;
  try {
    o = parseDemoArgs(argv);
  } catch (e) {
    console.error(`ipvx demo: ${(e as Error).message}\n${DEMO_HELP}`);
    return 2;
  }
  if (o.help) { console.log(DEMO_HELP); return 0; }
  if (process.getuid?.() !== 0) { console.error('ipvx demo: needs root (it creates network namespaces and attaches XDP programs); run it with sudo'); return 1; }
  if (o.clean) return clean();
  if (!existsSync(LB_OBJ)) { console.error(`ipvx demo: ${LB_OBJ} is missing; run 'make build' first`); return 1; }
  const lab = await Lab.create(PREFIX);
  let ok = false;
  try {
    ok = await demo(lab, o);
    return ok ? 0 : 1;
  } catch (e) {
    console.error(`\nipvx demo failed: ${(e as Error).message}`);
    return 1;
  } finally {
    if (o.keep && ok) {
      lab.release();
    } else {
      process.stdout.write('\ncleaning up: stopping the daemon, removing the namespaces ... ');
      await lab.destroy();
      console.log('done');
    }
  }
}

async function demo(lab: Lab, o: DemoOptions): Promise<boolean> {
  const p = PLAN[o.family];
  const vipPort = hostPort(p.vip, PORTS.http);
  const httpPort = o.method === 'nat' ? PORTS.natHttp : PORTS.http;
  console.log(`ipvx demo: a virtual service ${vipPort} spread over two real servers by ${METHOD_NAME[o.method]}, IPv${o.family}.`);
  console.log('Everything runs in network namespaces made for this demo; nothing changes in this machine\'s own network.\n');
  console.log(`  client ${p.client}  --->  director ${p.dirFront} | ${p.dirBack}  --->  bridge  --->  rs1 ${p.real(0)}`);
  console.log(`  (asks the VIP ${p.vip})       (ipvx daemon, XDP)                              rs2 ${p.real(1)}`);
  console.log(o.method === 'nat'
    ? '  NAT: the director rewrites the VIP to a real (port 80 -> 8080) and the replies back; they return through it.'
    : o.method === 'dr'
      ? '  DR: the director only rewrites the MAC address; the reals hold the VIP on lo and answer the client directly.'
      : '  TUN: the director wraps each packet in an outer IP header to the real, which unwraps it (ipvx_decap) and answers directly.');

  step(1, 'building the lab');
  const c = await buildClassicLab(lab, { method: o.method, sinks: false, say: (l) => console.log(`    ${l}`) });

  step(2, 'starting the daemon on the director');
  console.log(`    ip netns exec ${c.director.ns} ipvx daemon start --interfaces ${c.directorIfaces.join(',')}`);
  const d = await startDirectorDaemon(c, { runDir: '/run/ipvx' });
  console.log(`    ${(await d.command('status')).trim().split('\n').join('\n    ')}`);

  step(3, 'configuring the virtual service, with the commands ipvsadm users know');
  await ipvx(c, ['-A', '-t', vipPort, '-s', 'rr']);
  for (let i = 0; i < 2; i++) await ipvx(c, ['-a', '-t', vipPort, '-r', hostPort(p.real(i), httpPort), METHOD_FLAG[o.method], '-w', '1']);

  step(4, `${o.requests} HTTP requests from the client to http://${vipPort}/`);
  const out = await lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${vipPort}/`, '--count', String(o.requests)], { timeoutMs: 60_000 });
  const answers = out.trim().split('\n');
  answers.forEach((a, i) => console.log(`    request ${String(i + 1).padStart(2)}: answered by ${a}`));
  const alternates = answers.length === o.requests && answers.every((a, i) => a === (i % 2 === 0 ? answers[0] : answers[0] === 'rs1' ? 'rs2' : 'rs1'));
  console.log(alternates
    ? '    round robin: the answers alternate between rs1 and rs2, as they should.'
    : '    UNEXPECTED: round robin should alternate between rs1 and rs2.');

  step(5, 'the director\'s table with counters: ipvx -L -n --stats');
  const table = await ipvx(c, ['-L', '-n', '--stats'], { quiet: true });
  console.log(table.replace(/\n$/, '').split('\n').map((l) => `    ${l}`).join('\n'));
  if (o.method !== 'nat') console.log('    (OutPkts and OutBytes stay 0: with DR and TUN the replies go from the reals straight to the client.)');

  if (o.keep && alternates) {
    console.log('\nThe lab stays. Try it:');
    console.log(`  ip netns exec ${c.client.ns} curl http://${vipPort}/`);
    console.log(`  ip netns exec ${c.director.ns} ${IPVX_BIN} -L -n --stats`);
    console.log(`  ip netns exec ${c.director.ns} ${IPVX_BIN} -e -t ${vipPort} -r ${hostPort(p.real(0), httpPort)} ${METHOD_FLAG[o.method]} -w 0   # drain rs1`);
    console.log(`  ip netns exec ${c.director.ns} bash   # a shell on the director (also: ${c.client.ns}, ${c.reals.map((r) => r.ns).join(', ')})`);
    const ui = await startDemoConsole(d);
    console.log(`\nThe web console of the director: ${ui.url}`);
    console.log(`  user admin, password ${ui.password}  (made for this lab only; gone with it)`);
    console.log(`Remove it with: ${IPVX_BIN} demo --clean`);
  } else {
    await d.command('stop');
    await teardownReals(c);
  }
  return alternates;
}

function step(n: number, what: string): void {
  console.log(`\n[${n}/5] ${what}`);
}

/** `ipvx ARGS` in the director's namespace, shown as the user would type it. */
async function ipvx(c: ClassicLab, args: string[], o: { quiet?: boolean } = {}): Promise<string> {
  if (!o.quiet) console.log(`    ipvx ${args.join(' ')}`);
  return c.lab.exec(c.director, process.execPath, [IPVX_BIN, ...args]);
}

/** Remove labs kept with --keep by earlier runs whose process is gone (only the run `pid`'s when given). */
export async function cleanKeptDemos(pid?: number): Promise<string[]> {
  const removed = await removeLeftoverLabs(PREFIX, pid);
  // The daemons' temp dirs (state files, the console's password and pid) of those runs.
  for (const name of readdirSync(tmpdir())) {
    const m = /^ipvx-lab-(\d+)-/.exec(name);
    if (!m || !removed.some((ns) => ns.startsWith(`${PREFIX}${m[1]}-`))) continue;
    stopDemoConsole(join(tmpdir(), name));
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  return removed;
}

async function clean(): Promise<number> {
  const removed = await cleanKeptDemos();
  console.log(removed.length ? `removed ${removed.length} namespaces: ${removed.join(' ')}` : 'no kept demo lab to remove');
  return 0;
}
