// Golden tests: the sample rules, applied one by one, print back in ipvsadm 1.31's
// formats. Expected texts are in test/fixtures/ipvsadm, written from ipvsadm.c's printf
// formats (make-goldens.sh), not from this code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { emptyState, type DesiredState } from '../../../src/core/model.js';
import type { ServiceCounters, FlowView } from '../../../src/dataplane/port.js';
import { parseIpvsadmArgs, parseRestoreInput, type IpvsadmCommand } from '../../../src/ipvsadm/index.js';
import {
  formatSave, formatList, formatConnections, formatTimeout, formatLargenum, listJson, connectionsJson, type ListData,
} from '../../../src/cli/ipvsadm/index.js';
import { applyRestore } from '../../../src/cli/restore-rules.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../../test/fixtures/ipvsadm/${name}`, import.meta.url), 'utf8');

function apply(cmds: IpvsadmCommand[]): DesiredState {
  const r = applyRestore(emptyState(), cmds);
  assert.ok(r.ok, `apply: ${r.ok ? '' : r.errors[0]!.message}`);
  return r.value;
}

function sampleState(): DesiredState {
  const cmds = fixture('rules.txt').split('\n').filter((l) => l.trim()).map((line) => {
    const r = parseIpvsadmArgs(line.trim().split(/\s+/));
    assert.ok(r.ok, `${line}: ${r.ok ? '' : r.errors[0]!.message}`);
    return r.value;
  });
  assert.equal(cmds.length, 19);
  return apply(cmds);
}

const svcCounters = (service: string, c: number[], reals: [string, number, number, number[]][]): ServiceCounters => ({
  service, conns: BigInt(c[0]!), pktsIn: BigInt(c[1]!), pktsOut: BigInt(c[2]!), bytesIn: BigInt(c[3]!), bytesOut: BigInt(c[4]!),
  reals: reals.map(([real, activeConns, inactiveConns, r]) => ({
    real, activeConns, inactiveConns,
    conns: BigInt(r[0]!), pktsIn: BigInt(r[1]!), pktsOut: BigInt(r[2]!), bytesIn: BigInt(r[3]!), bytesOut: BigInt(r[4]!),
  })),
});

// The same numbers as make-goldens.sh.
const DATA: ListData = {
  counters: [
    svcCounters('tcp|192.168.10.254|80', [12, 345, 0, 23456, 0], [
      ['192.168.10.2|80', 3, 7, [5, 100, 0, 9000, 0]], ['192.168.10.3|80', 0, 0, [7, 245, 0, 14456, 0]]]),
    {
      ...svcCounters('tcp|203.0.113.10|443', [0, 99999999, 100000000, 0, 0], [['198.51.100.11|443', 4, 1, [100000000, 99999999, 0, 1000000000, 0]]]),
      conns: 123456789n, bytesIn: 1234567890123n, bytesOut: 123456789012345678n,
      reals: [
        ...svcCounters('x', [0, 0, 0, 0, 0], [['198.51.100.11|443', 4, 1, [100000000, 99999999, 0, 1000000000, 0]]]).reals,
        { real: '198.51.100.12|443', activeConns: 0, inactiveConns: 0, conns: 23456789n, pktsIn: 0n, pktsOut: 100000000n, bytesIn: 234567890123n, bytesOut: 123456789012345678n },
      ],
    },
    svcCounters('tcp|10.0.0.50|80', [5000000000, 5, 5, 5, 5], [
      ['192.168.1.100|80', 2, 0, [2500000000, 3, 3, 3, 3]], ['192.168.1.200|80', 1, 1, [2500000000, 2, 2, 2, 2]]]),
    svcCounters('udp|203.0.113.53|53', [40, 40, 40, 2800, 5600], [
      ['198.51.100.21|53', 0, 5, [30, 30, 30, 2100, 4200]], ['198.51.100.22|5353', 0, 1, [10, 10, 10, 700, 1400]]]),
  ],
  rates: [
    { service: 'tcp|192.168.10.254|80', cps: 1, inpps: 20, outpps: 0, inbps: 1600, outbps: 0, reals: [
      { real: '192.168.10.2|80', cps: 1, inpps: 10, outpps: 0, inbps: 800, outbps: 0 },
      { real: '192.168.10.3|80', cps: 0, inpps: 10, outpps: 0, inbps: 800, outbps: 0 }] },
    { service: 'tcp|203.0.113.10|443', cps: 12, inpps: 3400, outpps: 0, inbps: 2500000, outbps: 0, reals: [
      { real: '198.51.100.11|443', cps: 8, inpps: 2000, outpps: 0, inbps: 1600000, outbps: 0 },
      { real: '198.51.100.12|443', cps: 4, inpps: 1400, outpps: 0, inbps: 900000, outbps: 0 }] },
    { service: 'udp|203.0.113.53|53', cps: 2, inpps: 2, outpps: 2, inbps: 140, outbps: 280, reals: [
      { real: '198.51.100.21|53', cps: 2, inpps: 2, outpps: 2, inbps: 140, outbps: 280 }] },
  ],
  // 198.51.100.12 is held down by its health check: listed with weight 0.
  reals: [{ service: 'tcp|203.0.113.10|443', real: '198.51.100.12|443', health: 'down', persistConns: 0 }],
};

test('every sample rule parses, applies, and -S -n prints ipvsadm order and format', () => {
  assert.equal(formatSave(sampleState(), true), fixture('save-n.golden'));
});

test('-R of the -S -n output, then -S -n, round-trips exactly', () => {
  const golden = fixture('save-n.golden');
  const r = parseRestoreInput(golden);
  assert.ok(r.ok);
  assert.equal(formatSave(apply(r.value), true), golden);
});

test('-R of the sample rules file gives the same table as applying the lines one by one', () => {
  const r = parseRestoreInput(fixture('rules.txt'));
  assert.ok(r.ok);
  assert.deepEqual(apply(r.value), sampleState());
});

test('-L -n matches ipvsadm, with a down real shown as weight 0', () => {
  assert.equal(formatList(sampleState(), DATA, { numeric: true }), fixture('list-n.golden'));
});

test('--stats with K/M/G/T suffixes, and --exact without', () => {
  const s = sampleState();
  assert.equal(formatList(s, DATA, { numeric: true, format: 'stats' }), fixture('list-stats.golden'));
  assert.equal(formatList(s, DATA, { numeric: true, format: 'stats', exact: true }), fixture('list-stats-exact.golden'));
});

test('--rate', () => {
  assert.equal(formatList(sampleState(), DATA, { numeric: true, format: 'rate' }), fixture('list-rate.golden'));
});

test('-L -c -n: connection entries with mm:ss expiry', () => {
  const flows: FlowView[] = [
    { protocol: 'tcp', client: '198.51.100.200', clientPort: 40001, vip: '203.0.113.10', vport: 443, real: '198.51.100.11', rport: 443, state: 'ESTABLISHED', expiresIn: 899 },
    { protocol: 'tcp', client: '198.51.100.201', clientPort: 51234, vip: '10.0.0.50', vport: 80, real: '192.168.1.100', rport: 80, state: 'SYN_RECV', expiresIn: 59 },
    { protocol: 'udp', client: '198.51.100.202', clientPort: 5353, vip: '203.0.113.53', vport: 53, real: '198.51.100.22', rport: 5353, state: 'UDP', expiresIn: 245 },
    { protocol: 'tcp', client: '2001:db8:2::5', clientPort: 33000, vip: '2001:db8::10', vport: 80, real: '2001:db8:1::2', rport: 80, state: 'FIN_WAIT', expiresIn: 6000 },
  ];
  assert.equal(formatConnections(flows, { numeric: true }), fixture('list-conn.golden'));
  const j = connectionsJson(flows);
  assert.deepEqual(j.connections[3], { protocol: 'tcp', state: 'FIN_WAIT', expiresIn: 6000, client: { address: '2001:db8:2::5', port: 33000 }, virtual: { address: '2001:db8::10', port: 80 }, real: { address: '2001:db8:1::2', port: 80 } });
});

test('--thresholds and --persistent-conn use the plain service line and their own columns', () => {
  const cmds = ['-A -t 192.0.2.1:80 -s lc -p', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -w 5 -x 100 -y 50'].map((l) => {
    const r = parseIpvsadmArgs(l.split(' '));
    assert.ok(r.ok);
    return r.value;
  });
  const s = apply(cmds);
  const data: ListData = { counters: [svcCounters('tcp|192.0.2.1|80', [0, 0, 0, 0, 0], [['198.51.100.1|80', 17, 4, [0, 0, 0, 0, 0]]])], reals: [{ service: 'tcp|192.0.2.1|80', real: '198.51.100.1|80', persistConns: 9 }] };
  const head = 'IP Virtual Server version 1.2.1 (size=4096)\n';
  // printf("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n", ...) and "  -> %-28s %-10u %-10u %-10u %-10u\n"
  assert.equal(formatList(s, data, { numeric: true, format: 'thresholds' }),
    head + 'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n' +
    'TCP  192.0.2.1:80 lc persistent 360\n' +
    '  -> 198.51.100.1:80              100        50         17         4         \n');
  // printf("%-33s %-9s %-11s %-10s %-10s\n", ...) and "  -> %-28s %-9u %-11u %-10u %-10u\n"
  assert.equal(formatList(s, data, { numeric: true, format: 'persistent-conn' }),
    head + 'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n' +
    'TCP  192.0.2.1:80 lc persistent 360\n' +
    '  -> 198.51.100.1:80              5         9           17         4         \n');
});

test('-L -t service lists one service without the version line', () => {
  const out = formatList(sampleState(), DATA, { numeric: true, service: { vip: '1.1.1.1', port: 80, protocol: 'tcp' } });
  assert.equal(out, 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
    'TCP  1.1.1.1:80 rr\n  -> 192.168.1.10:80              Masq    1      0          0         \n  -> 192.168.1.20:80              Masq    1      0          0         \n');
});

test('--nosort: configuration order, reals newest first as IPVS lists them', () => {
  const out = formatSave(sampleState(), true, { sort: false }).split('\n');
  assert.equal(out[0], '-A -t 10.0.0.50:80 -s wlc');
  assert.equal(out[1], '-a -t 10.0.0.50:80 -r 192.168.1.100:80 -i -w 1 --tun-type ipip');
  assert.equal(out[2], '-a -t 10.0.0.50:80 -r 192.168.1.200:80 -i -w 1 --tun-type ipip');
});

test('print_largenum boundaries', () => {
  assert.equal(formatLargenum(99999999n, false), ' 99999999');
  assert.equal(formatLargenum(100000000n, false), '  100000K');
  assert.equal(formatLargenum(999999999n, false), '  999999K');
  assert.equal(formatLargenum(1000000000n, false), '    1000M');
  assert.equal(formatLargenum(99999999999n, false), '   99999M');
  assert.equal(formatLargenum(100000000000n, false), '     100G');
  assert.equal(formatLargenum(100000000000000n, false), '     100T');
  assert.equal(formatLargenum(12345678n, true), ' 12345678');
  assert.equal(formatLargenum(123456789n, true), ' 123456789');
});

test('--timeout', () => {
  assert.equal(formatTimeout({ tcp: 900, tcpFin: 120, udp: 300 }), 'Timeout (tcp tcpfin udp): 900 120 300\n');
});

test('--json carries health, configured and effective weight, numbers as numbers', () => {
  const j = listJson(sampleState(), DATA);
  assert.equal(j.services.length, 6);
  const https = j.services[1]!;
  assert.equal(https.address, '203.0.113.10');
  assert.deepEqual(https.persistence, { timeout: 300, netmask: '255.255.255.0' });
  assert.equal(https.stats.conns, 123456789);
  assert.equal(https.stats.outBytes, 123456789012345678 > Number.MAX_SAFE_INTEGER ? '123456789012345678' : 0);
  const down = https.reals[1]!;
  assert.deepEqual([down.address, down.health, down.weight, down.configuredWeight, down.forward], ['198.51.100.12', 'down', 0, 1, 'dr']);
  assert.equal(https.reals[0]!.health, 'unknown');
  assert.deepEqual(j.services[4]!.flags, ['sh-port']);
  assert.equal(j.services[5]!.address, '2001:db8::10');
});
