// Firewall-mark services and one-packet scheduling through the real program: the mark
// rules (destination prefix, protocol, ports -> mark) select a fwmark service before the
// address:port lookup (IPVS ip_vs_service_find looks a fwmark service up first); the
// mark a packet gets is the model's (src/core/marks.ts markOf); persistence spans every
// port of the service; with -o each UDP datagram is scheduled on its own and leaves no
// flow (IPVS: IP_VS_CONN_F_ONE_PACKET for UDP packets only, ip_vs_core.c ip_vs_schedule).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { buildFrame, macBytes, type FrameOpts } from '../lib/packet.js';
import { ip } from '../../src/core/addr.js';
import { DEFAULT_TIMEOUTS, DesiredState, ServiceSpec, MarkRule, Protocol, serviceId } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import { markOf } from '../../src/core/marks.js';
import { lbGlobals, GLOBAL_F } from '../../src/dataplane/codec.js';
import { u32Key } from '../../src/dataplane/layout.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';

const DIR_MAC = '02:00:00:00:0d:01';
let h: LbHarness;
before(() => { h = LbHarness.open(); });
after(() => h?.close());
beforeEach(() => h.resetFlows());

/** Real 198.51.100.N / 2001:db8:1::N has MAC ..:0a:N: the output frame names the real. */
const hops = (a: { text: string; family: 4 | 6 }): NextHop => {
  const n = a.family === 4 ? Number(a.text.split('.')[3]) : parseInt(a.text.split(':').pop()!, 16);
  return { ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: Uint8Array.from([2, 0, 0, 0, 0x0a, n]), mtu: 1500 };
};

function fwm(mark: number, reals: number[], over: Partial<ServiceSpec> = {}, family: 4 | 6 = 4): ServiceSpec {
  return {
    fwmark: mark, vip: family === 4 ? '0.0.0.0' : '::', port: 0, protocol: 'tcp', scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: reals.map((n) => ({ address: family === 4 ? `198.51.100.${n}` : `2001:db8:1::${n.toString(16)}`, port: 0, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
    ...over,
  };
}
function vipSvc(vip: string, port: number, protocol: Protocol, reals: number[], over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    vip, port, protocol, scheduler: 'rr', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
    reals: reals.map((n) => ({ address: `198.51.100.${n}`, port, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })), ...over,
  };
}

function apply(services: ServiceSpec[], marks: MarkRule[] = []): DesiredState {
  const v = validateState({ services, marks, timeouts: { ...DEFAULT_TIMEOUTS } });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  h.apply(v.value, hops);
  return v.value;
}

const frame = (src: string, dst: string, dport: number, protocol: Protocol = 'tcp', sport = 40000, flags = 'S'): FrameOpts => ({
  ethSrc: '02:00:00:00:0c:01', ethDst: DIR_MAC, src, dst, proto: protocol,
  ...(protocol === 'tcp' ? { tcp: { sport, dport, flags } } : { udp: { sport, dport } }),
});

/** The real (last address byte) a frame was sent to, or -1 when the program passed it. */
function send(o: FrameOpts): number {
  const r = h.run(buildFrame(o));
  if (r.action === XDP.PASS) return -1;
  assert.equal(XDP_NAME[r.action], 'TX');
  return r.out[5]!;
}

const RULES: MarkRule[] = [
  { mark: 1, destination: '203.0.113.20', protocol: 'tcp', ports: '80,443' },
  { mark: 2, destination: '203.0.113.0/24', protocol: 'tcp', ports: '8000-8100' },
  { mark: 3, destination: '203.0.113.16/28', protocol: 'tcp', ports: '' },
  { mark: 4, destination: '203.0.113.0/24', protocol: 'udp', ports: '53' },
  { mark: 6, destination: '2001:db8::/64', protocol: 'tcp', ports: '80' },
];

test('a packet the rules mark goes to that fwmark service, one that no rule marks to its address:port service or the kernel; the mark is always the model\'s', () => {
  const marks = [1, 2, 3, 4];
  apply([
    ...marks.map((m) => fwm(m, [10 * m + 1, 10 * m + 2])),
    fwm(6, [61, 62], {}, 6),
    vipSvc('203.0.113.20', 22, 'tcp', [99]),
  ], RULES);
  const g = lbGlobals.decode(h.maps.globals.lookup(u32Key(0))!);
  assert.ok(g.flags & GLOBAL_F.marks, 'the program is told mark rules exist');
  let n = 0;
  for (const proto of ['tcp', 'udp'] as const) {
    for (const last of [0, 5, 16, 20, 31, 32, 255]) {
      for (const port of [22, 53, 80, 443, 7999, 8000, 8050, 8100, 8101, 65535]) {
        const dst = `203.0.113.${last}`;
        const mark = markOf(RULES, 4, proto, ip(dst).bytes, port);
        const got = send(frame(`192.0.2.${1 + (n % 200)}`, dst, port, proto, 20000 + n++));
        if (mark) assert.ok(got === 10 * mark + 1 || got === 10 * mark + 2, `${proto} ${dst}:${port} is mark ${mark}: real ${got}`);
        else if (dst === '203.0.113.20' && port === 22 && proto === 'tcp') assert.equal(got, 99, 'the address:port service');
        else assert.equal(got, -1, `${proto} ${dst}:${port}: no mark, no service: passed`);
      }
    }
  }
  // More specific first is not what decides: rule order does (203.0.113.20:8050 is mark 2, not 3).
  assert.equal(markOf(RULES, 4, 'tcp', ip('203.0.113.20').bytes, 8050), 2);
  assert.ok([21, 22].includes(send(frame('192.0.2.77', '203.0.113.20', 8050))));
  assert.ok([31, 32].includes(send(frame('192.0.2.77', '203.0.113.20', 9000))));
  // IPv6.
  assert.ok([61, 62].includes(send(frame('2001:db8:c::5', '2001:db8::abcd', 80))));
  assert.equal(send(frame('2001:db8:c::5', '2001:db8:0:1::1', 80)), -1, 'outside the /64');
});

test('a fwmark service is found before the address:port service the packet also matches (as IPVS)', () => {
  apply([fwm(1, [11]), vipSvc('203.0.113.20', 80, 'tcp', [99])], RULES);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80)), 11);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80, 'tcp', 40001)), 11);
  // Without the fwmark service the mark leads nowhere: the address:port service takes it.
  apply([vipSvc('203.0.113.20', 80, 'tcp', [99])], RULES);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80, 'tcp', 40002)), 99);
});

test('persistence on a fwmark service spans its ports: one client lands on one real for http and https', () => {
  const s = apply([fwm(1, [11, 12, 13], { persistence: 300 })], RULES).services[0]!;
  const hits = h.reason('persist_hit');
  for (let c = 1; c <= 30; c++) {
    const client = `192.0.2.${c}`;
    const http = send(frame(client, '203.0.113.20', 80, 'tcp', 30000 + c));
    for (let k = 0; k < 3; k++) assert.equal(send(frame(client, '203.0.113.20', 443, 'tcp', 31000 + c * 3 + k)), http, `${client}: https follows http`);
  }
  const counters = h.serviceCounters(serviceId(s));
  assert.equal(counters.service.conns, 120n, 'every connection counted under the fwmark service');
  assert.equal(h.reason('persist_hit') - hits, 90n, 'every https connection placed by the persistence entry');
});

test('without mark rules the program does not look for marks; removing the rules removes them from the maps', () => {
  apply([fwm(1, [11])], RULES);
  assert.equal([...h.maps.mark_prefixes.keys()].length, 5);
  apply([fwm(1, [11])], []);
  assert.equal([...h.maps.mark_prefixes.keys()].length, 0);
  assert.equal(lbGlobals.decode(h.maps.globals.lookup(u32Key(0))!).flags & GLOBAL_F.marks, 0);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80)), -1);
});

test('a new rule set replaces the old one whole: each destination sees the old or the new rules', () => {
  apply([fwm(1, [11]), fwm(2, [21])], [{ mark: 1, destination: '203.0.113.20', protocol: 'tcp', ports: '80' }]);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80)), 11);
  apply([fwm(1, [11]), fwm(2, [21])], [{ mark: 2, destination: '203.0.113.20', protocol: 'tcp', ports: '80' }]);
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80, 'tcp', 40003)), 21);
  // An established flow stays with its real (flows first).
  assert.equal(send(frame('192.0.2.8', '203.0.113.20', 80, 'tcp', 40000, 'A')), 11);
});

test('one-packet scheduling: every UDP datagram is scheduled on its own and leaves no flow', () => {
  const s = apply([vipSvc('203.0.113.30', 53, 'udp', [1, 2, 3], { ops: true })]).services[0]!;
  const flowsBefore = h.reason('flow_new');
  const got = Array.from({ length: 6 }, () => send(frame('192.0.2.44', '203.0.113.30', 53, 'udp', 5353)));
  // rr: one client port, yet each datagram goes to the next real.
  assert.deepEqual(new Set(got).size, 3, `reals ${got}`);
  for (let i = 3; i < 6; i++) assert.equal(got[i], got[i - 3]);
  assert.equal([...h.maps.flows.keys()].length, 0, 'no flow entry');
  assert.equal(h.reason('flow_new') - flowsBefore, 0n);
  assert.equal(h.serviceCounters(serviceId(s)).service.conns, 6n, 'each datagram counts as a connection (as IPVS)');
  // NAT: no reverse entry either (IPVS expects no reply to a one-packet connection).
  apply([{ ...vipSvc('203.0.113.31', 53, 'udp', [1, 2], { ops: true, method: 'nat' }), reals: [1, 2].map((n) => ({ address: `198.51.100.${n}`, port: 5353, method: 'nat' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })) }]);
  assert.ok(send(frame('192.0.2.46', '203.0.113.31', 53, 'udp', 5353)) > 0);
  assert.equal([...h.maps.nat_rev.keys()].length, 0, 'no NAT reverse entry');
  // Without -o the same datagrams stay on one real.
  apply([vipSvc('203.0.113.30', 53, 'udp', [1, 2, 3])]);
  const sticky = Array.from({ length: 4 }, () => send(frame('192.0.2.45', '203.0.113.30', 53, 'udp', 5353)));
  assert.equal(new Set(sticky).size, 1);
});

test('one-packet scheduling on a fwmark service applies to its UDP packets only; TCP keeps its flows', () => {
  apply([fwm(4, [41, 42], { ops: true }), fwm(1, [11, 12], { ops: true })], RULES);
  const udp = Array.from({ length: 4 }, () => send(frame('192.0.2.50', '203.0.113.9', 53, 'udp', 6000)));
  assert.equal(new Set(udp).size, 2, 'each datagram scheduled');
  const tcp = [send(frame('192.0.2.50', '203.0.113.20', 80, 'tcp', 6001)), send(frame('192.0.2.50', '203.0.113.20', 80, 'tcp', 6001, 'A')), send(frame('192.0.2.50', '203.0.113.20', 80, 'tcp', 6001, 'A'))];
  assert.equal(new Set(tcp).size, 1, 'a TCP connection stays on its real');
  assert.equal([...h.maps.flows.keys()].length, 1, 'one flow: the TCP connection');
});
