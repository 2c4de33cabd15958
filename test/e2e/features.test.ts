// End to end in fresh labs (src/lab/classic.ts: the real daemon on the director, reals set
// up with `ipvx realserver setup`, real servers):
//   - wlc with 100 reals (NAT, 100 addresses over 4 real hosts): every real gets connections;
//   - a client that reuses its source port: every connection is new and scheduled anew;
//   - a fwmark service spanning two VIP ports, with persistence: one client lands on one
//     real for both ports;
//   - GUE and GRE TUN services (IPv4 and IPv6, with and without tunnel checksums) carry a
//     1 MB transfer intact to reals whose decap `ipvx realserver setup --tun-type gue` set up;
//   - one-packet scheduling (-o): datagrams of one client socket spread over the reals, no
//     connection kept; without -o they stay on one real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLab } from '../../src/lab/topology.js';
import {
  buildClassicLab, startDirectorDaemon, serviceSpec, PLAN, PORTS, hostPort, IPVX_BIN, type ClassicLab, type ClassicOptions, type DirectorDaemon,
} from '../../src/lab/classic.js';
import { serverScript } from '../../src/lab/servers/index.js';
import type { IpvxClient } from '../../src/api/client.js';

/**
 * A fresh classic lab (`prepare` runs on it before the daemon starts) and its director's
 * daemon; `fn` gets them and an API client, closed afterwards. The lab goes away after,
 * also when something fails (withLab).
 */
function withDirector(
  prefix: string, o: ClassicOptions, fn: (c: ClassicLab, d: DirectorDaemon, api: IpvxClient) => Promise<void>, prepare?: (c: ClassicLab) => Promise<void>,
): Promise<void> {
  return withLab(prefix, async (lab) => {
    const c = await buildClassicLab(lab, o);
    await prepare?.(c);
    const d = await startDirectorDaemon(c);
    const api = d.client();
    try {
      await fn(c, d, api);
    } finally {
      api.close();
    }
  });
}

const REAL_HOSTS = 4;
const ADDRS_PER_HOST = 25;
/** 100 real addresses: 198.51.100.N, N = 11 + host * 25 + k (the hosts' own .1-.4 are not used). */
const realAddr = (host: number, k: number) => `198.51.100.${11 + host * ADDRS_PER_HOST + k}`;

test('wlc with 100 reals (NAT): 500 connections, every real gets some, and each real\'s own server saw them', { timeout: 180_000 }, async () => {
  // 25 addresses on each real host, before the daemon starts.
  const addresses = async (c: ClassicLab) => {
    for (const [h, r] of c.reals.entries()) {
      const ifname = (await c.lab.exec(r, 'ip', ['-o', '-4', 'addr', 'show', 'scope', 'global'])).split(/\s+/)[1]!;
      for (let k = 0; k < ADDRS_PER_HOST; k++) await c.lab.addAddress(r, ifname, `${realAddr(h, k)}/24`);
    }
  };
  await withDirector('ipvxw', { method: 'nat', reals: REAL_HOSTS, sinks: false }, async (c, _d, api) => {
    const reals = Array.from({ length: REAL_HOSTS * ADDRS_PER_HOST }, (_, i) => ({
      address: realAddr(Math.floor(i / ADDRS_PER_HOST), i % ADDRS_PER_HOST), port: c.httpPort, method: 'nat', weight: 1 + (i % 3),
    }));
    await api.addService({ vip: PLAN[4].vip, port: PORTS.http, protocol: 'tcp', scheduler: 'wlc', method: 'nat', reals });
    const out = (await c.lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(PLAN[4].vip, PORTS.http)}/local`, '--count', '500'], { timeoutMs: 150_000 }))
      .trim().split('\n');
    assert.equal(out.length, 500);
    const byAddr = new Map<string, number>();
    for (const line of out) {
      const addr = line.split(' ')[1]!.replace(/^::ffff:/, '');
      byAddr.set(addr, (byAddr.get(addr) ?? 0) + 1);
    }
    const missing = reals.filter((r) => !byAddr.has(r.address)).map((r) => r.address);
    assert.deepEqual(missing, [], `reals that got no connection (of ${byAddr.size} reached)`);
    const stats = await api.getStats();
    const svc = stats.services.find((s) => s.service === `tcp|${PLAN[4].vip}|${PORTS.http}`)!;
    assert.equal(svc.reals.length, 100);
    for (const r of svc.reals) assert.ok(Number(r.counters!.conns) >= 1, `director counted connections to ${r.real}`);
    const events = Object.entries(stats.global).filter(([k, v]) => k.startsWith('flow_') && v !== '0').map(([k, v]) => `${k} ${v}`).join(', ');
    assert.equal(Number(svc.counters!.conns), 500, `connections the director counted (events: ${events})`);
  }, addresses);
});

// IPVS (conn_reuse_mode 1, is_new_conn_expected() in net/netfilter/ipvs/ip_vs_core.c)
// schedules a SYN on a closed connection's tuple as a new connection.
test('a client reusing one source port: each connection is new, scheduled anew (rr spreads them) and counted', { timeout: 120_000 }, async () => {
  await withDirector('ipvxu', { method: 'nat', reals: 3, sinks: false }, async (c, _d, api) => {
    await api.addService(serviceSpec(4, PORTS.http, 'tcp', 'nat', 3, c.httpPort));
    const names = (await c.lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(PLAN[4].vip, PORTS.http)}/`, '--count', '6', '--local-port', '41000'], { timeoutMs: 60_000 }))
      .trim().split('\n');
    const perReal = new Map<string, number>();
    for (const n of names) perReal.set(n, (perReal.get(n) ?? 0) + 1);
    assert.deepEqual([...perReal.values()], [2, 2, 2], `rr over 3 reals, one client port: ${names.join(' ')}`);
    const stats = await api.getStats();
    const svc = stats.services.find((s) => s.service === `tcp|${PLAN[4].vip}|${PORTS.http}`)!;
    assert.equal(Number(svc.counters!.conns), 6);
    assert.equal(Number(stats.global.flow_reused), 5);
  });
});

test('fwmark service on two VIP ports with persistence: each client lands on one real for both ports', { timeout: 120_000 }, async () => {
  // A second HTTP server on every real, on the second port of the site.
  const secondPort = async (c: ClassicLab) => {
    for (const [i, r] of c.reals.entries()) {
      await c.lab.node(r, serverScript('http-name'), ['--name', `rs${i + 1}`, '--port', '8443', '--host', '::'], { ready: 'ready' });
    }
  };
  await withDirector('ipvxf', { method: 'dr', reals: 3, sinks: false }, async (c, d, api) => {
    const lab = c.lab;
    // Configured as an operator would: ipvsadm's commands and ipvx mark, in the director's namespace.
    const ipvx = (...args: string[]) => lab.exec(c.director, process.execPath, [IPVX_BIN, '--socket', d.socket, ...args]);
    await ipvx('-A', '-f', '1', '-s', 'rr', '-p', '300');
    for (const [i] of c.reals.entries()) await ipvx('-a', '-f', '1', '-r', PLAN[4].real(i), '-g');
    await ipvx('mark', 'add', '--mark', '1', '--destination', PLAN[4].vip, '--protocol', 'tcp', '--ports', '80,8443');
    const cfg = await api.getConfig();
    assert.deepEqual(cfg.marks.map((m) => [m.mark, m.destination, m.ports]), [[1, `${PLAN[4].vip}/32`, '80,8443']]);
    const listed = await ipvx('-L', '-n');
    assert.match(listed, /\nFWM  1 rr persistent 300\n  -> 198\.51\.100\.1:0 +Route +1 /);
    assert.match(await ipvx('mark', 'list'), /1 +1 +tcp +203\.0\.113\.10\/32 +80,8443/);
    const get = async (port: number, n: number) => (await lab.runNode(c.client, serverScript('http-get'),
      ['--url', `http://${hostPort(PLAN[4].vip, port)}/`, '--count', String(n)], { timeoutMs: 60_000 })).trim().split('\n');
    const first = await get(80, 10);
    const second = await get(8443, 10);
    const third = await get(80, 5);
    const all = [...first, ...second, ...third];
    assert.equal(new Set(all).size, 1, `one real for http and https of one client: ${all.join(' ')}`);
    // rr without persistence would have spread 25 connections over all three reals.
    const stats = await api.getStats();
    const fw = stats.services.find((s) => s.service === 'fwm|0.0.0.0|1')!;
    assert.equal(Number(fw.counters!.conns), 25);
    assert.equal(fw.reals.filter((r) => Number(r.counters!.conns) > 0).length, 1);
    // Traffic to another port of the VIP is not marked: no service, the director's own stack answers (refuses).
    await assert.rejects(lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${hostPort(PLAN[4].vip, 9999)}/`, '--timeout-ms', '2000']));
  }, secondPort);
});

test('GUE and GRE tunnels (IPv4 and IPv6, with and without checksums) carry 1 MB intact to reals set up with ipvx realserver setup --tun-type gue', { timeout: 180_000 }, async () => {
  await withDirector('ipvxg', { method: 'tun', realserverArgs: ['--tun-type', 'gue', '--tun-port', '6080'] }, async (c, d, api) => {
    const lab = c.lab;
    const cases = [
      { fam: 4, port: PORTS.stream, tun: { tunType: 'gue', tunPort: 6080, tunChecksum: 'csum' }, real: 0 },
      { fam: 6, port: PORTS.stream, tun: { tunType: 'gue', tunPort: 6080 }, real: 1 },
      { fam: 4, port: PORTS.long, tun: { tunType: 'gre' }, real: 0 },
      { fam: 6, port: PORTS.long, tun: { tunType: 'gre', tunChecksum: 'csum' }, real: 1 },
    ] as const;
    // IPv4 through ipvsadm's commands, IPv6 through the API.
    const ipvx = (...args: string[]) => lab.exec(c.director, process.execPath, [IPVX_BIN, '--socket', d.socket, ...args]);
    await ipvx('-A', '-t', `${PLAN[4].vip}:${PORTS.stream}`, '-s', 'rr');
    await ipvx('-a', '-t', `${PLAN[4].vip}:${PORTS.stream}`, '-r', PLAN[4].real(0), '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum');
    await ipvx('-A', '-t', `${PLAN[4].vip}:${PORTS.long}`, '-s', 'rr');
    await ipvx('-a', '-t', `${PLAN[4].vip}:${PORTS.long}`, '-r', PLAN[4].real(0), '-i', '--tun-type', 'gre');
    for (const k of cases.filter((x) => x.fam === 6)) {
      await api.addService({
        vip: PLAN[k.fam].vip, port: k.port, protocol: 'tcp', scheduler: 'rr', method: 'tun',
        reals: [{ address: PLAN[k.fam].real(k.real), port: k.port, method: 'tun', weight: 1, ...k.tun }],
      });
    }
    const info = await ipvx('-L', '-n', '--tun-info');
    assert.match(info, /-> 198\.51\.100\.1:9000 +Tunnel +gue:6080:\+c +1 /);
    assert.match(info, /-> 198\.51\.100\.1:9001 +Tunnel +gre:-c +1 /);
    assert.match(info, /-> \[2001:db8:1::2\]:9001 +Tunnel +gre:\+c +1 /);
    for (const [i, k] of cases.entries()) {
      const what = `${k.tun.tunType} IPv${k.fam}${'tunChecksum' in k.tun ? ' csum' : ''}`;
      const sent = JSON.parse(await lab.runNode(c.client, serverScript('tcp-source'),
        ['--host', PLAN[k.fam].vip, '--port', String(k.port), '--bytes', '1000000', '--seed', String(40 + i)], { timeoutMs: 60_000 }));
      assert.equal(sent.bytes, 1_000_000, what);
      const sink = c.sinks[k.real]![k.port === PORTS.stream ? 0 : 1]!;
      const got = JSON.parse(await sink.waitForLine(new RegExp(sent.sha256), 20_000));
      assert.equal(got.bytes, 1_000_000, `${what}: every byte arrived, the hash matched`);
      assert.ok(got.remote.includes(PLAN[k.fam].client), `${what}: from the client's own address (${got.remote})`);
    }
    // The reals' decap really stripped GUE and GRE (not the kernel, which has no fou or gre here).
    for (const [i, r] of c.reals.entries()) {
      const dump = JSON.parse(await lab.exec(r, 'bpftool', ['-j', 'map', 'dump', 'name', 'decap_stats'])) as
        { elements: { key: string[]; values: { value: string[] }[] }[] }[];
      // Packets counted under D_DECAP (key 1), little-endian u64 per CPU.
      let decapped = 0;
      for (const m of dump) for (const e of m.elements) {
        if (Number(e.key[0]) !== 1) continue;
        for (const v of e.values) decapped += v.value.reduce((n, b, j) => n + Number(b) * 2 ** (8 * j), 0);
      }
      assert.ok(decapped > 1000, `rs${i + 1} decapsulated ${decapped} packets`);
    }
    const global = (await api.getStats()).global;
    assert.equal(global.drop_no_neigh ?? '0', '0');
  });
});

test('one-packet scheduling (-o) of a UDP service: datagrams from one client socket alternate between the reals and leave no connection; without -o they stay on one', { timeout: 120_000 }, async () => {
  await withDirector('ipvxo', { method: 'dr', reals: 2, sinks: false }, async (c, d) => {
    const lab = c.lab;
    const ipvx = (...args: string[]) => lab.exec(c.director, process.execPath, [IPVX_BIN, '--socket', d.socket, ...args]);
    const vip = hostPort(PLAN[4].vip, PORTS.udp);
    await ipvx('-A', '-u', vip, '-s', 'rr', '-o');
    for (const [i] of c.reals.entries()) await ipvx('-a', '-u', vip, '-r', PLAN[4].real(i), '-g');
    // ipvsadm 1.31 print_service_entry: " ops" after the scheduler (and persistence).
    assert.match(await ipvx('-L', '-n'), new RegExp(`\\nUDP  ${vip.replace(/\./g, '\\.')} rr ops\\n`));
    assert.match(await ipvx('-S', '-n'), new RegExp(`-A -u ${vip.replace(/\./g, '\\.')} -s rr -o\\b`));
    const ask = async (n: number) => (await lab.runNode(c.client, serverScript('udp-client'),
      ['--host', PLAN[4].vip, '--port', String(PORTS.udp), '--message', 'ping', '--count', String(n), '--one-socket'], { timeoutMs: 30_000 }))
      .trim().split('\n').map((l) => l.split(':')[0]);
    const ops = await ask(6);
    // rr: each datagram scheduled on its own, so one socket's datagrams alternate.
    assert.deepEqual(new Set(ops), new Set(['rs1', 'rs2']), `replies: ${ops.join(' ')}`);
    for (let i = 1; i < ops.length; i++) assert.notEqual(ops[i], ops[i - 1], `rr alternates: ${ops.join(' ')}`);
    assert.doesNotMatch(await ipvx('-L', '-n', '-c'), /UDP/, 'no connection entry for one-packet datagrams');
    // The same service without -o keeps the client's flow on one real.
    await ipvx('-E', '-u', vip, '-s', 'rr');
    const kept = await ask(6);
    assert.equal(new Set(kept).size, 1, `replies without -o: ${kept.join(' ')}`);
    assert.match(await ipvx('-L', '-n', '-c'), /UDP/);
  });
});
