// The importers' fidelity to the originals, one test per behaviour found when real
// keepalived, piranha and ipvsadm setups were imported. Each cites the original's source:
// keepalived 2.2.7 (Debian's source package), piranha's lvsconfig.c/nanny.c/pulse.c/lvsd.c,
// ipvsadm 1.31.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importAny, importKeepalived, importLvsCf, importIpvsadmSave, detectFormat, type ImportOptions } from '../../../src/config/import/index.js';
import { parseServices } from '../../../src/common/services.js';
import { globSync } from '../../../src/common/glob.js';
import { validateState } from '../../../src/core/validate.js';

const SERVICES = parseServices('http 80/tcp www\nftp 21/tcp\ndomain 53/tcp\ndomain 53/udp\nhttps 443/tcp\n');
const ok = <T>(r: { ok: true; value: T } | { ok: false; errors: { field: string; message: string }[] }): T => {
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
  return r.value;
};

// ---- keepalived ----

test('format detection: a keepalived file with only includes, or only vrrp_script/vrrp_sync_group blocks, is keepalived', () => {
  assert.equal(detectFormat('! Configuration File for keepalived\n\ninclude /etc/keepalived/conf.d/*.conf\n'), 'keepalived');
  assert.equal(detectFormat('vrrp_script chk_haproxy {\n  script "killall -0 haproxy"\n}\n'), 'keepalived');
  assert.equal(detectFormat('vrrp_sync_group VG1 {\n  group {\n    VI_1\n  }\n}\n'), 'keepalived');
  assert.equal(detectFormat('-A -t 192.0.2.1:80 -s rr\n'), 'ipvsadm');
  assert.equal(detectFormat('primary = 192.0.2.1\n'), 'lvs.cf');
});

test('keepalived include: globs relative to the including file, followed, with file and line in messages', () => {
  // lib/parser.c read_conf_file/open_conf_file: glob(), chdir to the including file's directory.
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-include-'));
  try {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'keepalived.conf'), '! Configuration File for keepalived\ninclude conf.d/*.conf\n');
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'virtual_server 192.0.2.10 80 {\n  lb_kind DR\n  real_server 198.51.100.1 80 {\n  }\n}\n');
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'virtual_server 192.0.2.11 80 {\n  lb_kind DR\n  ha_suspend\n}\n');
    const file = join(dir, 'keepalived.conf');
    const opts: ImportOptions = { file, readFile: (p) => readFileSync(p, 'utf8'), glob: (p, d) => globSync(p, d) };
    const v = ok(importAny(readFileSync(file, 'utf8'), opts));
    assert.deepEqual(v.state.services.map((s) => `${s.vip}:${s.port}`), ['192.0.2.10:80', '192.0.2.11:80']);
    assert.deepEqual(v.unmapped.map((u) => [u.file, u.line]), [[join(dir, 'conf.d', 'b.conf'), 3]]);
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'virtual_server 192.0.2.300 80 {\n}\n');
    const bad = importAny(readFileSync(file, 'utf8'), opts);
    assert.ok(!bad.ok);
    assert.equal(bad.errors[0]!.field, `${join(dir, 'conf.d', 'b.conf')}: line 1`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('keepalived lexer: # and ! start comments anywhere, \\# is a #, $NAME definitions (also multiline) are substituted', () => {
  // lib/parser.c decomment(), check_definition(), replace_param(), read_line() multiline definitions.
  const conf = [
    '$VIP=192.0.2.10',
    '$REALS=real_server 198.51.100.1 80 { \\',
    '  weight 2# two \\',
    '}',
    'virtual_server $VIP 80 {   ! the web service',
    '  lb_kind DR',
    '  $REALS',
    '  real_server 198.51.100.2 80 {',
    '    weight 3 ! three',
    '    MISC_CHECK {',
    '      misc_path "/usr/bin/test \\# -n x"',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const v = ok(importKeepalived(conf));
  const s = v.state.services[0]!;
  assert.equal(s.vip, '192.0.2.10');
  assert.deepEqual(s.reals.map((r) => [r.address, r.weight]), [['198.51.100.1', 2], ['198.51.100.2', 3]]);
  // Inside quotes decomment() leaves '\#' alone; the quoted string's escape gives '#' (alloc_strvec_quoted_escaped).
  assert.deepEqual(s.reals[1]!.health?.check, { type: 'exec', command: '/usr/bin/test # -n x' });
  assert.deepEqual(v.unmapped, []);
});

test('virtual_server_group: a group virtual_server becomes one service per address of the group', () => {
  // check_data.c alloc_vsg_entry: "ADDR PORT" and "ADDR-END PORT" (END ranges the last IPv4 byte).
  const conf = 'virtual_server_group WEB {\n  192.0.2.10 80\n  192.0.2.20-22 443\n}\nvirtual_server group WEB {\n  lb_algo rr\n  lb_kind DR\n  real_server 198.51.100.1 80 {\n  }\n}\n';
  const v = ok(importKeepalived(conf));
  assert.deepEqual(v.state.services.map((s) => `${s.vip}:${s.port} ${s.scheduler}`), ['192.0.2.10:80 rr', '192.0.2.20:443 rr', '192.0.2.21:443 rr', '192.0.2.22:443 rr']);
});

test('UDP_CHECK maps to the udp check; a real whose checker has no equivalent gets a TCP check, said so', () => {
  // check_udp.c: payload and require_reply are hex; without require_reply only ICMP errors fail.
  const conf = 'virtual_server 192.0.2.53 53 {\n  protocol UDP\n  lb_kind NAT\n  real_server 198.51.100.1 53 {\n    UDP_CHECK {\n      payload 0102\n      require_reply 0a0b\n    }\n  }\n  real_server 198.51.100.2 53 {\n    UDP_CHECK {\n    }\n  }\n  real_server 198.51.100.3 53 {\n    PING_CHECK {\n    }\n  }\n}\n';
  const v = ok(importKeepalived(conf));
  const [a, b, c] = v.state.services[0]!.reals;
  assert.deepEqual(a!.health?.check, { type: 'udp', payload: '\\x01\\x02', minLength: 0, maxLength: 255, reply: '\\x0a\\x0b' });
  assert.deepEqual(b!.health?.check, { type: 'udp', payload: '', replyOptional: true });
  assert.deepEqual(c!.health?.check, { type: 'tcp' });
  assert.deepEqual(v.unmapped.map((u) => [u.line, u.reason]), [[15, 'PING_CHECK has no ipvx equivalent; real 198.51.100.3:53 gets a TCP connect check on its port instead (interval 60 s, timeout 5 s, fall 2)']]);
  const badHex = importKeepalived('virtual_server 192.0.2.53 53 {\n  real_server 198.51.100.1 53 {\n    UDP_CHECK {\n      payload zz\n    }\n  }\n}\n');
  assert.ok(!badHex.ok);
  assert.deepEqual(badHex.errors, [{ field: 'line 4', message: "payload: 'zz' is not a hex string" }]);
});

test('HTTP_GET and SSL_GET default delay_before_retry is 3 s; digest and several url blocks are kept', () => {
  // check_http.c http_get_handler: checker->default_delay_before_retry = 3 * TIMER_HZ; url list, digest_handler.
  const conf = 'virtual_server 192.0.2.10 80 {\n  real_server 198.51.100.1 80 {\n    HTTP_GET {\n      url {\n        path /a\n        digest 0123456789abcdef0123456789ABCDEF\n      }\n      url {\n        path /b\n        status_code 200\n      }\n    }\n  }\n}\n';
  const h = ok(importKeepalived(conf)).state.services[0]!.reals[0]!.health!;
  assert.equal(h.delayBeforeRetry, 3);
  assert.deepEqual(h.check, { type: 'http', path: '/a', digest: '0123456789abcdef0123456789abcdef', urls: [{ path: '/b', statusCodes: '200' }] });
});

test('persistence_timeout without a value is 360 s; persistence_timeout 0 is no persistence', () => {
  // check_parser.c pto_handler: no value -> IPVS_SVC_PERSISTENT_TIMEOUT; 0 fails read_unsigned_strvec(min 1).
  const bare = ok(importKeepalived('virtual_server 192.0.2.10 80 {\n  persistence_timeout\n}\n'));
  assert.equal(bare.state.services[0]!.persistence, 360);
  const zero = ok(importKeepalived('virtual_server 192.0.2.10 80 {\n  persistence_timeout 0\n}\n'));
  assert.equal(zero.state.services[0]!.persistence, 0);
  assert.match(zero.unmapped[0]!.reason, /persistence_timeout 0: keepalived refuses it/);
});

test('several vrrp_instances: one role per director; active/active is said plainly; auth_pass is the HA key', () => {
  const conf = [
    'vrrp_instance VI_1 {', '  state MASTER', '  interface eth0', '  priority 150', '  authentication {', '    auth_type PASS', '    auth_pass s3cret', '  }',
    '  virtual_ipaddress {', '    192.0.2.10/24', '  }', '}',
    'vrrp_instance VI_2 {', '  state BACKUP', '  interface eth0', '  priority 100', '  virtual_ipaddress {', '    192.0.2.20/24', '  }', '}',
  ].join('\n');
  const v = ok(importKeepalived(conf));
  assert.deepEqual(v.state.ha?.vips.map((x) => x.address), ['192.0.2.10']);
  assert.equal(v.state.ha?.key, 's3cret');
  const aa = v.unmapped.find((u) => u.line === 13);
  assert.match(aa!.reason, /^vrrp_instance VI_2 \(BACKUP, priority 100\) has another role than VI_1 \(MASTER, priority 150\): ipvx has one HA role per director/);
  assert.ok(v.notes?.some((n) => /auth_type PASS sent it in clear/.test(n)));
  // In one vrrp_sync_group they fail over together: one group in ipvx too.
  const synced = ok(importKeepalived(`vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n${conf}`));
  assert.deepEqual(synced.state.ha?.vips.map((x) => x.address), ['192.0.2.10', '192.0.2.20']);
});

// ---- lvs.cf ----

test("lvs.cf: piranha's port names, failover blocks and a virtual without port (80)", () => {
  // lvsconfig.c getPort (getservbyname(tok, "tcp")), lvsInitVirtualServer (port 80), "failover" blocks.
  const cf = 'service = lvs\nprimary = 192.0.2.1\nnetwork = direct\nvirtual web {\n  address = 192.0.2.10 eth0:1\n  port = http\n  server a {\n    address = 198.51.100.1\n  }\n}\nvirtual other {\n  address = 192.0.2.11 eth0:2\n  server b {\n    address = 198.51.100.2\n  }\n}\nfailover ftp {\n  address = 192.0.2.12 eth0:3\n  port = 21\n  start_cmd = "/etc/init.d/vsftpd start"\n}\n';
  const v = ok(importLvsCf(cf, { services: SERVICES }));
  assert.deepEqual(v.state.services.map((s) => `${s.vip}:${s.port} ${s.reals.map((r) => `${r.address}:${r.port}`).join(',')}`), ['192.0.2.10:80 198.51.100.1:80', '192.0.2.11:80 198.51.100.2:80']);
  assert.deepEqual(v.unmapped.map((u) => [u.line, u.reason]), [[17, 'failover ftp: a piranha failover service, not run while service = lvs (pulse starts lvs or fos)']]);
});

test('lvs.cf: values the piranha GUI writes give a configuration apply accepts', () => {
  // vip_nmask 0.0.0.0 (no mask: /32), pmask without persistent (startVirtualServer passes -M only with -p),
  // send without expect (nanny's pinger writes it and reads nothing).
  const cf = 'primary = 192.0.2.1\nbackup = 192.0.2.2\nnetwork = direct\nvirtual smtp {\n  address = 192.0.2.25 eth0:1\n  vip_nmask = 0.0.0.0\n  port = 25\n  pmask = 255.255.255.0\n  send = "QUIT\\r\\n"\n  server a {\n    address = 198.51.100.1\n  }\n}\n';
  const v = ok(importLvsCf(cf));
  const s = v.state.services[0]!;
  assert.deepEqual([s.persistence, s.persistenceMask], [0, '']);
  assert.deepEqual(s.health?.check, { type: 'send-expect', send: 'QUIT\r\n', expect: '', useRegex: false });
  assert.deepEqual(v.state.ha?.vips, [{ address: '192.0.2.25', prefixLength: 32, interface: 'eth0' }]);
  const checked = validateState({ ...v.state, ha: { ...v.state.ha!, key: 'k' } });
  assert.ok(checked.ok, checked.ok ? '' : JSON.stringify(checked.errors));
});

test('lvs.cf: tcp_timeout, tcpfin_timeout and udp_timeout are the timeouts (0 leaves one as it is)', () => {
  // lvsconfig.c parseConfiguration; lvsd.c setTimeouts runs ipvsadm --set with them.
  const v = ok(importLvsCf('tcp_timeout = 3600\ntcpfin_timeout = 0\nudp_timeout = 60\n'));
  assert.deepEqual(v.state.timeouts, { tcp: 3600, tcpFin: 120, udp: 60 });
  assert.deepEqual(v.unmapped, []);
});

test("lvs.cf health timing is nanny's: every `timeout` s, out at the first failure, back after reentry/timeout passes", () => {
  // lvsd.c startClientMonitor: nanny -t timeout -a reentry; nanny.c main: countThresh = reentryTime / interval;
  // run(): a failure while active takes the real out at once; the connect timeout is the interval.
  const v = ok(importLvsCf('virtual v {\n  address = 192.0.2.10 eth0\n  port = 8080\n  timeout = 4\n  reentry = 30\n}\n'));
  const h = v.state.services[0]!.health!;
  assert.deepEqual([h.interval, h.timeout, h.fall, h.rise], [4, 4, 1, 7]);
  const d = ok(importLvsCf('virtual v {\n  address = 192.0.2.10 eth0\n}\n')).state.services[0]!.health!;
  // Defaults timeout 10, reentry 180 (lvsInitVirtualServer); port 80 without send/expect: nanny's HTTP probe.
  assert.deepEqual([d.interval, d.timeout, d.fall, d.rise], [10, 10, 1, 18]);
  assert.deepEqual(d.check, { type: 'send-expect', send: 'GET / HTTP/1.0\r\n\r\n', expect: 'HTTP', useRegex: false });
});

test('lvs.cf role: the director whose address is local, as pulse decides; --role overrides; the choice is said', () => {
  // pulse.c amMaster: primary if the primary address is on an interface of this machine.
  const cf = 'primary = 192.0.2.1\nbackup = 192.0.2.2\nbackup_active = 1\n';
  const onBackup = ok(importLvsCf(cf, { localAddresses: ['127.0.0.1', '192.0.2.2'] }));
  assert.deepEqual([onBackup.state.ha?.localAddress, onBackup.state.ha?.peerAddress, onBackup.state.ha?.priority], ['192.0.2.2', '192.0.2.1', 100]);
  assert.deepEqual(onBackup.notes, ['HA role: backup (192.0.2.2 is an address of this machine)']);
  const onPrimary = ok(importLvsCf(cf, { localAddresses: ['192.0.2.1'] }));
  assert.equal(onPrimary.state.ha?.localAddress, '192.0.2.1');
  const forced = ok(importLvsCf(cf, { localAddresses: ['192.0.2.2'], role: 'primary' }));
  assert.deepEqual([forced.state.ha?.localAddress, forced.notes], ['192.0.2.1', ['HA role: primary (--role)']]);
});

// ---- ipvsadm -S ----

test('ipvsadm -S without -n: port names from /etc/services; host names only when asked to resolve them', () => {
  // ipvsadm.c parse_service: service_to_port (getservbyname) and host_to_addr (gethostbyname).
  const saved = '-A -t 192.0.2.10:http -s wlc\n-a -t 192.0.2.10:http -r 198.51.100.1:http -g -w 1\n-A -u 192.0.2.10:domain -s rr\n';
  const v = ok(importIpvsadmSave(saved, { services: SERVICES }));
  assert.deepEqual(v.state.services.map((s) => `${s.protocol} ${s.vip}:${s.port}`), ['tcp 192.0.2.10:80', 'udp 192.0.2.10:53']);
  const named = '-A -t www.example.com:http -s wlc\n';
  const refused = importIpvsadmSave(named, { services: SERVICES });
  assert.ok(!refused.ok);
  assert.deepEqual(refused.errors, [{ field: 'line 1', message: "host name 'www.example.com': ipvx resolves host names only with --resolve-hosts (or save the rules with ipvsadm -S -n)" }]);
  const resolved = ok(importIpvsadmSave(named, { services: SERVICES, resolveHost: (n) => (n === 'www.example.com' ? '192.0.2.80' : undefined) }));
  assert.equal(resolved.state.services[0]!.vip, '192.0.2.80');
});
