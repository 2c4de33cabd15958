// The classic LVS lab, shared by `ipvx demo`, the e2e tests and benchmarks:
//
//   client ---- director ---- sw (bridge br0) ---- rs1, rs2 [, rs3 ...]
//   192.0.2.1   .254 | 198.51.100.254               198.51.100.1, .2 ...
//   2001:db8:c::1  ::fe | 2001:db8:1::fe            2001:db8:1::1, ::2 ...
//
// VIPs 203.0.113.10 and 2001:db8::10 are routed by the client to the director. The
// reals route everything via the director: NAT replies must come back through it;
// DR/TUN replies (from the VIP to the client) are forwarded by its kernel. Every link
// crosses XDP, so each is made with `xdp: true` (see LinkOpts).
//
// The director runs the real daemon (`ipvx daemon start`, its own run dir and state
// file in a temp dir); real servers are prepared with `ipvx realserver setup`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpvxClient } from '../api/client.js';
import type { Lab, Host, Proc } from './topology.js';
import { serverScript } from './servers/index.js';
import { runFiles } from '../common/paths.js';

export type Family = 4 | 6;
export type LabMethod = 'dr' | 'tun' | 'nat';

export const PLAN = {
  4: { vip: '203.0.113.10', client: '192.0.2.1', dirFront: '192.0.2.254', dirBack: '198.51.100.254', real: (i: number) => `198.51.100.${i + 1}`, plen: 24, vipNet: '203.0.113.0/24', any: 'default' },
  6: { vip: '2001:db8::10', client: '2001:db8:c::1', dirFront: '2001:db8:c::fe', dirBack: '2001:db8:1::fe', real: (i: number) => `2001:db8:1::${i + 1}`, plen: 64, vipNet: '2001:db8::/64', any: '::/0' },
} as const;

/** Ports the reals listen on (NAT maps the service port 80 to 8080, to show the rewrite). */
export const PORTS = { http: 80, natHttp: 8080, stream: 9000, long: 9001, udp: 53 } as const;

/** "addr:port" as ipvsadm and URLs write it ([v6]:port). */
export const hostPort = (addr: string, port: number) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

const js = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
/** build/js/src/daemon/main.js and build/js/src/realserver/cli.js. */
export const DAEMON_JS = js('../daemon/main.js');
export const REALSERVER_JS = js('../realserver/cli.js');
/** bin/ipvx of this checkout. */
export const IPVX_BIN = js('../../../../bin/ipvx');

export interface ClassicLab {
  lab: Lab;
  client: Host;
  director: Host;
  sw: Host;
  /** With ClassicOptions.router. */
  router?: Host;
  reals: Host[];
  /** Director interfaces that carry service traffic (client side, real side). */
  directorIfaces: string[];
  method: LabMethod;
  /** The port the reals' HTTP servers listen on (80, or 8080 for NAT). */
  httpPort: number;
  /** Per real: the TCP sinks on PORTS.stream and PORTS.long (print one JSON line per finished connection). */
  sinks: Proc[][];
}

export interface ClassicOptions {
  method: LabMethod;
  /** How many real servers (default 2). */
  reals?: number;
  /** Start the servers on the reals (HTTP answering its name, UDP echo); default true. */
  servers?: boolean;
  /** Also the TCP sinks (they print a line per connection, so they need this process alive); default true. */
  sinks?: boolean;
  /** Called with each step, for a narrating demo. */
  say?: (line: string) => void;
  /**
   * A router between the client and the director whose link to the client has this MTU
   * on the router's end (path-MTU tests): client 192.0.2.1/25 and 2001:db8:c::1/64,
   * router .126 / ::2 there and 192.0.2.129/25, 2001:db8:d::1/64 towards the director
   * (192.0.2.254/25, 2001:db8:d::fe/64).
   */
  router?: { mtu: number };
  /** MTU of the director's real-side link, the switch and the reals' links (TUN of full-size packets needs room for the outer header). */
  backMtu?: number;
  /** More `ipvx realserver setup` options for the reals (e.g. --tun-type gue --tun-port 6080). */
  realserverArgs?: string[];
}

/** Addresses around the path-MTU router (ClassicOptions.router). */
export const ROUTED = {
  4: { client: '192.0.2.1/25', routerIn: '192.0.2.126', routerOut: '192.0.2.129/25', dirFront: '192.0.2.254/25', clientNet: '192.0.2.0/25' },
  6: { client: '2001:db8:c::1/64', routerIn: '2001:db8:c::2', routerOut: '2001:db8:d::1/64', dirFront: '2001:db8:d::fe/64', clientNet: '2001:db8:c::/64' },
} as const;

/** Build the topology, addresses for both families, servers and real-server set-up. */
export async function buildClassicLab(lab: Lab, o: ClassicOptions): Promise<ClassicLab> {
  const say = o.say ?? (() => undefined);
  const n = o.reals ?? 2;
  say('creating network namespaces: client, director, sw (a bridge), ' + Array.from({ length: n }, (_, i) => `rs${i + 1}`).join(', '));
  const client = await lab.addHost('client');
  const director = await lab.addHost('director');
  const sw = await lab.addHost('sw');
  const reals: Host[] = [];
  for (let i = 0; i < n; i++) reals.push(await lab.addHost(`rs${i + 1}`));
  const router = o.router ? await lab.addHost('router') : undefined;
  const toRouter = router ? await lab.link(client, router, { xdp: true }) : undefined;
  const front = await lab.link(router ?? client, director, { xdp: true });
  const backMtu = o.backMtu ? { mtu: o.backMtu } : {};
  const back = await lab.link(director, sw, { xdp: true, ...backMtu });
  const ports = [back.b.ifname];
  const rsIf: string[] = [];
  for (const r of reals) {
    const l = await lab.link(sw, r, { xdp: true, ...backMtu });
    ports.push(l.a.ifname);
    rsIf.push(l.b.ifname);
  }
  await lab.bridge(sw, 'br0', ports);
  if (router && toRouter) {
    // Only the router's end is small: the client's MSS stays 1460, so full-size replies
    // reach the router and need path-MTU discovery to get through.
    await lab.ip(router, ['link', 'set', toRouter.b.ifname, 'mtu', String(o.router!.mtu)]);
    await lab.setSysctl(router, 'net.ipv4.ip_forward', 1);
    await lab.setSysctl(router, 'net.ipv6.conf.all.forwarding', 1);
  }
  for (const fam of [4, 6] as const) {
    const p = PLAN[fam];
    if (router && toRouter) {
      const r = ROUTED[fam];
      await lab.addAddress(client, toRouter.a.ifname, r.client);
      await lab.addAddress(router, toRouter.b.ifname, `${r.routerIn}/${r.client.split('/')[1]}`);
      await lab.addAddress(router, front.a.ifname, r.routerOut);
      await lab.addAddress(director, front.b.ifname, r.dirFront);
      await lab.addRoute(client, p.vipNet, r.routerIn);
      await lab.addRoute(router, p.vipNet, r.dirFront.split('/')[0]);
      await lab.addRoute(director, r.clientNet, r.routerOut.split('/')[0]);
    } else {
      await lab.addAddress(client, front.a.ifname, `${p.client}/${p.plen}`);
      await lab.addAddress(director, front.b.ifname, `${p.dirFront}/${p.plen}`);
      await lab.addRoute(client, p.vipNet, p.dirFront);
    }
    await lab.addAddress(director, back.a.ifname, `${p.dirBack}/${p.plen}`);
    for (const [i, r] of reals.entries()) {
      await lab.addAddress(r, rsIf[i]!, `${p.real(i)}/${p.plen}`);
      await lab.addRoute(r, p.any, p.dirBack);
    }
  }
  await lab.setSysctl(director, 'net.ipv4.ip_forward', 1);
  await lab.setSysctl(director, 'net.ipv6.conf.all.forwarding', 1);
  // DR/TUN replies come from the VIP, which the director has no route back to.
  await lab.setSysctl(director, 'net.ipv4.conf.all.rp_filter', 0);
  await lab.setSysctl(director, `net.ipv4.conf.${back.a.ifname}.rp_filter`, 0);

  const httpPort = o.method === 'nat' ? PORTS.natHttp : PORTS.http;
  const sinks: Proc[][] = [];
  for (const [i, r] of reals.entries()) {
    if (o.method !== 'nat') {
      const args = ['setup', '--vip', `${PLAN[4].vip},${PLAN[6].vip}`, '--method', o.method, ...(o.realserverArgs ?? [])];
      say(`on rs${i + 1}: ipvx realserver ${args.join(' ')}`);
      await lab.exec(r, process.execPath, [REALSERVER_JS, ...args]);
    }
    if (o.servers ?? true) {
      await lab.node(r, serverScript('http-name'), ['--name', `rs${i + 1}`, '--port', String(httpPort), '--host', '::'], { ready: 'ready' });
      await lab.node(r, serverScript('udp-echo'), ['--port', String(PORTS.udp), '--host', '::', '--prefix', `rs${i + 1}`], { ready: 'ready' });
      if (o.sinks ?? true) sinks.push([
        await lab.node(r, serverScript('tcp-sink'), ['--port', String(PORTS.stream), '--host', '::'], { ready: 'ready' }),
        await lab.node(r, serverScript('tcp-sink'), ['--port', String(PORTS.long), '--host', '::'], { ready: 'ready' }),
      ]);
    }
  }
  if (o.servers ?? true) say(`on each real: an HTTP server on port ${httpPort} answering its own name, a UDP echo on port ${PORTS.udp}`);
  return { lab, client, director, sw, reals, ...(router ? { router } : {}), directorIfaces: [front.b.ifname, back.a.ifname], method: o.method, httpPort, sinks };
}

/** Undo `ipvx realserver setup` on the reals (the lab's destroy also removes what it leaves). */
export async function teardownReals(c: ClassicLab): Promise<void> {
  if (c.method === 'nat') return;
  for (const r of c.reals) await c.lab.exec(r, process.execPath, [REALSERVER_JS, 'teardown']);
}

export interface DirectorDaemon {
  /** Temp dir with the run dir (socket, pid, log) and the state file. */
  dir: string;
  runDir: string;
  state: string;
  socket: string;
  /** A gRPC client of this daemon (close() it when done). */
  client(): IpvxClient;
  /** `ipvx daemon <sub>` in the director namespace with this daemon's paths; stdout. */
  command(sub: 'start' | 'stop' | 'status', extra?: string[]): Promise<string>;
  /** The daemon's pid, from its pid file. */
  pid(): Promise<number>;
  /** Remove the temp dir (the lab's destroy kills the process). */
  remove(): void;
}

export interface DaemonOptions {
  xdpMode?: 'native' | 'generic';
  /**
   * Socket, pid and log files (default: in the temp dir). The default of the daemon,
   * /run/ipvx, lets `ip netns exec <director> ipvx ...` find it without options; its
   * files there are named by the director's namespace name (its identity), and the lab removes them.
   */
  runDir?: string;
  /** Extra `daemon start` arguments. */
  args?: string[];
  /** Run health checks (default false: tests that do not test them start with --no-health). */
  health?: boolean;
}

/** `ipvx daemon start` in the director namespace, attached to the director's interfaces. */
export async function startDirectorDaemon(c: Pick<ClassicLab, 'lab' | 'director' | 'directorIfaces'>, o: DaemonOptions = {}): Promise<DirectorDaemon> {
  const dir = mkdtempSync(join(tmpdir(), `ipvx-lab-${process.pid}-`));
  c.lab.removeOnDestroy(dir);
  const runDir = o.runDir ?? join(dir, 'run');
  const state = join(dir, 'state.yaml');
  const files = runFiles(runDir, c.lab.nsId(c.director));
  const socket = files.socket;
  const paths = ['--run-dir', runDir, '--state', state];
  const command = (sub: string, extra: string[] = []) =>
    c.lab.exec(c.director, process.execPath, [DAEMON_JS, sub, ...paths, ...extra], { timeoutMs: 90_000 });
  const d: DirectorDaemon = {
    dir, runDir, state, socket,
    client: () => new IpvxClient(`unix:${socket}`, { timeoutMs: 20_000 }),
    command,
    pid: async () => Number((await c.lab.exec(c.director, 'cat', [files.pid])).trim()),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  try {
    await command('start', ['--interfaces', c.directorIfaces.join(','), '--xdp-mode', o.xdpMode ?? 'native', ...(o.health ? [] : ['--no-health']), ...(o.args ?? [])]);
  } catch (e) {
    d.remove();
    throw e;
  }
  return d;
}

/** A service spec of the gRPC API. */
export function serviceSpec(fam: Family, port: number, protocol: 'tcp' | 'udp', method: LabMethod, realCount: number, realPort = port, scheduler = 'rr') {
  return {
    vip: PLAN[fam].vip, port, protocol, scheduler, method,
    reals: Array.from({ length: realCount }, (_, i) => ({ address: PLAN[fam].real(i), port: realPort, method, weight: 1 })),
  };
}
