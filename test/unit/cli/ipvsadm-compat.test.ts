// ipvsadm 1.31 behaviours found by running its own print code against the same table
// (test/compat runs that code itself; these are the cases pinned here without a build).
// Each cites the place in ipvsadm-1.31 (Debian's source package), glibc or the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, type DesiredState, type RealSpec, type ServiceSpec } from '../../../src/core/model.js';
import { parseIp } from '../../../src/core/addr.js';
import { parseIpvsadmArgs, type ListCommand } from '../../../src/ipvsadm/index.js';
import { formatList, formatSave, runList } from '../../../src/cli/ipvsadm/index.js';

const real = (address: string, port: number, method: RealSpec['method'] = 'tun'): RealSpec =>
  ({ address, port, method, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
const service = (vip: string, port: number, reals: RealSpec[]): ServiceSpec =>
  ({ vip, port, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'tun', reals });
const state = (...services: ServiceSpec[]): DesiredState => ({ ...emptyState(), services });
const list = (argv: string): ListCommand => {
  const r = parseIpvsadmArgs(argv.split(' '));
  assert.ok(r.ok && r.value.kind === 'list');
  return r.value;
};

test('IPv4-mapped and IPv4-compatible IPv6 addresses print as glibc inet_ntop writes them', () => {
  // glibc resolv/inet_ntop.c inet_ntop6: a leading zero run of 6 words, or of 5 followed by
  // ffff, is printed with a dotted IPv4 tail; ipvsadm's addrport_to_anyname uses inet_ntop.
  const text = (a: string) => { const r = parseIp(a); assert.ok(r.ok); return r.value.text; };
  assert.equal(text('::ffff:c000:201'), '::ffff:192.0.2.1');
  assert.equal(text('::c000:201'), '::192.0.2.1');
  assert.equal(text('::1'), '::1');
  assert.equal(text('::ffff:0:5'), '::ffff:0.0.0.5');
  assert.equal(text('2001:db8::ffff:c000:201'), '2001:db8::ffff:c000:201');
  const s = state({ ...service('2001:db8::53', 53, [real('::ffff:c000:201', 53)]), protocol: 'udp' });
  assert.match(formatList(s, {}, { numeric: true }), /\n {2}-> \[::ffff:192\.0\.2\.1\]:53 {8}Tunnel/);
});

// Reals of mixed families: ipvs_cmp_dests compares by the first real's family only (see
// src/cli/ipvsadm/sort.ts). Between 2001:db8::/32 and the IPv4 documentation ranges that
// order equals family order, so the comparison suite in test/compat (ipvsadm's own code
// and qsort) is where it is checked, with other addresses in a table that is only printed.

test('a real added with port 0 is listed with :0', () => {
  // ipvsadm.c parse_options 'r': an explicit ":0" sets SERVICE_PORT, so dest.port stays 0
  // (only a missing port copies the service port); print_service_entry prints ntohs(e->port).
  const r = parseIpvsadmArgs('-a -t 192.0.2.10:80 -r 198.51.100.7:0 -m'.split(' '));
  assert.ok(r.ok && r.value.kind === 'add-server' && r.value.server.port === 0);
  const s = state({ ...service('192.0.2.10', 80, [real('198.51.100.7', 0, 'nat')]), method: 'nat' });
  assert.match(formatList(s, {}, { numeric: true }), /\n {2}-> 198\.51\.100\.7:0 {15}Masq/);
  assert.match(formatSave(s, true), /-a -t 192\.0\.2\.10:80 -r 198\.51\.100\.7:0 -m -w 1\n/);
});

test('-L -n -t of a missing service prints "No such service" and exits 1', () => {
  // ipvsadm.c list_service: ipvs_get_service() fails -> fprintf(stderr, ipvs_strerror) and exit(1).
  const r = runList(list('-L -n -t 192.0.2.99:80'), { state: state(service('192.0.2.10', 80, [])) });
  assert.deepEqual(r, { stdout: '', stderr: 'No such service\n', exitCode: 1 });
});

test('-L -n -c --persistent-conn prints the wider header with pe name and pe_data', () => {
  // ipvsadm.c list_conn: FMT_PERSISTENTCONN adds "%-18s %-16s %s" destination, "pe name", "pe_data".
  const r = runList(list('-L -n -c --persistent-conn'), { state: emptyState(), flows: [] });
  assert.equal(r.stdout, 'IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n');
  const plain = runList(list('-L -n -c'), { state: emptyState(), flows: [] });
  assert.equal(plain.stdout, 'IPVS connection entries\npro expire state       source             virtual            destination\n');
});

test('what the kernel refuses is refused with its message and exit 255', () => {
  const fail = (argv: string) => {
    const r = parseIpvsadmArgs(argv.split(' '));
    assert.ok(!r.ok, argv);
    return [(r.errors[0] as { exitCode?: number }).exitCode, r.errors[0]!.message];
  };
  // ip_vs_ctl.c ip_vs_add_dest / ip_vs_edit_dest: l_threshold > u_threshold -> -ERANGE, and
  // ipvs_strerror has no entry for it, so strerror(ERANGE). -y alone has u_threshold 0.
  const erange = [255, 'Numerical result out of range'];
  assert.deepEqual(fail('-a -t 192.0.2.10:80 -r 198.51.100.1 -y 5'), erange);
  assert.deepEqual(fail('-a -t 192.0.2.10:80 -r 198.51.100.1 -x 5 -y 6'), erange);
  assert.deepEqual(fail('-e -t 192.0.2.10:80 -r 198.51.100.1 -y 1'), erange);
  assert.ok(parseIpvsadmArgs('-a -t 192.0.2.10:80 -r 198.51.100.1 -x 6 -y 6'.split(' ')).ok);
  // ip_vs_new_dest: IPv4 not RTN_UNICAST/RTN_LOCAL, IPv6 not unicast or link-local -> -EINVAL,
  // ipvs_strerror(EINVAL) "Invalid operation.  Possibly wrong module version, address not unicast, ...".
  const einval = [255, 'Invalid operation.  Possibly wrong module version, address not unicast, ...'];
  for (const a of ['224.0.0.5', '239.1.2.3', '255.255.255.255', '0.0.0.0']) assert.deepEqual(fail(`-a -t 192.0.2.10:80 -r ${a} -m`), einval, a);
  for (const a of ['[ff02::1]:80', '[::]:80', '[fe80::1]:80']) assert.deepEqual(fail(`-a -t [2001:db8::10]:80 -r ${a} -m`), einval, a);
  assert.ok(parseIpvsadmArgs('-a -t 192.0.2.10:80 -r 198.51.100.1 -m'.split(' ')).ok);
});
