// Path MTU and fragments end to end, per forwarding method, IPv4 and IPv6, with the real
// daemon on the director (src/lab/classic.ts):
//   - PMTU: a router between client and director whose link to the client has an MTU
//     of 1,400 on the router's end; the client's MSS stays 1,460, so a real's full-size
//     replies meet the small link, the router sends ICMP frag-needed / packet-too-big to
//     the VIP, and only the director relaying it to the flow's real (IPVS
//     ip_vs_in_icmp) lets a 1 MB download finish;
//   - fragments: 3,000-byte UDP datagrams arrive whole at one real and are answered
//     (the answer, 3,000 bytes too, comes back in fragments: through the director's
//     kernel for DR/TUN, translated by the program for NAT). TUN needs room for the
//     outer header between director and reals (XDP cannot fragment): that link has an
//     MTU of 1,600 there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Lab } from '../../src/lab/topology.js';
import { buildClassicLab, startDirectorDaemon, serviceSpec, PLAN, PORTS, hostPort, type LabMethod } from '../../src/lab/classic.js';
import { serverScript } from '../../src/lab/servers/index.js';

const DOWNLOAD = 1_048_576;
const expectedDigest = (() => {
  const b = Buffer.alloc(DOWNLOAD);
  for (let i = 0; i < b.length; i++) b[i] = i & 255;
  return `${DOWNLOAD} ${createHash('sha256').update(b).digest('hex')}`;
})();

for (const method of ['dr', 'tun', 'nat'] as const) {
  test(`${method}: a 1 MB download through a 1,400-byte link finishes (ICMP errors about the VIP's flows reach the real), IPv4 and IPv6`, { timeout: 180_000 }, async () => {
    const lab = await Lab.create('ipvxp');
    try {
      const c = await buildClassicLab(lab, { method, reals: 1, sinks: false, router: { mtu: 1400 } });
      const d = await startDirectorDaemon(c);
      const api = d.client();
      try {
        for (const fam of [4, 6] as const) {
          await api.addService(serviceSpec(fam, PORTS.http, 'tcp', method, 1, c.httpPort));
          const url = `http://${hostPort(PLAN[fam].vip, PORTS.http)}/bytes/${DOWNLOAD}`;
          const got = await lab.runNode(c.client, serverScript('http-get'), ['--url', url, '--digest', '--timeout-ms', '20000'], { timeoutMs: 60_000 })
            .catch((e: Error) => `failed: ${e.message}`);
          const global = (await api.getStats()).global;
          assert.equal(got.trim(), expectedDigest, `IPv${fam}: the download (director counters: ${JSON.stringify(global)})`);
          assert.ok(Number(global.icmp_to_real ?? 0) > 0, `IPv${fam}: the router's errors went to the real (icmp_to_real ${global.icmp_to_real})`);
        }
      } finally {
        api.close();
      }
    } finally {
      await lab.destroy();
    }
  });
}

for (const method of ['dr', 'tun', 'nat'] as const) {
  test(`${method}: 3,000-byte UDP datagrams arrive whole at one real and are answered, IPv4 and IPv6`, { timeout: 180_000 }, async () => {
    const lab = await Lab.create('ipvxf');
    try {
      const c = await buildClassicLab(lab, { method, reals: 2, sinks: false, ...(method === 'tun' ? { backMtu: 1600 } : {}) });
      const d = await startDirectorDaemon(c);
      const api = d.client();
      try {
        const message = 'f'.repeat(3000);
        for (const fam of [4, 6] as const) {
          await api.addService(serviceSpec(fam, PORTS.udp, 'udp', method, 2));
          const answers = (await lab.runNode(c.client, serverScript('udp-client'),
            ['--host', PLAN[fam].vip, '--port', String(PORTS.udp), '--message', message, '--count', '4', '--timeout-ms', '2000'], { timeoutMs: 60_000 }))
            .trim().split('\n');
          assert.equal(answers.length, 4);
          for (const a of answers) {
            // One real got the whole datagram (it echoes all 3,000 bytes after its name).
            assert.match(a.slice(0, 4), /^rs[12]:$/, `IPv${fam}: answered by a real`);
            assert.equal(a.length, 4 + 3000, `IPv${fam}: the whole datagram, both ways`);
          }
        }
        const global = (await api.getStats()).global;
        assert.ok(Number(global.frag_first) >= 8 && Number(global.frag_followed) >= 8, `fragments followed: ${JSON.stringify(global)}`);
        assert.equal(global.drop_frag_no_flow ?? '0', '0', 'no fragment arrived before its first');
      } finally {
        api.close();
      }
    } finally {
      await lab.destroy();
    }
  });
}
