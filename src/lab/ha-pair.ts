// The lab of an HA pair of directors (the HA tests and the soak benchmark):
//
//   client --- router ===(front bridge)=== dirA, dirB (and an intruder, when asked)
//                 \                         |     |
//                  ======(back bridge)====== dirA, dirB, rs1..rsN
//
// Addresses: client 192.0.2.1 (router 192.0.2.254); front 198.51.100.0/24 (router .1,
// A .2, B .3, intruder .66); back 203.0.113.0/24 (router .254, A .2, B .3, reals as
// given). The directors' interfaces are `front` and `back`; each real's is `eth0`. The
// reals' default route is the router, or `realGateway` (NAT: a floating HA address).
// Servers on the reals are the caller's. HaDirector runs a director's daemon.
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, Host, Proc } from './topology.js';
import { IpvxClient } from '../api/client.js';
import { DAEMON_JS } from './classic.js';
import { runFiles } from '../common/paths.js';

export interface HaPairLab { client: Host; router: Host; A: Host; B: Host; intruder?: Host; reals: Host[] }

export async function buildHaPair(lab: Lab, o: { reals: string[]; intruder?: boolean; realGateway?: string }): Promise<HaPairLab> {
  const client = await lab.addHost('client');
  const router = await lab.addHost('router');
  const A = await lab.addHost('dirA');
  const B = await lab.addHost('dirB');
  const intruder = o.intruder ? await lab.addHost('intruder') : undefined;
  const swf = await lab.addHost('swf');
  const swb = await lab.addHost('swb');
  const reals: Host[] = [];
  for (let i = 0; i < o.reals.length; i++) reals.push(await lab.addHost(`rs${i + 1}`));
  const cr = await lab.link(client, router);
  const front: string[] = [], back: string[] = [];
  front.push((await lab.link(router, swf, { xdp: true, aIf: 'front' })).b.ifname);
  back.push((await lab.link(router, swb, { xdp: true, aIf: 'back' })).b.ifname);
  for (const d of [A, B]) {
    front.push((await lab.link(d, swf, { xdp: true, aIf: 'front' })).b.ifname);
    back.push((await lab.link(d, swb, { xdp: true, aIf: 'back' })).b.ifname);
  }
  if (intruder) front.push((await lab.link(intruder, swf, { xdp: true, aIf: 'front' })).b.ifname);
  for (const r of reals) back.push((await lab.link(r, swb, { xdp: true, aIf: 'eth0' })).b.ifname);
  await lab.bridge(swf, 'br0', front);
  await lab.bridge(swb, 'br0', back);

  await lab.addAddress(client, cr.a.ifname, '192.0.2.1/24');
  await lab.addAddress(router, cr.b.ifname, '192.0.2.254/24');
  await lab.addRoute(client, 'default', '192.0.2.254');
  await lab.addAddress(router, 'front', '198.51.100.1/24');
  await lab.addAddress(router, 'back', '203.0.113.254/24');
  await lab.setSysctl(router, 'net.ipv4.ip_forward', 1);
  // DR/TUN replies come from the VIP (a front address) in on the back leg.
  await lab.setSysctl(router, 'net.ipv4.conf.all.rp_filter', 0);
  await lab.setSysctl(router, 'net.ipv4.conf.back.rp_filter', 0);
  for (const [d, n] of [[A, 2], [B, 3]] as const) {
    await lab.addAddress(d, 'front', `198.51.100.${n}/24`);
    await lab.addAddress(d, 'back', `203.0.113.${n}/24`);
    await lab.addRoute(d, '192.0.2.0/24', '198.51.100.1');
  }
  if (intruder) await lab.addAddress(intruder, 'front', '198.51.100.66/24');
  for (const [i, r] of reals.entries()) {
    await lab.addAddress(r, 'eth0', `${o.reals[i]}/24`);
    await lab.addRoute(r, 'default', o.realGateway ?? '203.0.113.254');
  }
  return { client, router, A, B, ...(intruder ? { intruder } : {}), reals };
}

/**
 * `ipvx daemon run` on a director of the pair, with the XDP data plane on `front` and
 * `back`, HA sync every 0.2 s and metrics on the director's own 127.0.0.1:9100. Its
 * config, state and run files are in a temp dir the lab removes.
 */
export class HaDirector {
  proc: Proc | undefined;
  readonly dir: string;

  constructor(readonly lab: Lab, readonly host: Host, readonly name: string, config: string, private readonly args: string[] = []) {
    this.dir = mkdtempSync(join(tmpdir(), `ipvx-ha-${name}-`));
    lab.removeOnDestroy(this.dir);
    writeFileSync(join(this.dir, 'config.yaml'), config);
  }

  /** Start the daemon (extra `daemon run` options as given to the constructor) and wait until it answers. */
  async start(): Promise<void> {
    this.proc = await this.lab.node(this.host, DAEMON_JS, [
      'run', '--config', join(this.dir, 'config.yaml'), '--state', join(this.dir, 'state.yaml'), '--run-dir', join(this.dir, 'run'),
      '--interfaces', 'front,back', '--ha-sync-interval', '0.2', '--metrics', '127.0.0.1:9100', ...this.args,
    ]);
    const end = Date.now() + 60_000;
    for (;;) {
      if (await this.status().then(() => true, () => false)) return;
      if (Date.now() > end) throw new Error(`${this.name}: the daemon did not answer within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  socket(): string {
    return runFiles(join(this.dir, 'run'), this.lab.nsId(this.host)).socket;
  }

  /** A client of this daemon (close() it when done). */
  client(timeoutMs = 20_000): IpvxClient {
    return new IpvxClient(`unix:${this.socket()}`, { timeoutMs });
  }

  async status() {
    const c = IpvxClient.local(this.socket()); // refuses at once while there is no socket yet
    try {
      return await c.getStatus();
    } finally {
      c.close();
    }
  }

  /** The Prometheus exposition, fetched inside the director's namespace. */
  metrics(): Promise<string> {
    return this.lab.exec(this.host, process.execPath, ['-e', "fetch('http://127.0.0.1:9100/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"]);
  }

  /** RSS (kB) and open descriptors of the daemon's process. */
  usage(): { rssKb: number; fds: number } {
    const pid = this.proc!.pid!;
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]), fds: readdirSync(`/proc/${pid}/fd`).length };
  }

  kill9(): void {
    this.proc?.child.kill('SIGKILL');
  }

  /** Stop the daemon; its files and pins go with the lab (the dir is registered, the pins are named by the namespace). */
  async cleanup(): Promise<void> {
    await this.proc?.kill(5000);
  }
}
