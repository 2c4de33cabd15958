// Scale-out end to end: a router (BIRD, ECMP with an L4 hash) in front of three
// directors, each running `ipvx daemon` with bgp enabled and its own BIRD; three DR
// reals behind them answer the client directly through the router. Each director is
// given the reals in a different order: mh must still agree on every client's real.
//
//   client --- router ===(LAN bridge)=== d1 d2 d3 (ipvx + BIRD)   rs1 rs2 rs3
//
// Shows: the router learns the VIP from all three and spreads flows over them (the
// directors' counters); stopping one daemon withdraws the VIP from BGP, its flows move
// to the others and every long connection (on it or on the others) goes on, on the
// same real; starting it again puts it back in the ECMP group without breaking any.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { Lab, type Host, type Proc } from '../../src/lab/topology.js';
import { IpvxClient } from '../../src/api/client.js';
import { serverScript } from '../../src/lab/servers/index.js';
import { untilWith } from '../lib/wait.js';
import { haveCommand } from '../lib/have.js';

const js = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DAEMON = js('../../src/daemon/main.js');
const REALSERVER = js('./fixtures/realserver.js');
const ECHO = serverScript('tcp-echo-name');
const LONG = serverScript('long-conns');
const LB_OBJ = js('../../../bpf/ipvx_lb.bpf.o');

const root = process.getuid?.() === 0;
const birdInstalled = haveCommand('bird'); // the lab spawns it by name
const skip = !root ? 'needs root' : !existsSync(LB_OBJ) ? 'needs build/bpf (make bpf)' : !birdInstalled ? 'needs BIRD 2 (Debian bird2; scripts/setup.sh installs it)' : false;

const VIP = '203.0.113.10';
const PORT = 9000;
const ROUTER_AS = 65000, DIRECTOR_AS = 65001;
const CONNS = 48;
const DIRECTORS = ['d1', 'd2', 'd3'] as const;
const REALS = ['rs1', 'rs2', 'rs3'] as const;
const lanAddr = (name: string) => `198.51.100.${name.startsWith('d') ? 10 + Number(name[1]) : name.startsWith('rs') ? 20 + Number(name[2]) : 1}`;

const until = untilWith({ timeoutMs: 20_000, everyMs: 200, retryErrors: true });

function routerBird(dir: string): string {
  return [
    'router id 198.51.100.1;',
    'protocol device { scan time 2; }',
    // Install every equal BGP path: the kernel spreads flows over them (fib_multipath_hash_policy=1).
    'protocol kernel { ipv4 { import none; export all; }; merge paths on; }',
    ...DIRECTORS.map((d) => `protocol bgp ${d} {
  local as ${ROUTER_AS};
  neighbor ${lanAddr(d)} as ${DIRECTOR_AS};
  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 4;
  ipv4 { import all; export none; };
}`),
    '',
  ].join('\n').replace(/\$DIR/g, dir);
}

interface Conn { id: number; localPort: number; real: string; replies: number; moved: string[]; error: string; open: boolean }
interface Status { event: string; open: number; conns: Conn[] }

async function clientStatus(p: Proc): Promise<Status> {
  if (!p.running) throw new Error(`the client exited (${p.exitCode ?? p.exitSignal}): ${p.stderr.slice(-1000)}`);
  const n = p.lines.length;
  p.child.kill('SIGUSR2');
  return until('client status', () => {
    for (const l of p.lines.slice(n)) if (l.startsWith('{"event":"status"')) return JSON.parse(l) as Status;
    return undefined;
  }, 5000, 25);
}

test('scale-out: ECMP over three directors announcing over BGP; remove and re-add one without breaking connections', { skip, timeout: 240_000 }, async () => {
  const lab = await Lab.create('ipvxso');
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-scaleout-'));
  lab.removeOnDestroy(dir);
  const inodes: string[] = [];
  const report: string[] = [];
  try {
    // ---- topology
    const client = await lab.addHost('client');
    const router = await lab.addHost('router');
    const sw = await lab.addHost('sw');
    const ds = await Promise.all(DIRECTORS.map((d) => lab.addHost(d)));
    const rs = await Promise.all(REALS.map((r) => lab.addHost(r)));
    await lab.link(client, router, { xdp: true });
    await lab.addAddress(client, 'eth0', '192.0.2.130/25');
    await lab.addAddress(router, 'eth0', '192.0.2.129/25');
    await lab.addRoute(client, 'default', '192.0.2.129');
    const ports: string[] = [];
    for (const h of [router, ...ds, ...rs]) {
      const l = await lab.link(h, sw, { xdp: true });
      ports.push(l.b.ifname);
      await lab.addAddress(h, l.a.ifname, `${lanAddr(h.name)}/24`);
    }
    await lab.bridge(sw, 'br0', ports);
    await lab.setSysctl(router, 'net.ipv4.ip_forward', 1);
    await lab.setSysctl(router, 'net.ipv4.fib_multipath_hash_policy', 1); // L4 hash: flows of one client spread
    for (const k of ['all', 'default', 'eth0', 'eth1']) await lab.setSysctl(router, `net.ipv4.conf.${k}.rp_filter`, 0);
    for (const [i, h] of rs.entries()) {
      await lab.addRoute(h, 'default', '198.51.100.1'); // replies go to the client through the router, not the directors
      await lab.node(h, REALSERVER, ['--vip', VIP, '--method', 'dr'], { ready: 'ready' });
      await lab.node(h, ECHO, ['--name', REALS[i]!, '--port', String(PORT)], { ready: 'ready' });
    }

    // ---- BIRD on the router
    const rdir = join(dir, 'router');
    await lab.exec(router, 'mkdir', ['-p', rdir]);
    writeFileSync(join(rdir, 'bird.conf'), routerBird(rdir));
    const birdArgs = (d: string) => ['-f', '-c', join(d, 'bird.conf'), '-s', join(d, 'bird.ctl'), '-P', join(d, 'bird.pid')];
    await lab.spawn(router, 'bird', birdArgs(rdir));
    const birdc = (h: Host, d: string, ...args: string[]) => lab.exec(h, 'birdc', ['-s', join(d, 'bird.ctl'), ...args]);

    // ---- directors: BIRD with a placeholder config (ipvx replaces it), then the daemon
    const reals = REALS.map((r) => ({ address: lanAddr(r), port: PORT }));
    const orders = [reals, [...reals].reverse(), [reals[1]!, reals[2]!, reals[0]!]];
    const daemons: (Proc | undefined)[] = [];
    const ddir = (i: number) => join(dir, DIRECTORS[i]!);
    const startDaemon = async (i: number) => {
      const d = ddir(i);
      daemons[i] = await lab.node(ds[i]!, DAEMON, ['run', '--run-dir', join(d, 'run'), '--state', join(d, 'state.yaml'), '--config', join(d, 'ipvx.yaml'), '--interfaces', 'eth0', '--xdp-mode', 'native', '--log-level', 'warn']);
      await until(`${DIRECTORS[i]} daemon serving`, async () => {
        if (!daemons[i]!.running) throw new Error(`daemon exited: ${daemons[i]!.stderr.slice(-2000)}`);
        return existsSync(join(d, 'run', `${inodes[i]}.pid`));
      }, 30_000);
    };
    for (const [i, h] of ds.entries()) {
      const d = ddir(i);
      await lab.exec(h, 'mkdir', ['-p', join(d, 'run')]);
      inodes[i] = lab.nsId(h);
      writeFileSync(join(d, 'bird.conf'), `router id ${lanAddr(DIRECTORS[i]!)};\nprotocol device {}\n`);
      await lab.spawn(h, 'bird', birdArgs(d));
      writeFileSync(join(d, 'ipvx.yaml'), YAML.stringify({
        services: [{
          vip: VIP, port: PORT, protocol: 'tcp', scheduler: 'mh', flags: ['mh-port'], method: 'dr', reals: orders[i],
          health: { check: { type: 'tcp' }, interval: 1, timeout: 1 },
        }],
        bgp: {
          enabled: true, localAs: DIRECTOR_AS, routerId: lanAddr(DIRECTORS[i]!), peers: [{ address: '198.51.100.1', as: ROUTER_AS }],
          birdConfig: join(d, 'bird.conf'), birdSocket: join(d, 'bird.ctl'), holdTime: 3, connectRetry: 1,
        },
      }));
      await startDaemon(i);
    }
    const api = (i: number) => new IpvxClient(`unix:${join(ddir(i), 'run', `${inodes[i]}.sock`)}`, { timeoutMs: 10_000 });
    const nexthops = async (): Promise<string[]> => {
      const r = JSON.parse(await lab.ip(router, ['-j', 'route', 'show', `${VIP}/32`])) as { gateway?: string; nexthops?: { gateway: string }[] }[];
      if (!r[0]) return [];
      return (r[0].nexthops ?? [{ gateway: r[0].gateway! }]).map((n) => n.gateway).sort();
    };
    const all = DIRECTORS.map(lanAddr).sort();
    await until('the router routes the VIP over all three directors', async () => JSON.stringify(await nexthops()) === JSON.stringify(all), 60_000);

    // `ipvx daemon status` shows the session and the announced prefix.
    for (const [i, h] of ds.entries()) {
      const out = await until(`${DIRECTORS[i]} status shows the session`, async () => {
        const s = await lab.exec(h, process.execPath, [DAEMON, 'status', '--run-dir', join(ddir(i), 'run')]);
        return /bgp: 1\/1 sessions established; announced: 203\.0\.113\.10\/32/.test(s) ? s : undefined;
      });
      assert.match(out, /peer 198\.51\.100\.1 \(ipvx_peer1\): Established/);
      if (i === 0) report.push(out.trim());
    }

    // ---- phase 1: flows spread over the three directors
    const cl = await lab.node(client, LONG, ['--host', VIP, '--port', String(PORT), '--count', String(CONNS), '--interval', '200'], { ready: 'ready', readyTimeoutMs: 30_000 });
    let st = await until('every connection answered', async () => { const s = await clientStatus(cl); return s.conns.every((c) => c.replies >= 2) ? s : undefined; });
    assert.equal(st.open, CONNS, JSON.stringify(st.conns.filter((c) => !c.open)));
    const realOf = new Map(st.conns.map((c) => [c.id, c.real]));
    const byReal = (s: Status) => Object.fromEntries(REALS.map((r) => [r, s.conns.filter((c) => c.real === r).length]));

    // Which director holds which connection (from the directors' own flow tables), and their counters.
    const flowsOn = async (i: number): Promise<Set<number>> => {
      const c = api(i);
      try {
        const ports = new Set<number>();
        for await (const f of c.listConnections({})) if (f.client === '192.0.2.130') ports.add(f.clientPort);
        return ports;
      } finally { c.close(); }
    };
    const conns = async (i: number) => {
      const c = api(i);
      try {
        const s = await c.getStats();
        return { conns: Number(s.services[0]?.counters?.conns ?? 0), pktsIn: Number(s.services[0]?.counters?.pktsIn ?? 0), lost: Number(s.global.flow_lost ?? 0) };
      } finally { c.close(); }
    };
    const before = await Promise.all(DIRECTORS.map((_, i) => conns(i)));
    const where = await Promise.all(DIRECTORS.map((_, i) => flowsOn(i)));
    report.push(`new connections per director: ${DIRECTORS.map((d, i) => `${d}=${before[i]!.conns}`).join(' ')}; per real: ${JSON.stringify(byReal(st))}`);
    for (const [i, b] of before.entries()) assert.ok(b.conns > 0, `${DIRECTORS[i]} took no connection: ${JSON.stringify(before)}`);
    assert.equal(before.reduce((n, b) => n + b.conns, 0), CONNS, 'each connection was scheduled once, by one director');
    const onD3 = st.conns.filter((c) => where[2]!.has(c.localPort));
    assert.ok(onD3.length > 0);
    // Every real gets connections (mh-port spreads by source port too).
    for (const r of REALS) assert.ok(byReal(st)[r]! > 0, JSON.stringify(byReal(st)));

    // The state of every connection and its progress since `s0`.
    const progressed = async (what: string, s0: Status) => until(what, async () => {
      const s = await clientStatus(cl);
      // A broken connection will not progress: hand it to intact() at once.
      if (s.conns.some((c) => c.error || !c.open || c.moved.length)) return s;
      const stalled = s.conns.filter((c) => c.replies < s0.conns[c.id]!.replies + 5);
      return stalled.length === 0 ? s : undefined;
    }, 30_000, 250);
    const intact = (s: Status, when: string) => {
      assert.deepEqual(s.conns.filter((c) => c.error || !c.open).map((c) => `${c.id}: ${c.error}`), [], `${when}: broken connections`);
      assert.deepEqual(s.conns.filter((c) => c.moved.length || c.real !== realOf.get(c.id)).map((c) => `${c.id}: ${c.real} -> ${c.moved.join(',')}`), [], `${when}: connections answered by another real`);
    };

    // ---- phase 2: stop d3's daemon: it withdraws the VIP, its flows move to d1/d2 and stay on their reals
    await daemons[2]!.kill(15_000);
    assert.equal(daemons[2]!.exitCode, 0, daemons[2]!.stderr.slice(-2000));
    assert.doesNotMatch(await birdc(ds[2]!, ddir(2), 'show', 'route', 'protocol', 'ipvx_vips4'), /203\.0\.113\.10/, 'd3 withdrew the VIP before exiting');
    await until('the router routes the VIP over d1 and d2 only', async () => JSON.stringify(await nexthops()) === JSON.stringify(all.slice(0, 2)), 15_000);
    const t2 = await clientStatus(cl);
    st = await progressed('every connection answered again after d3 left', t2);
    intact(st, 'after d3 left');
    const after = await Promise.all([0, 1].map((i) => conns(i)));
    const lost = after.reduce((n, a, i) => n + a.lost - before[i]!.lost, 0);
    // d3's connections reached d1/d2 mid-stream (no SYN): scheduled by mh onto the same real.
    assert.ok(lost >= onD3.length, `d1/d2 saw ${lost} mid-stream flows; d3 had ${onD3.length} connections`);
    const whereAfter = await Promise.all([0, 1].map((i) => flowsOn(i)));
    for (const c of onD3) assert.ok(whereAfter.some((w) => w.has(c.localPort)), `connection ${c.id} (was on d3) is on d1 or d2 now`);
    report.push(`d3 stopped: ${onD3.length} connections moved from d3 (d1/d2 took ${lost} mid-stream flows); ${st.open}/${CONNS} open, all on their first real`);

    // ---- phase 3: start d3 again: it announces, the router spreads over three again, nothing breaks
    await startDaemon(2);
    await until('the router routes the VIP over all three again', async () => JSON.stringify(await nexthops()) === JSON.stringify(all), 30_000);
    const t3 = await clientStatus(cl);
    const d3Before = await conns(2);
    st = await progressed('every connection answered after d3 came back', t3);
    intact(st, 'after d3 came back');
    // d3 kept its flow table (pinned maps, adopted on restart): the packets it gets now are the old connections'.
    const d3After = await conns(2);
    assert.ok(d3After.pktsIn > d3Before.pktsIn, 'd3 forwards again');
    assert.equal(d3After.conns, d3Before.conns, 'and no connection was new to it');
    report.push(`d3 back: it forwarded ${d3After.pktsIn - d3Before.pktsIn} packets of the running connections; ${st.open}/${CONNS} open, all on their first real`);

    // ---- phase 4: d1 loses every live real (quiesced here; a failed health check does the
    // same): it withdraws the VIP, its connections move to d2/d3 and stay on their reals;
    // a live real again and d1 announces again.
    const setWeights = async (i: number, weight: number) => {
      const c = api(i);
      try {
        for (const r of reals) await c.updateReal({ vip: VIP, port: PORT, protocol: 'tcp' }, { address: r.address, port: r.port, method: 'dr', weight });
      } finally { c.close(); }
    };
    await setWeights(0, 0);
    await until('the router routes the VIP over d2 and d3 only (d1 has no live real)', async () => JSON.stringify(await nexthops()) === JSON.stringify(all.slice(1)), 15_000);
    const d1Status = await lab.exec(ds[0]!, process.execPath, [DAEMON, 'status', '--run-dir', join(ddir(0), 'run')]);
    assert.match(d1Status, /announced: -/, d1Status);
    st = await progressed('every connection answered while d1 has no live real', await clientStatus(cl));
    intact(st, 'while d1 had no live real');
    await setWeights(0, 1);
    await until('the router routes the VIP over all three again (d1 has live reals)', async () => JSON.stringify(await nexthops()) === JSON.stringify(all), 15_000);
    st = await progressed('every connection answered after d1 announced again', await clientStatus(cl));
    intact(st, 'after d1 announced again');
    report.push(`d1 without a live real: withdrawn, then announced again; ${st.open}/${CONNS} open, all on their first real`);

    // ---- the end: the client closes; nothing broke at any point
    await cl.kill(5000);
    const final = cl.lines.filter((l) => l.startsWith('{"event":"status"')).map((l) => JSON.parse(l) as Status).at(-1)!;
    intact(final, 'at the end');
    console.log(`# scale-out:\n${report.map((l) => `#   ${l.replace(/\n/g, '\n#   ')}`).join('\n')}`);
  } finally {
    await lab.destroy(); // also the directors' pins (named by their namespaces' inodes) and dir
  }
});
