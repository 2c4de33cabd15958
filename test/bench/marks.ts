// What firewall-mark rules cost per packet: one director object whose configuration
// alternates, round by round, between no mark rule and 100 rules (a /24 per rule, tcp
// ports 80,443, mark -> 10 fwmark services), on the paths a packet takes: established to
// a VIP (the address filter knows it: the rules are never consulted), established to a
// fwmark service (a /32 rule's address is in the filter too; a /24's costs one prefix
// lookup, then the flow), a new flow to an address:port
// service, a new flow to a fwmark service, packets for no service outside and inside a
// rule's prefix (the prefix lookup, then the kernel). The same program and maps for both, so only the rules differ. Method as
// paths.ts (restore harness, harness cost measured in the same round and subtracted).
//
//   node build/js/test/bench/marks.js [--rounds N] [--repeat N]
import { BpfObject } from '../../src/bpf/index.js';
import { DEFAULT_TIMEOUTS, DesiredState, MarkRule, ServiceSpec } from '../../src/core/model.js';
import { validateState } from '../../src/core/validate.js';
import type { NextHop } from '../../src/dataplane/neighbors.js';
import { LbHarness, XDP, XDP_NAME } from '../lib/lb-harness.js';
import { writeIfMac } from '../../src/dataplane/ifmacs.js';
import { buildFrame, macBytes } from '../lib/packet.js';
import { summarize, fmt, table, machineLine } from './lib/stats.js';
import { benchArgs } from './lib/args.js';
import { CLIENT_MAC, DIR_MAC, REAL_MAC, RestoreHarness, Samples, harnessCost } from './lib/restore.js';

const args = benchArgs({ repeat: { type: 'string' } });
const ROUNDS = args.num('rounds', 7, 3);
const REPEAT = args.num('repeat', 500_000, 100_000);

const real = (n: number) => ({ address: `198.51.100.${n}`, port: 0, method: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
function desired(rules: number): DesiredState {
  const services: ServiceSpec[] = [
    { vip: '203.0.113.10', port: 80, protocol: 'tcp', scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [{ ...real(1), port: 80 }] },
    ...Array.from({ length: 10 }, (_, m): ServiceSpec => ({
      fwmark: m + 1, vip: '0.0.0.0', port: 0, protocol: 'tcp', scheduler: 'mh', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [real(1)],
    })),
  ];
  // Rule 0: one address (203.0.113.20/32, which the VIP filter then knows); rule i > 0:
  // 10.i.0.0/24 (found by the program's prefix probe). None is the address:port service's VIP.
  const marks: MarkRule[] = Array.from({ length: rules }, (_, i) => ({
    mark: (i % 10) + 1, destination: i === 0 ? '203.0.113.20/32' : `10.${i}.0.0/24`, protocol: 'tcp', ports: '80,443',
  }));
  const v = validateState({ services, marks, timeouts: { ...DEFAULT_TIMEOUTS } });
  if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
  return v.value;
}

const nextHop = (): NextHop => ({ ifindex: 1, ifname: 'lo', smac: macBytes(DIR_MAC), dmac: macBytes(REAL_MAC), mtu: 1500 });
const frame = (dst: string, dport: number, flags: string) => buildFrame({
  ethSrc: CLIENT_MAC, ethDst: DIR_MAC, src: '192.0.2.100', dst, df: true, proto: 'tcp',
  tcp: { sport: 40000, dport, flags, seq: 1, ack: flags === 'S' ? 0 : 1 }, payload: new Uint8Array(flags === 'S' ? 0 : 18),
});

const CASES = [
  { name: 'established TCP (DR)', frame: frame('203.0.113.10', 80, 'A'), vary: false, action: XDP.TX },
  { name: 'established TCP, fwmark service (/32 rule)', frame: frame('203.0.113.20', 443, 'A'), vary: false, action: XDP.TX, rulesOnly: true },
  { name: 'established TCP, fwmark service (/24 rule)', frame: frame('10.5.0.7', 443, 'A'), vary: false, action: XDP.TX, rulesOnly: true },
  { name: 'new flow, address:port service', frame: frame('203.0.113.10', 80, 'S'), vary: true, action: XDP.TX },
  { name: 'new flow, fwmark service', frame: frame('10.5.0.7', 443, 'S'), vary: true, action: XDP.TX, rulesOnly: true },
  { name: 'not for a service (passed)', frame: frame('198.51.100.254', 22, 'A'), vary: false, action: XDP.PASS },
  { name: 'not for a service, in a rule\'s prefix (passed)', frame: frame('10.5.0.7', 22, 'A'), vary: false, action: XDP.PASS },
];

function main(): void {
  console.log(`## marks: per-packet cost of firewall-mark rules\n${machineLine()}`);
  console.log(`repeat ${REPEAT.toLocaleString('en')}, ${ROUNDS} rounds\n`);
  const h = LbHarness.open();
  writeIfMac(h.maps, 1, macBytes(DIR_MAC));
  const states = new Map([0, 100].map((n) => [n, desired(n)]));
  h.apply(states.get(0)!, nextHop);
  h.run(frame('203.0.113.10', 80, 'S')); // the established cases' flows (they stay through every apply)
  h.apply(states.get(100)!, nextHop);
  h.run(frame('10.5.0.7', 443, 'S'));
  h.run(frame('203.0.113.20', 443, 'S'));
  const base = BpfObject.open('build/bpf/bench_base.bpf.o');
  base.load();
  const wrap = new RestoreHarness();
  const res = new Samples();
  for (let r = 0; r < ROUNDS; r++) {
    const harness = harnessCost(wrap, base.program('xdp_macswap'), CASES[0]!.frame, 4, REPEAT);
    for (const rules of r % 2 ? [100, 0] : [0, 100]) {
      h.apply(states.get(rules)!, nextHop);
      for (const c of CASES) {
        if (c.rulesOnly && rules === 0) continue;
        const w = wrap.run(h.obj.program('balancer_ingress'), c.frame, c.vary, 4, REPEAT);
        if (w.action !== c.action) throw new Error(`${c.name} with ${rules} rules: ${XDP_NAME[w.action]}`);
        res.push(`${c.name}|${rules}`, w.ns - harness[c.vary ? 'vary' : 'same']);
      }
    }
  }
  const rows: string[][] = [];
  for (const c of CASES) {
    const med = (rules: number) => { const x = res.get(`${c.name}|${rules}`); return x ? summarize(x) : undefined; };
    const a = med(0), b = med(100)!;
    rows.push([c.name, a ? fmt(a.median) : '-', fmt(b.median), a ? fmt(b.median - a.median) : '-', `${fmt(b.min)}-${fmt(b.max)}`]);
  }
  console.log(table(['case', 'no rules: median ns', '100 rules: median ns', 'difference', '100 rules: min-max'], rows));
  h.close();
  base.close();
  wrap.close();
}

main();
