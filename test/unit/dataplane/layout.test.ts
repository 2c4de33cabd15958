// The TypeScript codecs against the BTF of the check-only object compiled from the
// same headers as the programs (bpf/ipvx_contract.bpf.c): sizes, member offsets and
// widths, the enums and flags the control plane mirrors, and the limits validation
// reads. Nothing is loaded: no root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ALL_STRUCTS, REASONS, EVENTS, METHOD, SCHED_KIND, FLOW, SVC_F, REAL_F, GLOBAL_F, TUN_TYPE, TUN_F } from '../../../src/dataplane/codec.js';
import { readLimits, limitConstants } from '../../../src/dataplane/limits.js';
import { MAP_NAMES } from '../../../src/dataplane/writer.js';
import { LEAST_EXACT_MAX, LEAST_CHOICES } from '../../../src/core/sched/leastconn.js';
import { MARK_LIMITS } from '../../../src/core/marks.js';

interface BtfType { id: number; kind: string; name?: string; size?: number; type_id?: number;
  members?: { name: string; type_id: number; bits_offset: number }[];
  values?: { name: string; val: number }[]; nr_elems?: number; }

const CONTRACT = 'build/bpf/ipvx_contract.bpf.o';
const PROGRAM = 'build/bpf/ipvx_lb.bpf.o';
const btfOf = (path: string): BtfType[] => JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', path], { encoding: 'utf8' })).types;
const btf = btfOf(CONTRACT);
const byId = new Map(btf.map((t) => [t.id, t]));

function sizeOf(id: number): number {
  const t = byId.get(id)!;
  switch (t.kind) {
    case 'TYPEDEF': case 'VOLATILE': case 'CONST': return sizeOf(t.type_id!);
    case 'ARRAY': return sizeOf((t as unknown as { type_id: number }).type_id) * t.nr_elems!;
    default: return t.size!;
  }
}
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
// TS names that differ from the C ones beyond camelCase.
const RENAME: Record<string, string> = { tcpfin_timeout_ns: 'tcpfin_timeout_ns' };

for (const def of ALL_STRUCTS) {
  test(`struct ${def.cName} matches BTF`, () => {
    const t = btf.find((x) => x.kind === 'STRUCT' && x.name === def.cName);
    assert.ok(t, `struct ${def.cName} not in BTF`);
    assert.equal(def.size, t.size, `${def.cName} size`);
    const members = new Map(t.members!.map((m) => [m.name, m]));
    for (const f of def.fields) {
      const cname = RENAME[snake(f.name)] ?? snake(f.name);
      const m = members.get(cname);
      assert.ok(m, `${def.cName}.${cname} missing in C`);
      assert.equal(f.offset * 8, m.bits_offset, `${def.cName}.${cname} offset`);
      const width = { u8: 1, u16: 2, u32: 4, u64: 8, be16: 2, be32: 4, addr: 16, mac: 6 }[f.type];
      assert.equal(width, sizeOf(m.type_id), `${def.cName}.${cname} width`);
    }
    for (const name of members.keys()) {
      if (name.startsWith('pad')) continue;
      assert.ok(def.fields.some((f) => (RENAME[snake(f.name)] ?? snake(f.name)) === name), `${def.cName}.${name} not decoded in TS`);
    }
  });
}

function enumValues(name: string): Map<string, number> {
  const t = btf.find((x) => x.kind === 'ENUM' && x.name === name);
  assert.ok(t, `enum ${name} not in BTF`);
  return new Map(t.values!.map((v) => [v.name, v.val]));
}

test('enum ipvx_reason matches REASONS', () => {
  const vals = enumValues('ipvx_reason');
  for (const [cname, v] of vals) {
    if (cname === 'R_MAX') { assert.equal(v, REASONS.length); continue; }
    const ts = cname.replace(/^R_/, '').toLowerCase();
    assert.equal(REASONS.indexOf(ts as (typeof REASONS)[number]), v, `reason ${cname}`);
  }
});

test('enum ipvx_event matches EVENTS', () => {
  const vals = enumValues('ipvx_event');
  assert.equal(vals.get('E_MAX'), EVENTS.length);
  for (const [cname, v] of vals) {
    if (cname === 'E_MAX') continue;
    assert.equal(EVENTS.indexOf(cname.replace(/^E_/, '').toLowerCase() as (typeof EVENTS)[number]), v, `event ${cname}`);
  }
});

test('method, scheduler kind and flow state enums match', () => {
  const m = enumValues('ipvx_method');
  assert.deepEqual([m.get('METHOD_DR'), m.get('METHOD_TUN'), m.get('METHOD_NAT')], [METHOD.dr, METHOD.tun, METHOD.nat]);
  const t = enumValues('ipvx_tun_type');
  assert.deepEqual([t.get('TUN_IPIP'), t.get('TUN_GUE'), t.get('TUN_GRE')], [TUN_TYPE.ipip, TUN_TYPE.gue, TUN_TYPE.gre]);
  const s = enumValues('ipvx_sched_kind');
  for (const [k, v] of Object.entries(SCHED_KIND)) assert.equal(s.get(`SCHED_${k.toUpperCase()}`), v, k);
  const f = enumValues('ipvx_flow_state');
  assert.deepEqual([f.get('FLOW_NONE'), f.get('FLOW_SYN'), f.get('FLOW_EST'), f.get('FLOW_FIN'), f.get('FLOW_UDP')],
    [FLOW.none, FLOW.syn, FLOW.est, FLOW.fin, FLOW.udp]);
});

/** Each flag of a TS mirror is the C enum constant PREFIX + its name in upper snake case, and C has no other. */
function checkFlags(cEnum: string, prefix: string, ts: Record<string, number>): void {
  const vals = enumValues(cEnum);
  const want = new Map(Object.entries(ts).map(([k, v]) => [prefix + snake(k).toUpperCase(), v]));
  assert.deepEqual(new Map([...vals].sort()), new Map([...want].sort()), cEnum);
}

test('service, real, global and tunnel flags match SVC_F, REAL_F, GLOBAL_F and TUN_F', () => {
  checkFlags('ipvx_svc_flag', 'SVC_F_', SVC_F);
  checkFlags('ipvx_real_flag', 'REAL_F_', REAL_F);
  checkFlags('ipvx_global_flag', 'GLOBAL_F_', GLOBAL_F);
  checkFlags('ipvx_tun_flag', 'TUN_F_', TUN_F);
});

test('the least-connection sampling and the mark-rule limits the control plane mirrors are the program\'s', () => {
  const c = limitConstants(CONTRACT);
  assert.deepEqual([c.get('IPVX_LEAST_EXACT'), c.get('IPVX_LEAST_CHOICES')], [LEAST_EXACT_MAX, LEAST_CHOICES]);
  assert.equal(c.get('IPVX_MARK_SCAN'), MARK_LIMITS.rangesPerPrefix);
  assert.equal(c.get('IPVX_MARK_PREFIXES'), MARK_LIMITS.prefixes);
  assert.equal(c.get('IPVX_MARK_RANGES'), 2 * MARK_LIMITS.ranges, 'two halves of the validated total');
  const sizes = mapSizes(btfOf(PROGRAM));
  assert.equal(sizes.get('mark_prefixes'), MARK_LIMITS.prefixes);
  assert.equal(sizes.get('mark_ranges'), 2 * MARK_LIMITS.ranges);
});

/** Each map of an object: name -> its max_entries, from the BTF of its definition in .maps. */
function mapSizes(types: BtfType[]): Map<string, number> {
  const ids = new Map(types.map((t) => [t.id, t]));
  const sec = types.find((t) => t.kind === 'DATASEC' && t.name === '.maps') as unknown as { vars: { type_id: number }[] };
  const out = new Map<string, number>();
  for (const v of sec.vars) {
    const variable = ids.get(v.type_id)!;
    const def = ids.get(variable.type_id!)!;
    const m = def.members!.find((x) => x.name === 'max_entries')!;
    const arr = ids.get(ids.get(m.type_id)!.type_id!)!; // int (*max_entries)[N]
    out.set(variable.name!, arr.nr_elems!);
  }
  return out;
}

test('the limits validation reads are the sizes of the maps in the program', () => {
  const limits = readLimits(CONTRACT);
  assert.deepEqual(limits, { services: 16384, realsPerService: 4096, reals: 131072 });
  const sizes = mapSizes(btfOf(PROGRAM));
  assert.equal(sizes.get('services'), limits.services);
  assert.equal(sizes.get('reals'), limits.reals);
  const c = limitConstants(CONTRACT);
  for (const [map, limit] of [['flows', 'IPVX_MAX_FLOWS'], ['sched_slots', 'IPVX_SCHED_SLOTS'], ['persist', 'IPVX_MAX_PERSIST'], ['vips', 'IPVX_MAX_VIPS'], ['tx_ports', 'IPVX_MAX_IFACES'], ['if_macs_direct', 'IPVX_IFINDEX_DIRECT']] as const) {
    assert.equal(sizes.get(map), c.get(limit), `${map} holds ${limit}`);
  }
});

test('the program has exactly the maps the control plane writes and reads (no map only for BTF)', () => {
  assert.deepEqual([...mapSizes(btfOf(PROGRAM)).keys()].sort(), [...MAP_NAMES].sort());
});
