// ipvsadm 1.31's fwmark services (-f), one-packet scheduling (-o) and tunnel options
// (--tun-type, --tun-port, --tun-*csum, -L --tun-info): parsed with ipvsadm's rules and
// messages (ipvsadm.c parse_options, tunnel_opt_check, process_options) and printed as
// print_service_entry / print_tunnel_rule / fwd_tun_info print them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpvsadmArgs, commandToServiceSpec, commandToRealSpec } from '../../../src/ipvsadm/index.js';
import { formatList, formatSave, listJson, compareServices } from '../../../src/cli/ipvsadm/index.js';
import { importIpvsadmSave } from '../../../src/config/import/index.js';
import { validateState } from '../../../src/core/validate.js';
import { DEFAULT_TIMEOUTS, type DesiredState } from '../../../src/core/model.js';
import { parseMarkArgs, applyMarkCommand, formatMarks } from '../../../src/cli/mark.js';

const parsed = (line: string) => { const r = parseIpvsadmArgs(line.split(' ')); if (!r.ok) throw new Error(r.errors[0]!.message); return r.value; };
const error = (line: string) => { const r = parseIpvsadmArgs(line.split(' ')); assert.ok(!r.ok, line); return r.errors[0]!; };

test('-f MARK [-6]: a fwmark service (TCP, address 0.0.0.0 or ::, port 0, as ipvsadm sets it); no zero-port rule; -6 only after -f', () => {
  const a = parsed('-A -f 1 -s wlc -p 600');
  assert.ok(a.kind === 'add-service');
  assert.deepEqual(a.service, { protocol: 'tcp', address: '0.0.0.0', family: 4, port: 0, fwmark: 1 });
  assert.deepEqual(commandToServiceSpec(a), { fwmark: 1, vip: '0.0.0.0', port: 0, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 600, persistenceMask: '', method: 'dr', reals: [] });
  const b = parsed('-A -f 2 -6 -s rr');
  assert.ok(b.kind === 'add-service' && b.service.address === '::' && b.service.family === 6);
  assert.equal(error('-A -6 -f 2').message, '-6 used before -f');
  // A real of a fwmark service keeps its port, even for -g (ipvsadm: "Don't worry about this if fwmark is used").
  const r = parsed('-a -f 1 -r 198.51.100.1:8080 -g -w 3');
  assert.ok(r.kind === 'add-server' && r.server.port === 8080 && r.service.fwmark === 1);
  const r0 = parsed('-a -f 1 -r 198.51.100.1');
  assert.ok(r0.kind === 'add-server' && r0.server.port === 0);
});

test('-o: for UDP and fwmark services (ipvsadm 1.31 parse_options: "One-Packet Scheduling is only for UDP virtual services")', () => {
  const u = parsed('-A -u 203.0.113.10:53 -s rr -o');
  assert.ok(u.kind === 'add-service' && u.ops && commandToServiceSpec(u).ops === true);
  assert.ok(parsed('-A -f 3 -o').kind === 'add-service');
  assert.equal(error('-A -t 203.0.113.10:80 --ops').message, 'One-Packet Scheduling is only for UDP virtual services');
  // A bare "ops" is no option (ipvsadm: "unexpected argument").
  assert.equal(error('-A -u 203.0.113.10:53 -s rr ops').message, 'unexpected argument ops');
  assert.equal(error('-a -u 203.0.113.10:53 -r 198.51.100.1 -o').message, "Illegal 'ops' option with the 'add-server' command");
});

test('tunnel options: ipvsadm\'s tunnel_types_v_options and messages', () => {
  const g = parsed('-a -t 203.0.113.10:80 -r 198.51.100.1 -i --tun-type gue --tun-port 6080 --tun-csum');
  assert.ok(g.kind === 'add-server');
  assert.deepEqual(commandToRealSpec(g), { address: '198.51.100.1', port: 80, method: 'tun', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunType: 'gue', tunPort: 6080, tunChecksum: 'csum' });
  const gre = parsed('-a -t 203.0.113.10:80 -r 198.51.100.1 -i --tun-type gre');
  assert.ok(gre.kind === 'add-server' && commandToRealSpec(gre).tunType === 'gre');
  const cases: [string, string][] = [
    ['--tun-type gue', "You need to supply the 'tun-port' option for the 'gue' tunnel type"],
    ['--tun-type gue --tun-port 6080 --tun-csum --tun-nocsum', "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type"],
    ['--tun-type gre --tun-port 6080', "Illegal 'tun-port' option with the 'gre' tunnel type"],
    ['--tun-type gre --tun-remcsum', "Illegal 'tun-remcsum' option with the 'gre' tunnel type"],
    ['--tun-csum', "Illegal 'tun-csum' option with the 'ipip' tunnel type"],
    ['--tun-type vxlan', 'illegal tunnel type specified'],
    ['--tun-type gue --tun-port 0', 'illegal tunnel port specified'],
  ];
  for (const [opts, message] of cases) assert.equal(error(`-a -t 203.0.113.10:80 -r 198.51.100.1 -i ${opts}`).message, message, opts);
  assert.equal(error('-a -t 203.0.113.10:80 -r 198.51.100.1 -g --tun-type gre').message, 'Tunnel options conflict with forward method');
});

function table(): DesiredState {
  const r = importIpvsadmSave([
    '-A -t 203.0.113.10:80 -s wlc',
    '-a -t 203.0.113.10:80 -r 198.51.100.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
    '-a -t 203.0.113.10:80 -r 198.51.100.2:80 -i -w 2 --tun-type gre --tun-csum',
    '-a -t 203.0.113.10:80 -r 198.51.100.3:80 -i -w 1',
    '-A -f 2 -6 -s rr',
    '-a -f 2 -6 -r [2001:db8:1::1]:0 -g -w 1',
    '-A -f 1 -s wlc -p 600 -o',
    '-a -f 1 -r 198.51.100.4:0 -g -w 1',
    '-A -u 203.0.113.10:53 -s rr -o',
  ].join('\n'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const v = validateState({ ...r.value.state, timeouts: { ...DEFAULT_TIMEOUTS } });
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.value;
}

test('-L -n: fwmark services as "FWM  N [IPv6] sched", sorted as ipvs_cmp_services (fwmark first), " ops" after persistence or without it (ipvsadm 1.31 print_service_entry)', () => {
  assert.equal(formatList(table(), {}, { numeric: true }), [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  203.0.113.10:80 wlc',
    '  -> 198.51.100.1:80              Tunnel  1      0          0         ',
    '  -> 198.51.100.2:80              Tunnel  2      0          0         ',
    '  -> 198.51.100.3:80              Tunnel  1      0          0         ',
    'UDP  203.0.113.10:53 rr ops',
    'FWM  1 wlc persistent 600 ops',
    '  -> 198.51.100.4:0               Route   1      0          0         ',
    'FWM  2 IPv6 rr',
    '  -> [2001:db8:1::1]:0            Route   1      0          0         ',
    '',
  ].join('\n'));
  assert.ok(compareServices({ vip: '0.0.0.0', port: 0, protocol: 'tcp', fwmark: 1 }, { vip: '203.0.113.10', port: 80, protocol: 'tcp' }) > 0);
});

test('-L --tun-info: TunnelInfo as fwd_tun_info prints it (ipip, gue:PORT:FLAGS, gre:FLAGS, n/a)', () => {
  const out = formatList(table(), {}, { numeric: true, format: 'tun-info' }).split('\n');
  assert.equal(out[2], '  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn');
  assert.equal(out[4], '  -> 198.51.100.1:80              Tunnel  gue:6080:r+c  1      0          0         ');
  assert.equal(out[5], '  -> 198.51.100.2:80              Tunnel  gre:+c        2      0          0         ');
  assert.equal(out[6], '  -> 198.51.100.3:80              Tunnel  ipip          1      0          0         ');
  assert.equal(out[9], '  -> 198.51.100.4:0               Route   n/a           1      0          0         ');
});

test('-S -n: "-A -f N [-6]", " -o" after the persistence, and print_tunnel_rule\'s tunnel options (ipvsadm 1.31); it reads back to the same table', () => {
  const saved = formatSave(table(), true);
  assert.equal(saved, [
    '-A -t 203.0.113.10:80 -s wlc',
    '-a -t 203.0.113.10:80 -r 198.51.100.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
    '-a -t 203.0.113.10:80 -r 198.51.100.2:80 -i -w 2 --tun-type gre --tun-csum',
    '-a -t 203.0.113.10:80 -r 198.51.100.3:80 -i -w 1 --tun-type ipip',
    '-A -u 203.0.113.10:53 -s rr -o',
    '-A -f 1 -s wlc -p 600 -o',
    '-a -f 1 -r 198.51.100.4:0 -g -w 1',
    '-A -f 2 -6 -s rr',
    '-a -f 2 -6 -r [2001:db8:1::1]:0 -g -w 1',
    '',
  ].join('\n'));
  const again = importIpvsadmSave(saved);
  assert.ok(again.ok);
  assert.equal(formatSave({ ...again.value.state, timeouts: { ...DEFAULT_TIMEOUTS } }, true), saved);
});

test('--json: fwmark, family, ops and the tunnel of each TUN real; the mark rules', () => {
  const j = listJson({ ...table(), marks: [{ mark: 1, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' }] }, {});
  assert.deepEqual(j.marks, [{ mark: 1, destination: '203.0.113.10/32', protocol: 'tcp', ports: '80,443' }]);
  const fw = j.services.find((s) => (s as { fwmark?: number }).fwmark === 1)!;
  assert.deepEqual([(fw as { family?: number }).family, fw.ops, fw.port], [4, true, 0]);
  const t = j.services[0]!.reals;
  assert.deepEqual(t.map((r) => (r as { tunnel?: unknown }).tunnel), [
    { type: 'gue', port: 6080, checksum: 'remcsum' }, { type: 'gre', checksum: 'csum' }, { type: 'ipip', checksum: 'nocsum' },
  ]);
});

test('ipvx mark: add (at a position), delete by position or by rule, list; bad input named', () => {
  let state: DesiredState = { services: [], timeouts: { ...DEFAULT_TIMEOUTS } };
  const run = (line: string) => {
    const c = parseMarkArgs(line.split(' '));
    assert.ok(c.ok && (c.value.kind === 'add' || c.value.kind === 'delete'), line);
    const r = applyMarkCommand(state, c.value as never);
    if (!r.ok) return r.errors[0]!.message;
    const v = validateState(r.value);
    assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
    state = v.value;
    return '';
  };
  assert.equal(run('add --mark 1 -d 203.0.113.10 -p tcp --ports 80,443'), '');
  assert.equal(run('add --mark 2 -d 203.0.113.0/24 -p udp --position 1'), '');
  assert.equal(run('add --mark 1 -d 203.0.113.10/32 -p tcp --ports 80,443'), 'the rule is already there (position 2)');
  assert.equal(formatMarks(state.marks!), [
    'Pos  Mark  Prot   Destination      Ports',
    '1    2     udp    203.0.113.0/24   all',
    '2    1     tcp    203.0.113.10/32  80,443',
    '',
  ].join('\n'));
  assert.equal(run('delete 3'), 'no rule at position 3 (there are 2)');
  assert.equal(run('delete --mark 1 --destination 203.0.113.10 --protocol tcp --ports 80,443'), '');
  assert.equal(run('delete 1'), '');
  assert.equal(formatMarks(state.marks ?? []), 'no mark rules\n');
  const bad = (line: string) => { const c = parseMarkArgs(line.split(' ')); assert.ok(!c.ok, line); return c.errors[0]!.message; };
  assert.equal(bad('add --mark 1 -d 203.0.113.10'), 'mark add: --protocol is required');
  assert.equal(bad('add --mark x -d 203.0.113.10 -p tcp'), "mark add: --mark 'x' is not a number");
  assert.equal(bad('add --mark 1 -d 203.0.113.10 -p icmp'), "mark add: --protocol 'icmp' is not tcp or udp");
  assert.equal(bad('frob'), "unknown mark command 'frob' (list, add, delete)");
});
