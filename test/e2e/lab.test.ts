// The namespace lab itself: real traffic between two namespaces over a veth (HTTP over
// both families, a 5 MB stream whose sha256 matches on both ends, UDP echo), and cleanup:
// namespaces are gone after destroy(), after a throwing body, and after SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serverScript as server } from '../../src/lab/servers/index.js';
import { Lab, withLab } from '../../src/lab/topology.js';
import { listNetns, CommandError } from '../../src/lab/sh.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bpffsRoot } from '../../src/dataplane/pins.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/model.js';

const topologyJs = fileURLToPath(new URL('../../src/lab/topology.js', import.meta.url));
const directorJs = fileURLToPath(new URL('./fixtures/director.js', import.meta.url));

async function twoHosts(lab: Lab) {
  const client = await lab.addHost('client');
  const srv = await lab.addHost('srv');
  const l = await lab.link(client, srv);
  await lab.addAddress(client, l.a.ifname, '192.0.2.1/24');
  await lab.addAddress(srv, l.b.ifname, '192.0.2.2/24');
  await lab.addAddress(client, l.a.ifname, '2001:db8::1/64');
  await lab.addAddress(srv, l.b.ifname, '2001:db8::2/64');
  return { client, srv, l };
}

test('lab: two namespaces over a veth carry HTTP, a 5 MB stream and UDP; destroy removes them', async () => {
  const lab = await Lab.create('ipvxlt');
  try {
    const { client, srv, l } = await twoHosts(lab);
    assert.deepEqual(l.a.ifname, 'eth0');
    assert.deepEqual(l.b.ifname, 'eth0');
    const names = await listNetns();
    for (const ns of lab.namespaces) assert.ok(names.includes(ns), `${ns} exists`);
    assert.ok(lab.namespaces.every((n) => n.includes(String(process.pid))));

    // Interface facts.
    assert.match(await lab.mac(srv, 'eth0'), /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.ok((await lab.ifindex(srv, 'eth0')) > 1);
    assert.equal((await lab.exec(srv, 'cat', ['/proc/sys/net/ipv6/conf/all/accept_dad'])).trim(), '0');
    assert.match(await lab.ip(client, ['-o', 'link', 'show', 'lo']), /UP|UNKNOWN/);

    // HTTP, both families.
    await lab.node(srv, server('http-name'), ['--name', 'rs1', '--port', '80', '--host', '::'], { ready: 'ready' });
    assert.equal(await lab.runNode(client, server('http-get'), ['--url', 'http://192.0.2.2:80/']), 'rs1\n');
    assert.equal(await lab.runNode(client, server('http-get'), ['--url', 'http://[2001:db8::2]:80/']), 'rs1\n');
    // The server saw the client's own address (no NAT in between).
    assert.match(await lab.runNode(client, server('http-get'), ['--url', 'http://192.0.2.2:80/client']), /^(::ffff:)?192\.0\.2\.1 \d+\n$/);
    // Nothing listens on the client side: a failing command names itself and its stderr.
    await assert.rejects(lab.runNode(srv, server('http-get'), ['--url', 'http://192.0.2.1:80/']), (e: unknown) => {
      assert.ok(e instanceof CommandError);
      assert.match(e.message, /http-get\.js/);
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });

    // 5 MB stream, hashed at both ends.
    const sink = await lab.node(srv, server('tcp-sink'), ['--port', '9000'], { ready: 'ready' });
    const sent = JSON.parse(await lab.runNode(client, server('tcp-source'), ['--host', '2001:db8::2', '--port', '9000', '--bytes', '5000000', '--seed', '7']));
    const got = JSON.parse(await sink.waitForLine(/sha256/));
    assert.equal(sent.bytes, 5_000_000);
    assert.equal(got.bytes, 5_000_000);
    assert.equal(got.sha256, sent.sha256);
    assert.match(got.sha256, /^[0-9a-f]{64}$/);

    // UDP echo, both families.
    await lab.node(srv, server('udp-echo'), ['--port', '7', '--prefix', 'srv'], { ready: 'ready' });
    assert.equal(await lab.runNode(client, server('udp-client'), ['--host', '192.0.2.2', '--port', '7', '--message', 'hello']), 'srv:hello\n');
    assert.equal(await lab.runNode(client, server('udp-client'), ['--host', '2001:db8::2', '--port', '7', '--message', 'hi6']), 'srv:hi6\n');

    // Sysctl and ethtool inside the namespace.
    await lab.setSysctl(srv, 'net.ipv4.conf.all.arp_ignore', 1);
    assert.equal((await lab.exec(srv, 'cat', ['/proc/sys/net/ipv4/conf/all/arp_ignore'])).trim(), '1');
    await assert.rejects(lab.setSysctl(srv, 'kernel.hostname', 'x'), /only net\./);
    await lab.ethtool(srv, 'eth0', '-K', 'gro', 'on');
    assert.match(await lab.ethtool(srv, 'eth0', '-k'), /generic-receive-offload: on/);
  } finally {
    const made = lab.namespaces;
    await lab.destroy();
    await lab.destroy(); // idempotent
    const after = await listNetns();
    for (const ns of made) assert.ok(!after.includes(ns), `${ns} removed`);
  }
});

test('lab: routes through a forwarding host and a bridge', async () => {
  await withLab('ipvxlt', async (lab) => {
    const c = await lab.addHost('c');
    const r = await lab.addHost('r');
    const s1 = await lab.addHost('s1');
    const s2 = await lab.addHost('s2');
    const cr = await lab.link(c, r);
    const rs1 = await lab.link(r, s1, { aIf: 'p1', bIf: 'eth0' });
    const rs2 = await lab.link(r, s2, { aIf: 'p2', bIf: 'eth0', mtu: 1400, bMac: '02:00:00:00:00:22' });
    await lab.bridge(r, 'br0', [rs1.a.ifname, rs2.a.ifname]);
    await lab.addAddress(c, cr.a.ifname, '198.51.100.2/24');
    await lab.addAddress(r, cr.b.ifname, '198.51.100.1/24');
    await lab.addAddress(r, 'br0', '203.0.113.1/24');
    await lab.addAddress(s1, 'eth0', '203.0.113.11/24');
    await lab.addAddress(s2, 'eth0', '203.0.113.12/24');
    await lab.setSysctl(r, 'net.ipv4.ip_forward', 1);
    await lab.addRoute(c, '203.0.113.0/24', '198.51.100.1');
    await lab.addRoute(s1, 'default', '203.0.113.1');
    await lab.addRoute(s2, '198.51.100.0/24', '203.0.113.1', 'eth0');
    assert.equal(await lab.mac(s2, 'eth0'), '02:00:00:00:00:22');
    assert.match(await lab.ip(s2, ['link', 'show', 'eth0']), /mtu 1400/);
    await lab.node(s1, server('http-name'), ['--name', 's1', '--port', '8080'], { ready: 'ready' });
    await lab.node(s2, server('http-name'), ['--name', 's2', '--port', '8080'], { ready: 'ready' });
    assert.equal(await lab.runNode(c, server('http-get'), ['--url', 'http://203.0.113.11:8080/']), 's1\n');
    assert.equal(await lab.runNode(c, server('http-get'), ['--url', 'http://203.0.113.12:8080/']), 's2\n');
  });
});

test('lab: withLab removes the namespaces and processes when the body throws', async () => {
  let made: string[] = [];
  let pid: number | undefined;
  await assert.rejects(withLab('ipvxlt', async (lab) => {
    const h = await lab.addHost('a');
    await lab.addHost('b');
    made = lab.namespaces;
    const p = await lab.node(h, server('udp-echo'), ['--port', '7'], { ready: 'ready' });
    pid = p.pid;
    throw new Error('boom');
  }), /boom/);
  assert.equal(made.length, 2);
  const after = await listNetns();
  for (const ns of made) assert.ok(!after.includes(ns), `${ns} removed`);
  assert.ok(pid);
  assert.throws(() => process.kill(pid!, 0), /ESRCH/);
});

test('lab: pins of a data plane killed with SIGKILL in a lab namespace are removed with the lab', async () => {
  let pins = '';
  await withLab('ipvxlp', async (lab) => {
    const h = await lab.addHost('dir');
    const l = await lab.link(h, await lab.addHost('peer'), { xdp: true });
    const p = await lab.node(h, directorJs, ['--state', JSON.stringify({ services: [], timeouts: DEFAULT_TIMEOUTS }), '--interfaces', l.a.ifname], { ready: 'ready', readyTimeoutMs: 30_000 });
    pins = join(bpffsRoot(), 'ipvx', lab.nsId(h));
    assert.ok(existsSync(join(pins, 'services')), `the data plane pinned its maps in ${pins}`);
    p.child.kill('SIGKILL'); // no chance to unpin
    await p.kill(); // waits for the exit
    assert.ok(existsSync(join(pins, 'services')), 'a killed data plane leaves its pins');
  });
  assert.equal(existsSync(pins), false, `${pins} removed with the lab`);
});

test('lab: a spawned server that dies before "ready" is reported with its stderr', async () => {
  await withLab('ipvxlt', async (lab) => {
    const h = await lab.addHost('a');
    await assert.rejects(lab.spawn(h, process.execPath, ['-e', 'console.error("no luck"); process.exit(3)'], { ready: 'ready' }), /exit 3.*no luck/s);
    await assert.rejects(lab.addHost('a'), /exists/);
    await assert.rejects(lab.link(h, h, { aIf: 'a-very-long-interface-name' }), /15/);
  });
});

test('lab: a process holding a lab is killed by SIGTERM and its namespaces are removed', async () => {
  const code = `
    import { Lab } from ${JSON.stringify(topologyJs)};
    const lab = await Lab.create('ipvxsig');
    const a = await lab.addHost('a');
    const b = await lab.addHost('b');
    await lab.link(a, b);
    await lab.spawn(a, 'sleep', ['600']);
    console.log(JSON.stringify(lab.namespaces));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.on('data', (d: Buffer) => { err += d; });
  const made: string[] = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.on('exit', (c) => reject(new Error(`child exited ${c}: ${err}`)));
  });
  assert.equal(made.length, 2);
  let names = await listNetns();
  for (const ns of made) assert.ok(names.includes(ns));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  child.kill('SIGTERM');
  assert.equal(await exited, 'SIGTERM');
  names = await listNetns();
  for (const ns of made) assert.ok(!names.includes(ns), `${ns} removed after SIGTERM`);
});
