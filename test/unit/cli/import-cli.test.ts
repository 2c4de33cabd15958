// `ipvx import` as a user runs it (bin/ipvx, no daemon needed without --apply): --format,
// the summary line, the exit status when whole virtual servers are left out (--partial),
// --role, --ha-key-file, and validation errors named by their source line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../../../bin/ipvx', import.meta.url));
const ipvx = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, IPVX_SOCKET: '/nonexistent/ipvx.sock' } });

test('ipvx import: --format, --partial, --role, --ha-key-file and the summary line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-import-'));
  try {
    // A keepalived file that does not look like one to the guesser is read as asked.
    const odd = join(dir, 'odd.conf');
    writeFileSync(odd, '\n\n');
    const asKa = ipvx(['import', odd, '--format', 'keepalived']);
    assert.equal(asKa.status, 0, asKa.stderr);
    assert.match(asKa.stderr, /imported 0 services and 0 reals \(keepalived\)/);
    assert.equal(ipvx(['import', odd, '--format', 'xml']).status, 2);

    // A dropped virtual server (SCTP, which ipvx does not serve) makes the import exit 2 unless --partial.
    const ka = join(dir, 'keepalived.conf');
    writeFileSync(ka, 'virtual_server 192.0.2.10 3868 {\n  protocol SCTP\n}\nvirtual_server 192.0.2.10 80 {\n  lb_kind DR\n  real_server 198.51.100.1 80 {\n  }\n}\n');
    const dropped = ipvx(['import', ka]);
    assert.equal(dropped.status, 2);
    assert.match(dropped.stderr, /keepalived\.conf: imported 1 service and 1 real \(keepalived\); 1 line not imported \(1 whole virtual server and 0 reals left out\); 0 things to complete\n/);
    assert.match(dropped.stderr, /not everything was imported \(see above\); --partial accepts that/);
    assert.match(dropped.stdout, /vip: 192\.0\.2\.10/, 'the configuration is printed all the same');
    assert.equal(ipvx(['import', ka, '--partial']).status, 0);

    // lvs.cf: the role, and the HA key from a file.
    const cf = join(dir, 'lvs.cf');
    writeFileSync(cf, 'primary = 192.0.2.1\nbackup = 192.0.2.2\nbackup_active = 1\nnetwork = direct\nvirtual web {\n  address = 192.0.2.10 eth0:1\n  server a {\n    address = 198.51.100.1\n  }\n}\n');
    const noKey = ipvx(['import', cf, '--role', 'backup']);
    assert.equal(noKey.status, 0, noKey.stderr);
    assert.match(noKey.stderr, /HA role: backup \(--role\)/);
    assert.match(noKey.stderr, /to complete before ipvx apply: ha\.key: /);
    assert.match(noKey.stdout, /localAddress: 192\.0\.2\.2\n\s+peerAddress: 192\.0\.2\.1\n/);
    const keyFile = join(dir, 'ha.key');
    writeFileSync(keyFile, 'correct horse battery staple\n');
    const withKey = ipvx(['import', cf, '--role', 'backup', '--ha-key-file', keyFile]);
    assert.equal(withKey.status, 0, withKey.stderr);
    assert.doesNotMatch(withKey.stderr, /to complete before/);
    assert.match(withKey.stdout, /key: correct horse battery staple\n/);

    // What apply would refuse is named by the line it comes from.
    const mixed = join(dir, 'mixed.conf');
    writeFileSync(mixed, 'virtual_server 192.0.2.10 80 {\n  lb_kind NAT\n  real_server 2001:db8::1 80 {\n  }\n}\n');
    const r = ipvx(['import', mixed]);
    assert.match(r.stderr, /mixed\.conf: line 3: to complete before ipvx apply: services\[0\]\.reals\[0\]\.address: /);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ipvx import --iptables FILE (and --iptables=FILE): the mark rules come from iptables-save; without a file it is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-import-'));
  try {
    const ka = join(dir, 'keepalived.conf');
    writeFileSync(ka, 'virtual_server fwmark 1 {\n  lb_kind DR\n  real_server 198.51.100.1 80 {\n  }\n}\n');
    const rules = join(dir, 'rules.v4');
    writeFileSync(rules, '*mangle\n-A PREROUTING -d 203.0.113.10/32 -p tcp --dport 80 -j MARK --set-mark 1\nCOMMIT\n');
    for (const args of [['--iptables', rules], [`--iptables=${rules}`]]) {
      const r = ipvx(['import', ka, ...args]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /marks:\n\s+- mark: 1\n\s+destination: 203\.0\.113\.10\/32\n\s+protocol: tcp\n\s+ports: "?80"?/);
      assert.doesNotMatch(r.stderr, /no mark rule gives mark 1/);
    }
    const none = ipvx(['import', ka, '--iptables']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--iptables needs a file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
