// HA end to end: two directors (HaNode processes, priorities 150/100, one key), a
// client and an intruder on one bridge. The VIP (IPv4 and IPv6) lives on the primary;
// when the primary dies the standby takes it within deadtime + 1 s and the client's
// neighbour entries follow (gratuitous ARP / unsolicited NA); a restarted primary takes
// it back with preempt and leaves it without; forged heartbeats from the intruder
// (spoofing each director's address, wrong key) move nothing. Throughout, a 50 ms poll
// checks that the VIP is never up on both directors for longer than one keepalive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Lab, type Host, type Proc } from '../../src/lab/topology.js';
import type { HaSpec } from '../../src/core/model.js';
import { sleep, untilWith } from '../lib/wait.js';
import { forgeHeartbeats } from '../lib/forge-heartbeats.js';

const script = fileURLToPath(new URL('../../src/ha/standalone.js', import.meta.url));

const KEEPALIVE = 0.2, DEADTIME = 0.6;
const VIP4 = '192.0.2.10', VIP6 = '2001:db8::10';
const KEY = 'e2e shared secret';


function spec(local: string, peer: string, priority: number, preempt: boolean): HaSpec {
  return {
    enabled: true, localAddress: local, peerAddress: peer, port: 539, keepalive: KEEPALIVE, deadtime: DEADTIME,
    priority, preempt, preemptDelay: 0.5, key: KEY,
    vips: [{ address: VIP4, prefixLength: 24, interface: 'eth0' }, { address: VIP6, prefixLength: 64, interface: 'eth0' }],
  };
}

interface Event { event: string; role?: string; reason?: string; [k: string]: unknown }
const events = (p: Proc): Event[] => p.lines.flatMap((l) => { try { return [JSON.parse(l) as Event]; } catch { return []; } });

const until = untilWith({ timeoutMs: 5000, everyMs: 25 });

/** Role from the last role event a process printed. */
const roleOf = (p: Proc) => events(p).filter((e) => e.event === 'role').at(-1)?.role;

async function status(p: Proc): Promise<Event> {
  const n = p.lines.length;
  p.child.kill('SIGUSR2');
  return until('status line', () => events({ lines: p.lines.slice(n) } as Proc).find((e) => e.event === 'status'));
}

test('ha: failover, announcements, preempt / no preempt, forged heartbeats, never two owners', { timeout: 120_000 }, async () => {
  const lab = await Lab.create('ipvxha');
  let monitor: Promise<void> | undefined;
  let stopMonitor = false;
  try {
    const sw = await lab.addHost('sw');
    const d1 = await lab.addHost('d1');
    const d2 = await lab.addHost('d2');
    const client = await lab.addHost('client');
    const intruder = await lab.addHost('intruder');
    const ports: string[] = [];
    for (const h of [d1, d2, client, intruder]) ports.push((await lab.link(h, sw)).b.ifname);
    await lab.bridge(sw, 'br0', ports);
    const addrs: [Host, number][] = [[d1, 1], [d2, 2], [client, 100], [intruder, 66]];
    for (const [h, n] of addrs) {
      await lab.addAddress(h, 'eth0', `192.0.2.${n}/24`);
      await lab.addAddress(h, 'eth0', `2001:db8::${n}/64`);
    }
    const mac1 = await lab.mac(d1, 'eth0');
    const mac2 = await lab.mac(d2, 'eth0');

    // Who has the VIP configured on an interface that is up.
    const owns = async (h: Host): Promise<boolean> => {
      const links = JSON.parse(await lab.ip(h, ['-j', 'addr', 'show', 'dev', 'eth0'])) as { operstate: string; addr_info: { local: string }[] }[];
      return links.some((l) => l.operstate === 'UP' && l.addr_info.some((a) => a.local === VIP4));
    };
    const owners = async () => [(await owns(d1)) ? 'd1' : '', (await owns(d2)) ? 'd2' : ''].filter(Boolean).join('+') || 'none';
    let maxOverlapMs = 0;
    monitor = (async () => {
      let since: number | undefined;
      while (!stopMonitor) {
        const t = Date.now();
        const o = await owners().catch(() => 'none');
        if (o === 'd1+d2') {
          since ??= t;
          maxOverlapMs = Math.max(maxOverlapMs, t - since);
        } else since = undefined;
        await sleep(50);
      }
    })();

    const clientNeigh = async (addr: string) => {
      const n = JSON.parse(await lab.ip(client, ['-j', 'neigh', 'show', addr, 'dev', 'eth0'])) as { lladdr?: string }[];
      return n[0]?.lladdr;
    };
    const touchVip = async () => {
      // Traffic from the client makes it resolve the VIP (an entry that announcements then update).
      for (const a of [VIP4, VIP6]) {
        await lab.exec(client, process.execPath, ['-e',
          `const s=require('dgram').createSocket('${a.includes(':') ? 'udp6' : 'udp4'}');s.send('x',9,'${a}',()=>setTimeout(()=>s.close(),100))`]);
      }
    };

    const start = (h: Host, s: HaSpec) => lab.node(h, script, [JSON.stringify(s), '--announce-count', '3', '--sync-flows', '50'], { ready: /"event":"ready"/ });
    const spec1 = spec('192.0.2.1', '192.0.2.2', 150, true);
    const spec2 = spec('192.0.2.2', '192.0.2.1', 100, false);
    let p1 = await start(d1, spec1);
    const p2 = await start(d2, spec2);

    // 1. The primary owns the VIP; the client resolves it to the primary's MAC.
    await until('d1 active', () => roleOf(p1) === 'active');
    await until('d2 standby with a live peer', async () => (await status(p2)).peer ? true : undefined);
    assert.equal(roleOf(p2), 'standby');
    await until('VIP on d1 only', async () => (await owners()) === 'd1');
    assert.ok(!(await lab.ip(d2, ['addr', 'show', 'dev', 'eth0'])).includes(VIP4));
    assert.ok((await lab.ip(d1, ['-6', 'addr', 'show', 'dev', 'eth0'])).includes(VIP6));
    await touchVip();
    assert.equal(await clientNeigh(VIP4), mac1);
    assert.equal(await clientNeigh(VIP6), mac1);
    // Sync: the standby holds the primary's flow table.
    await until('flows synced to d2', async () => ((await status(p2)).table === 50 ? true : undefined));
    await sleep(1100); // past the neighbour lock time, so the next announcement is taken

    // 2. The primary dies with its link: the standby owns the VIP within deadtime + 1 s.
    p1.child.kill('SIGKILL');
    await p1.exited;
    await lab.ip(d1, ['link', 'set', 'eth0', 'down']);
    const t0 = Date.now();
    await until('VIP on d2', async () => (await owners()) === 'd2', 5000, 20);
    const took = Date.now() - t0;
    assert.ok(took <= DEADTIME * 1000 + 1000, `takeover took ${took} ms`);
    assert.equal(roleOf(p2), 'active');
    assert.match(events(p2).filter((e) => e.event === 'role').at(-1)!.reason!, /deadtime/);
    await until('client neighbour (IPv4) on d2', async () => ((await clientNeigh(VIP4)) === mac2 ? true : undefined), 3000);
    await until('client neighbour (IPv6) on d2', async () => ((await clientNeigh(VIP6)) === mac2 ? true : undefined), 3000);
    assert.equal((await status(p2)).table, 50); // the standby kept the synced flows

    // 3. The primary comes back with preempt: it takes over again (after preemptDelay).
    p1 = await start(d1, spec1); // link still down: fault, and any VIP left from the crash is removed
    await until('d1 in fault while its link is down', () => roleOf(p1) === 'fault');
    await sleep(1100);
    await lab.ip(d1, ['link', 'set', 'eth0', 'up']);
    await until('d1 active again (preempt)', () => roleOf(p1) === 'active', 5000);
    assert.match(events(p1).filter((e) => e.event === 'role').at(-1)!.reason!, /preempt/);
    await until('d2 stepped down', () => roleOf(p2) === 'standby');
    await until('VIP on d1 only', async () => (await owners()) === 'd1');
    await until('client neighbour back on d1', async () => ((await clientNeigh(VIP4)) === mac1 ? true : undefined), 3000);

    // 4. Again, without preempt: the restarted primary stays standby.
    p1.child.kill('SIGKILL');
    await p1.exited;
    await lab.ip(d1, ['link', 'set', 'eth0', 'down']);
    await until('VIP on d2', async () => (await owners()) === 'd2', 5000, 20);
    p1 = await start(d1, { ...spec1, preempt: false });
    await until('d1 in fault', () => roleOf(p1) === 'fault');
    await lab.ip(d1, ['link', 'set', 'eth0', 'up']);
    await until('d1 standby', () => roleOf(p1) === 'standby');
    await until('d1 hears d2', async () => ((await status(p1)).peer as { alive?: boolean } | null)?.alive ? true : undefined);
    await sleep(5 * DEADTIME * 1000);
    assert.equal(roleOf(p1), 'standby');
    assert.equal(roleOf(p2), 'active');
    assert.equal(await owners(), 'd2');

    // 5. Forged heartbeats (wrong key) from the intruder, spoofing each director's address:
    //    "d2 is in fault" to d1 (would make d1 take over) and "d1 is active, priority 255" to d2
    //    (would make d2 step down). Neither moves anything; both are counted as forged.
    const forge = (spoof: string, target: string, role: string, targetMac: string) =>
      forgeHeartbeats(lab, intruder, { spoof, target, role, targetMac, dev: 'eth0' });
    const before1 = (await status(p1)).rejected as Record<string, number>;
    const before2 = (await status(p2)).rejected as Record<string, number>;
    await forge('192.0.2.2', '192.0.2.1', 'fault', mac1);
    await forge('192.0.2.1', '192.0.2.2', 'active', mac2);
    await sleep(2 * DEADTIME * 1000);
    assert.equal(roleOf(p1), 'standby');
    assert.equal(roleOf(p2), 'active');
    assert.equal(await owners(), 'd2');
    const after1 = (await status(p1)).rejected as Record<string, number>;
    const after2 = (await status(p2)).rejected as Record<string, number>;
    assert.ok(after1.forged! - before1.forged! >= 30, `d1 counted ${after1.forged! - before1.forged!} forged`);
    assert.ok(after2.forged! - before2.forged! >= 30, `d2 counted ${after2.forged! - before2.forged!} forged`);
    // A datagram from the intruder's own address is not even parsed.
    await lab.exec(intruder, process.execPath, ['-e',
      "const s=require('dgram').createSocket('udp4');s.send(Buffer.alloc(80),539,'192.0.2.2',()=>s.close())"]);
    await until('foreign datagram counted', async () => (((await status(p2)).rejected as Record<string, number>).foreign! > after2.foreign! ? true : undefined));

    // 6. An orderly stop of the active hands over at once (it reports fault; no deadtime wait).
    await p2.kill();
    await until('d1 active after d2 stopped', () => roleOf(p1) === 'active', 3000);
    assert.match(events(p1).filter((e) => e.event === 'role').at(-1)!.reason!, /peer is in fault/);
    await until('VIP on d1', async () => (await owners()) === 'd1');

    stopMonitor = true;
    await monitor;
    assert.ok(maxOverlapMs <= KEEPALIVE * 1000, `the VIP was up on both directors for ${maxOverlapMs} ms`);
  } finally {
    stopMonitor = true;
    await monitor?.catch(() => {});
    await lab.destroy();
  }
});
