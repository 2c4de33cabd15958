// VIP ownership commands, through a recording runner: what would be run, idempotence,
// and announcements cut short on release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VipManager, type Runner } from '../../../src/ha/vips.js';
import { CommandError } from '../../../src/common/command.js';
import { logger } from '../../../src/common/log.js';

function recorder(fail: (cmd: string, args: string[]) => string | undefined = () => undefined) {
  const calls: string[] = [];
  const run: Runner = (cmd, args, signal) => {
    calls.push([cmd, ...args].join(' '));
    const err = fail(cmd, args);
    if (err) return Promise.reject(new CommandError(cmd, args, 2, '', err));
    if (cmd.endsWith('arping') && signal) {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ stdout: '', stderr: '' })));
    }
    return Promise.resolve({ stdout: '', stderr: '' });
  };
  return { calls, run };
}

const v4 = { address: '192.0.2.10', prefixLength: 24, interface: 'eth0' };
const v6 = { address: '2001:db8::10', prefixLength: 64, interface: 'eth1' };

test('vips: add/remove run iproute2 (IPv6 without DAD) and are idempotent', async () => {
  const r = recorder((_c, a) => (a.includes('add') ? 'RTNETLINK answers: File exists' : a.includes('del') ? 'RTNETLINK answers: Cannot assign requested address' : undefined));
  const m = new VipManager({ run: r.run, which: (n) => `/usr/bin/${n}` });
  await m.add(v4);
  await m.add(v6);
  await m.remove(v4);
  await m.remove(v6);
  assert.deepEqual(r.calls, [
    'ip addr add 192.0.2.10/24 dev eth0',
    'ip -6 addr add 2001:db8::10/64 dev eth1 nodad',
    'ip addr del 192.0.2.10/24 dev eth0',
    'ip -6 addr del 2001:db8::10/64 dev eth1',
  ]);
  const bad = new VipManager({ run: recorder(() => 'Cannot find device "eth9"').run });
  await assert.rejects(bad.add({ ...v4, interface: 'eth9' }), /Cannot find device/);
});

test('vips: IPv4 announced with arping -U; IPv6 with ndsend, else na6, else not at all (warned once)', async () => {
  const r = recorder();
  const m = new VipManager({ run: r.run, which: (n) => (n === 'na6' || n === 'arping' ? `/usr/sbin/${n}` : undefined), intervalSec: 0.01 });
  const burst = m.announce(v4, 3);
  await m.remove(v4); // release cuts the burst short: we never advertise what we gave up
  await burst;
  await m.announce(v6, 2);
  assert.deepEqual(r.calls, [
    '/usr/sbin/arping -q -U -c 3 -i 1 -I eth0 192.0.2.10',
    'ip addr del 192.0.2.10/24 dev eth0',
    '/usr/sbin/na6 -i eth1 -s 2001:db8::10 -d ff02::1 -t 2001:db8::10 -o -e',
    '/usr/sbin/na6 -i eth1 -s 2001:db8::10 -d ff02::1 -t 2001:db8::10 -o -e',
  ]);
  const r2 = recorder();
  const m2 = new VipManager({ run: r2.run, which: (n) => (n === 'ndsend' ? '/usr/bin/ndsend' : undefined) });
  await m2.announce(v6, 1);
  assert.deepEqual(r2.calls, ['/usr/bin/ndsend 2001:db8::10 eth1']);
  const warnings: string[] = [];
  const m3 = new VipManager({ run: recorder().run, which: () => undefined, log: logger((_level, w) => warnings.push(w)) });
  await m3.announce(v6, 1);
  await m3.announce(v6, 1);
  assert.equal(warnings.length, 1);
  await assert.rejects(m3.announce(v4, 1), /iputils-arping/);
});

test('vips: present() and interfaceUp() read ip -j output', async () => {
  const out: Record<string, string> = {
    'ip -j addr show dev eth0': JSON.stringify([{ ifname: 'eth0', addr_info: [{ local: '192.0.2.1' }, { local: '192.0.2.10' }] }]),
    'ip -j link show dev eth0': JSON.stringify([{ ifname: 'eth0', flags: ['BROADCAST', 'UP', 'LOWER_UP'], operstate: 'UP' }]),
    'ip -j link show dev eth1': JSON.stringify([{ ifname: 'eth1', flags: ['BROADCAST', 'NO-CARRIER', 'UP'], operstate: 'DOWN' }]),
  };
  const m = new VipManager({ run: (c, a) => Promise.resolve({ stdout: out[[c, ...a].join(' ')] ?? '[]', stderr: '' }) });
  assert.equal(await m.present(v4), true);
  assert.equal(await m.present({ ...v4, address: '192.0.2.11' }), false);
  assert.equal(await m.interfaceUp('eth0'), true);
  assert.equal(await m.interfaceUp('eth1'), false);
  assert.equal(await m.interfaceUp('eth9'), false);
});
