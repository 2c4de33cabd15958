// The topology of the Linux kernel's own IPVS selftest
// (tools/testing/selftests/net/netfilter/ipvs.sh), driven with ipvsadm-syntax commands
// through `ipvx` in the director's namespace, for DR, NAT and TUN, each in a fresh lab:
//
//   client: br0 = { veth01 -> director veth10 , veth02 -> rs veth20 }   cip 192.0.2.2/24
//   director: veth10 gip 192.0.2.1/24, veth12 dip 198.51.100.1/24 (its own link to the real)
//   rs: veth21 rip 198.51.100.2/24, veth20 sip 192.0.2.3/24 (also on the client's LAN)
//
// The client routes the VIP via the director. DR and TUN reach the real over the
// director's link veth12-veth21; the real answers over veth20, straight to the client.
// For NAT, as in the selftest, veth20 is deleted and the real's default route is the director.
// Where the selftest sets arp_ignore/arp_announce/rp_filter and ipip by hand, the real runs
// `ipvx realserver setup`. Data: a 1 MB stream, sha256 on both ends (the selftest: 32 bytes, cmp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../../src/lab/topology.js';
import { startDirectorDaemon, IPVX_BIN, REALSERVER_JS } from '../../src/lab/classic.js';
import { serverScript } from '../../src/lab/servers/index.js';

const A = { vip: '203.0.113.110', cip: '192.0.2.2', gip: '192.0.2.1', sip: '192.0.2.3', dip: '198.51.100.1', rip: '198.51.100.2', port: 8080 };
const FLAG = { dr: '-g', nat: '-m', tun: '-i' } as const;

for (const method of ['dr', 'nat', 'tun'] as const) {
  test(`kernel IPVS selftest topology, ${method}: ipvsadm commands, a stream arrives intact`, { timeout: 90_000 }, async () => {
    const lab = await Lab.create('ipvxst');
    try {
      const ns0 = await lab.addHost('client');
      const ns1 = await lab.addHost('director');
      const ns2 = await lab.addHost('rs');
      await lab.link(ns0, ns1, { aIf: 'veth01', bIf: 'veth10', xdp: true });
      await lab.link(ns0, ns2, { aIf: 'veth02', bIf: 'veth20', xdp: true });
      await lab.link(ns1, ns2, { aIf: 'veth12', bIf: 'veth21', xdp: true });
      await lab.bridge(ns0, 'br0', ['veth01', 'veth02']);
      await lab.addAddress(ns0, 'br0', `${A.cip}/24`);
      await lab.addAddress(ns1, 'veth10', `${A.gip}/24`);
      await lab.addAddress(ns1, 'veth12', `${A.dip}/24`);
      await lab.addAddress(ns2, 'veth21', `${A.rip}/24`);
      await lab.addAddress(ns2, 'veth20', `${A.sip}/24`);
      await lab.addRoute(ns0, `${A.vip}/32`, A.gip, 'br0');
      if (method !== 'tun') await lab.setSysctl(ns1, 'net.ipv4.ip_forward', 1);
      if (method === 'nat') {
        await lab.ip(ns2, ['link', 'del', 'veth20']);
        await lab.addRoute(ns2, 'default', A.dip, 'veth21');
      } else {
        await lab.exec(ns2, process.execPath, [REALSERVER_JS, 'setup', '--vip', A.vip, '--method', method]);
      }
      const sink = await lab.node(ns2, serverScript('tcp-sink'), ['--port', String(A.port), '--host', '0.0.0.0'], { ready: 'ready' });

      // Stopped and removed with the lab (its dir is registered, its run files are named by the namespace inode).
      await startDirectorDaemon({ lab, director: ns1, directorIfaces: ['veth10', 'veth12'] }, { runDir: '/run/ipvx' });
      const ipvx = (...args: string[]) => lab.exec(ns1, process.execPath, [IPVX_BIN, ...args]);
      await ipvx('-A', '-t', `${A.vip}:${A.port}`, '-s', 'rr');
      await ipvx('-a', FLAG[method], '-t', `${A.vip}:${A.port}`, '-r', `${A.rip}:${A.port}`);
      await lab.ip(ns1, ['addr', 'add', `${A.vip}/32`, 'dev', 'lo']);
      const listed = await ipvx('-L', '-n');
      const fwd = { dr: 'Route', nat: 'Masq', tun: 'Tunnel' }[method];
      assert.match(listed, new RegExp(`TCP\\s+${A.vip.replace(/\./g, '\\.')}:${A.port} rr`));
      assert.match(listed, new RegExp(`->\\s+${A.rip.replace(/\./g, '\\.')}:${A.port}\\s+${fwd}\\s+1\\s+0\\s+0`));

      const sent = JSON.parse(await lab.runNode(ns0, serverScript('tcp-source'), ['--host', A.vip, '--port', String(A.port), '--bytes', '1000000', '--seed', '5']));
      const got = JSON.parse(await sink.waitForLine(new RegExp(sent.sha256), 20_000));
      assert.equal(got.bytes, 1_000_000, 'the data arrived intact');
      assert.match(got.remote, new RegExp(A.cip.replace(/\./g, '\\.')), 'from the client address');
      const stats = await ipvx('-L', '-n', '--stats');
      assert.match(stats, new RegExp(`TCP\\s+${A.vip.replace(/\./g, '\\.')}:${A.port}\\s+1\\s+\\d+`), `one connection counted:\n${stats}`);
    } finally {
      await lab.destroy();
    }
  });
}
