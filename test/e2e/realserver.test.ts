// `ipvx realserver setup|teardown` in a namespace of its own: what setup changes (VIPs
// on lo, ARP sysctls, rp_filter, the decap XDP program) and that teardown puts back
// exactly what was there before; bad input changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLab, type Lab, type Host } from '../../src/lab/topology.js';
import { REALSERVER_JS } from '../../src/lab/classic.js';
import { CommandError } from '../../src/lab/sh.js';

const sysctl = async (lab: Lab, h: Host, key: string) => (await lab.exec(h, 'cat', [`/proc/sys/${key.replace(/\./g, '/')}`])).trim();
const loAddrs = async (lab: Lab, h: Host) => (await lab.ip(h, ['-o', 'addr', 'show', 'dev', 'lo'])).split('\n').map((l) => l.split(/\s+/)[3]).filter(Boolean).sort();
const xdpProg = async (lab: Lab, h: Host, dev: string) => /prog\/xdp id (\d+) name (\S+)/.exec(await lab.ip(h, ['-d', 'link', 'show', 'dev', dev]))?.[2];

async function snapshot(lab: Lab, h: Host) {
  const keys = ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.lo.arp_ignore', 'net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.lo.arp_announce',
    'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.eth0.rp_filter'];
  const out: Record<string, string | string[] | undefined> = {};
  for (const k of keys) out[k] = await sysctl(lab, h, k);
  out.lo = await loAddrs(lab, h);
  out.xdp = await xdpProg(lab, h, 'eth0');
  return out;
}

test('realserver setup --method tun changes what it says; teardown restores it exactly; bad input changes nothing', { timeout: 60_000 }, async () => {
  await withLab('ipvxrs', async (lab) => {
    const rs = await lab.addHost('rs');
    const peer = await lab.addHost('peer');
    const l = await lab.link(rs, peer);
    await lab.addAddress(rs, l.a.ifname, '198.51.100.1/24');
    await lab.addAddress(rs, l.a.ifname, '2001:db8:1::1/64');
    // Non-default values before, and one VIP already on lo: teardown must keep them.
    await lab.setSysctl(rs, 'net.ipv4.conf.all.arp_announce', 1);
    await lab.setSysctl(rs, 'net.ipv4.conf.all.rp_filter', 2);
    await lab.ip(rs, ['addr', 'add', '203.0.113.11/32', 'dev', 'lo']);
    const cli = (...args: string[]) => lab.exec(rs, process.execPath, [REALSERVER_JS, ...args]);
    const before = await snapshot(lab, rs);

    // Bad input: exit 2 with the reason, nothing changed.
    await assert.rejects(cli('setup', '--vip', '203.0.113.999', '--method', 'tun'), (e: unknown) =>
      e instanceof CommandError && e.code === 2 && /--vip '203\.0\.113\.999': not an IPv4 or IPv6 address/.test(e.stderr));
    await assert.rejects(cli('setup', '--vip', '203.0.113.10', '--method', 'tun', '--interfaces', 'eth9'), (e: unknown) =>
      e instanceof CommandError && e.code === 1 && /no up interface named eth9/.test(e.stderr));
    await assert.rejects(cli('teardown'), /nothing to tear down/);
    const dry = await cli('setup', '--vip', '203.0.113.10,2001:db8::10', '--method', 'tun', '--dry-run');
    assert.match(dry, /would do/);
    assert.match(dry, /add 203\.0\.113\.10\/32 to lo/);
    assert.deepEqual(await snapshot(lab, rs), before, 'bad input and --dry-run changed nothing');

    const out = await cli('setup', '--vip', '203.0.113.10,2001:db8::10,203.0.113.11', '--method', 'tun');
    assert.match(out, /attach ipvx_decap \(XDP\) to eth0 for 198\.51\.100\.1, 2001:db8:1::1/);
    assert.deepEqual(await loAddrs(lab, rs), ['127.0.0.1/8', '2001:db8::10/128', '203.0.113.10/32', '203.0.113.11/32', '::1/128']);
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.all.arp_ignore'), '1');
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.lo.arp_announce'), '2');
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.all.rp_filter'), '0');
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.eth0.rp_filter'), '0');
    assert.equal(await xdpProg(lab, rs, 'eth0'), 'decap_ingress');
    await assert.rejects(cli('setup', '--vip', '203.0.113.10', '--method', 'dr'), /already set up/);

    assert.match(await cli('teardown'), /undone/);
    assert.deepEqual(await snapshot(lab, rs), before, 'teardown restored every value, kept the VIP that was there');
    assert.equal(before['net.ipv4.conf.all.arp_announce'], '1');

    // DR: ARP sysctls and VIPs only, no XDP.
    await cli('setup', '--vip', '203.0.113.10', '--method', 'dr');
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.all.arp_announce'), '2');
    assert.equal(await sysctl(lab, rs, 'net.ipv4.conf.all.rp_filter'), '2');
    assert.equal(await xdpProg(lab, rs, 'eth0'), undefined);
    await cli('teardown');
    assert.deepEqual(await snapshot(lab, rs), before);
  });
});
