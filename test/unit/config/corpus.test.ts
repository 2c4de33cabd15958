// The corpus: configuration files written by others (keepalived's own samples and case
// studies, piranha's sample.cf and lvs.cf files from public repositories, ipvsadm's man
// page listings), test/fixtures/corpus with its README naming each file's source. For
// each, the outcome is asserted: services, reals, methods, schedulers, checks, HA, and
// every line that cannot map with its exact message, or the exact errors of a file ipvx
// refuses. expected.json holds those outcomes; each was checked against the originals'
// code (keepalived 2.2.7 check_parser.c/check_http.c/check_udp.c/lib/parser.c, piranha's
// lvsconfig.c/nanny.c/pulse.c, ipvsadm.c) when written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { importAny } from '../../../src/config/import/index.js';
import { parseServices } from '../../../src/common/services.js';
import type { MarkRule, ServiceSpec } from '../../../src/core/model.js';
import { validateState } from '../../../src/core/validate.js';

const ROOT = new URL('../../../../../test/fixtures/corpus/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, ROOT), 'utf8');
const services = parseServices(read('services'));

interface Expected {
  pending?: string;
  errors?: [number, string][];
  format?: string;
  services?: { service: string; reals: string[]; health?: string }[];
  ha?: string;
  unmapped?: [number, string][];
  summary?: Record<string, number>;
  marks?: string[];
}
const EXPECTED = JSON.parse(read('expected.json')) as Record<string, Expected>;

const host = (a: string) => (a.includes(':') ? `[${a}]` : a);
function describe(s: ServiceSpec) {
  const h = (x: NonNullable<ServiceSpec['health']>) =>
    `${x.check.type}${'path' in x.check && x.check.path ? ` ${x.check.path}` : ''} every ${x.interval}s timeout ${x.timeout}s rise ${x.rise} fall ${x.fall}`;
  return {
    service: `${s.fwmark ? `fwmark ${s.fwmark}${s.vip.includes(':') ? ' ipv6' : ''}` : `${s.protocol} ${host(s.vip)}:${s.port}`} ${s.scheduler}${s.ops ? ' ops' : ''}${s.persistence ? ` persistent ${s.persistence}${s.persistenceMask ? ` mask ${s.persistenceMask}` : ''}` : ''}${s.sorryServer ? ` sorry ${s.sorryServer.address}:${s.sorryServer.port}` : ''}`,
    reals: s.reals.map((r) => `${host(r.address)}:${r.port} ${r.method}${r.tunType && r.tunType !== 'ipip' ? ` ${r.tunType}${r.tunPort ? `:${r.tunPort}` : ''}${r.tunChecksum ? ` ${r.tunChecksum}` : ''}` : ''} w${r.weight}${r.health ? ` ${h(r.health)}${r.health.delayBeforeRetry !== undefined ? ` retry-after ${r.health.delayBeforeRetry}s` : ''} ${r.health.onFailure}` : ''}`),
    ...(s.health ? { health: `${h(s.health)} ${s.health.onFailure}` } : {}),
  };
}

const describeMark = (m: MarkRule) => `mark ${m.mark} ${m.protocol} ${m.destination} ports ${m.ports || 'any'}`;

const files = ['ipvsadm', 'keepalived', 'lvs.cf'].flatMap((d) => readdirSync(new URL(`${d}/`, ROOT)).sort().map((f) => `${d}/${f}`));

test('the corpus has at least 40 files, each with an expected outcome and a source in the README', () => {
  assert.ok(files.length >= 40, `${files.length} files`);
  const readme = read('README.md');
  for (const f of files) {
    assert.ok(EXPECTED[f], `no expected outcome for ${f}`);
    assert.ok(readme.includes(`\`${f}\``), `README does not name ${f}`);
  }
});

for (const f of files) {
  const want = EXPECTED[f] ?? {};
  test(`corpus ${f}`, (t) => {
    if (want.pending) { t.todo(`waiting on ${want.pending}`); return; }
    const r = importAny(read(f), { services, localAddresses: [] });
    if (want.errors) {
      assert.ok(!r.ok, 'expected the file to be refused');
      assert.deepEqual(r.errors.map((e) => [Number(/line (\d+)/.exec(e.field)?.[1] ?? 0), e.message]), want.errors);
      return;
    }
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
    const v = r.value;
    assert.equal(v.format, want.format);
    assert.deepEqual(v.state.services.map(describe), want.services);
    const ha = v.state.ha;
    assert.equal(ha ? `priority ${ha.priority} keepalive ${ha.keepalive} deadtime ${ha.deadtime} preempt ${ha.preempt} key ${ha.key ? 'set' : 'unset'} local ${ha.localAddress || '-'} peer ${ha.peerAddress || '-'} vips ${ha.vips.map((x) => `${x.address}/${x.prefixLength}${x.interface ? ` ${x.interface}` : ''}`).join(', ')}` : undefined, want.ha);
    assert.deepEqual(v.unmapped.map((u) => [u.line, u.reason]), want.unmapped ?? []);
    assert.deepEqual(v.summary, want.summary);
    assert.deepEqual((v.state.marks ?? []).map(describeMark), want.marks ?? []);
    // What apply would refuse is only what the file cannot say: the HA peer of a multicast
    // VRRP setup, the key piranha never had (ipvx import names them; --ha-key-file gives the key).
    const valid = validateState(v.state);
    if (!valid.ok) assert.deepEqual(valid.errors.filter((e) => !/^ha\.(localAddress|peerAddress|key)$/.test(e.field)), []);
  });
}
