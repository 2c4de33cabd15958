import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importLvsCf, importKeepalived, importIpvsadmSave, detectFormat } from '../../../src/config/import/index.js';
import { formatSave } from '../../../src/cli/ipvsadm/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../../test/fixtures/ipvsadm/${name}`, import.meta.url), 'utf8');

test('piranha lvs.cf: service, reals, method, scheduler, nanny health and HA', () => {
  const r = importLvsCf(fixture('piranha-lvs.cf'));
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const { state, unmapped } = r.value;
  assert.equal(state.services.length, 1);
  const s = state.services[0]!;
  assert.deepEqual([s.vip, s.port, s.protocol, s.scheduler, s.method, s.persistence], ['10.0.0.50', 80, 'tcp', 'wlc', 'tun', 0]);
  assert.deepEqual(s.reals.map((x) => [x.address, x.port, x.method, x.weight]), [['192.168.1.100', 80, 'tun', 1], ['192.168.1.200', 80, 'tun', 1]]);
  // nanny.c (started by lvsd with -t timeout -a reentry): checks every `timeout` s, out at
  // the first failure, back after countThresh = reentry / timeout (integer) passes:
  // timeout 6 -> interval 6, timeout 6, fall 1; reentry 15 -> rise 15/6 = 2; quiesce_server 0 -> remove.
  assert.deepEqual(s.health, {
    check: { type: 'send-expect', send: 'GET / HTTP/1.0\r\n\r\n', expect: 'HTTP', useRegex: false },
    interval: 6, timeout: 6, rise: 2, fall: 1, onFailure: 'remove',
  });
  assert.deepEqual(state.ha, {
    enabled: true, localAddress: '10.0.0.1', peerAddress: '10.0.0.2', port: 539, keepalive: 6, deadtime: 18,
    priority: 200, preempt: true, preemptDelay: 0, key: '', vips: [{ address: '10.0.0.50', prefixLength: 16, interface: 'eth0' }],
  });
  assert.deepEqual(unmapped.map((u) => u.line), [1, 11, 12, 13]);
  assert.equal(unmapped[0]!.text, 'serial_no = 53');
  const backup = importLvsCf(fixture('piranha-lvs.cf'), { role: 'backup' });
  assert.ok(backup.ok && backup.value.state.ha?.localAddress === '10.0.0.2' && backup.value.state.ha.priority === 100);
});

test('lvs.cf: quiesce_server, persistence, inactive servers reported, errors numbered and no state', () => {
  const cf = `primary = 192.0.2.1\nnetwork = nat\nnat_router = 192.0.2.254 eth1:1\nnat_nmask = 255.255.255.0\nvirtual FTP {\n address = 192.0.2.10 eth0:2\n port = 21\n persistent = 600\n pmask = 255.255.255.0\n quiesce_server = 1\n load_monitor = ruptime\n server a {\n  address = 198.51.100.1\n  weight = 5\n }\n server b {\n  address = 198.51.100.2\n  active = 0\n }\n}\n`;
  const r = importLvsCf(cf);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const s = r.value.state.services[0]!;
  assert.deepEqual([s.method, s.persistence, s.persistenceMask, s.health?.onFailure, s.health?.check.type], ['nat', 600, '255.255.255.0', 'quiesce', 'tcp']);
  assert.deepEqual(s.reals.map((x) => [x.address, x.weight, x.method]), [['198.51.100.1', 5, 'nat']]);
  assert.deepEqual(r.value.state.ha?.vips, [{ address: '192.0.2.254', prefixLength: 24, interface: 'eth1' }, { address: '192.0.2.10', prefixLength: 32, interface: 'eth0' }]);
  assert.deepEqual(r.value.unmapped.map((u) => u.line), [11, 16]);

  const bad = importLvsCf('network = sideways\nvirtual X {\n address = 10.0.0.300\n port = 99999\n scheduler = fancy\n server a {\n');
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.map((e) => e.field), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 6']);
  assert.ok(bad.errors.some((e) => e.message === "'server a' is not closed with '}'"));
  assert.match(bad.errors[4]!.message, /unknown scheduler 'fancy'/);
});

test('keepalived.conf: services, reals, checkers, and vrrp_instance onto HA', () => {
  const r = importKeepalived(fixture('keepalived.conf'));
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const { state, unmapped } = r.value;
  assert.equal(state.services.length, 3);
  const [web, dns, tls] = state.services as [typeof state.services[0], typeof state.services[0], typeof state.services[0]];
  assert.deepEqual([web.vip, web.port, web.protocol, web.scheduler, web.method, web.persistence], ['203.0.113.10', 80, 'tcp', 'wlc', 'dr', 50]);
  assert.deepEqual(web.sorryServer, { address: '198.51.100.99', port: 80, method: 'dr' });
  assert.deepEqual(web.reals.map((x) => [x.address, x.port, x.weight]), [['198.51.100.11', 80, 3], ['198.51.100.12', 80, 1]]);
  // retry 3 -> fall 4 (first failure + 3 retries); delay_loop 6 -> interval; inhibit_on_failure -> quiesce.
  assert.deepEqual(web.reals[0]!.health, {
    check: { type: 'http', path: '/healthz', statusCodes: '200' }, interval: 6, timeout: 3, rise: 1, fall: 4, onFailure: 'quiesce', delayBeforeRetry: 2,
  });
  assert.deepEqual(web.reals[1]!.health, { check: { type: 'tcp', port: 80 }, interval: 6, timeout: 3, rise: 1, fall: 2, onFailure: 'remove', delayBeforeRetry: 1 });
  assert.deepEqual([dns.protocol, dns.scheduler, dns.method, dns.port], ['udp', 'sh', 'nat', 53]);
  assert.deepEqual(dns.reals[0]!.health, { check: { type: 'exec', command: '/usr/local/bin/check_dns 198.51.100.21' }, interval: 10, timeout: 5, rise: 1, fall: 1, onFailure: 'remove', delayBeforeRetry: 1 });
  assert.deepEqual([tls.vip, tls.port, tls.scheduler, tls.method], ['203.0.113.20', 443, 'rr', 'tun']);
  assert.deepEqual(tls.reals[0]!.health?.check, { type: 'https', path: '/', statusCodes: '200-299', verifyTls: false });
  assert.equal(tls.reals[0]!.health?.interval, 5);
  assert.deepEqual(state.ha, {
    enabled: true, localAddress: '', peerAddress: '', port: 539, keepalive: 1, deadtime: 4, priority: 150, preempt: true, preemptDelay: 0,
    key: 's3cret', vips: [{ address: '203.0.113.10', prefixLength: 24, interface: 'eth0' }],
  });
  assert.deepEqual(unmapped.map((u) => [u.line, u.text]), [[2, 'router_id LVS_DIRECTOR_A'], [5, 'vrrp_instance VI_1 {'], [8, 'virtual_router_id 51']]);
});

test('keepalived.conf: unmapped checkers and keywords are reported; errors numbered and no state', () => {
  const conf = `vrrp_instance A {\n  nopreempt\n  unicast_peer {\n    192.0.2.2\n  }\n}\nvirtual_server fwmark 5 {\n}\nvirtual_server 192.0.2.10 25 {\n  lb_kind DR\n  ha_suspend\n  real_server 198.51.100.5 25 {\n    SMTP_CHECK {\n    }\n    TCP_CHECK {\n      nb_get_retry 2\n    }\n    notify_down /bin/true\n  }\n}\n`;
  const r = importKeepalived(conf);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  assert.equal(r.value.state.ha?.preempt, false);
  assert.equal(r.value.state.ha?.peerAddress, '192.0.2.2');
  // Line 7: the fwmark service is imported, with a note that no mark rule gives its mark (import-fwmark.test.ts).
  assert.deepEqual(r.value.unmapped.map((u) => u.line), [7, 11, 13, 18]);
  assert.equal(r.value.state.services[0]!.fwmark, 5);
  assert.equal(r.value.state.services[1]!.reals[0]!.health?.fall, 3);

  const bad = importKeepalived('virtual_server 192.0.2.300 80 {\n  lb_algo fancy\n  lb_kind XX\n  real_server 198.51.100.1 80 {\n    weight many\n  }\n');
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.map((e) => e.field), ['line 1']);
  const bad2 = importKeepalived('virtual_server 192.0.2.300 80 {\n  lb_algo fancy\n  lb_kind XX\n  real_server 198.51.100.1 80 {\n    weight many\n  }\n}\n');
  assert.ok(!bad2.ok);
  assert.deepEqual(bad2.errors.map((e) => e.field), ['line 1', 'line 2', 'line 3', 'line 5']);
});

test('ipvsadm -S import rebuilds the table; errors carry line numbers', () => {
  const r = importIpvsadmSave(fixture('save-n.golden'));
  assert.ok(r.ok);
  assert.equal(formatSave(r.value.state, true), fixture('save-n.golden'));
  const dup = importIpvsadmSave('-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80\n');
  assert.ok(!dup.ok);
  assert.deepEqual(dup.errors, [{ field: 'line 2', message: 'Service already exists' }]);
  assert.equal(detectFormat(fixture('keepalived.conf')), 'keepalived');
  assert.equal(detectFormat(fixture('piranha-lvs.cf')), 'lvs.cf');
  assert.equal(detectFormat(fixture('rules.txt')), 'ipvsadm');
});
