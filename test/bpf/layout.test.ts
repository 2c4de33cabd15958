// The TypeScript codecs against the BTF of the compiled object: sizes, member
// offsets and widths, and the enums the control plane mirrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ALL_STRUCTS, REASONS, METHOD, SCHED_KIND, FLOW, TUN_TYPE } from '../../src/dataplane/codec.js';

interface BtfType { id: number; kind: string; name?: string; size?: number; type_id?: number;
  members?: { name: string; type_id: number; bits_offset: number }[];
  values?: { name: string; val: number }[]; nr_elems?: number; }

const btf: BtfType[] = JSON.parse(
  execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', 'build/bpf/ipvx_lb.bpf.o'], { encoding: 'utf8' }),
).types;
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
