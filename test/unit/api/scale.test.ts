// ApplyConfig of 1,000 services x 10 reals through a real client, and exact dry-run diffs at that size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.js';
import type { Service } from '../../../src/api/gen/ipvx/v1/Service.js';

function services(weight = (_s: number, _r: number) => 1): Service[] {
  return Array.from({ length: 1000 }, (_, s) => ({
    vip: `203.0.113.${1 + (s % 250)}`, port: 1000 + s, protocol: 'tcp', scheduler: 'wrr',
    reals: Array.from({ length: 10 }, (_, r) => ({ address: `192.0.2.${1 + r}`, weight: weight(s, r) })),
  }));
}

test('ApplyConfig: 1,000 services x 10 reals; dry runs list exactly what changes', async () => {
  const h = await harness();
  try {
    const big = services();
    const dry = await h.client.applyConfig({ services: big }, true);
    assert.equal(dry.applied, false);
    assert.equal(dry.changes.length, 1000 + 10_000);
    assert.equal(dry.changes.filter((c) => c.op === '+' && c.kind === 'service').length, 1000);
    assert.equal(dry.changes.filter((c) => c.op === '+' && c.kind === 'real').length, 10_000);
    assert.equal(`${dry.changes[0]!.op} ${dry.changes[0]!.kind} ${dry.changes[0]!.detail}`, '+ service tcp 203.0.113.1:1000 wrr');
    assert.equal(`${dry.changes[1]!.op} ${dry.changes[1]!.kind} ${dry.changes[1]!.detail}`, '+ real tcp 203.0.113.1:1000 -> 192.0.2.1:1000 dr weight 1');
    assert.equal(h.dp.applied!.services.length, 0, 'dry run changed nothing');

    const applied = await h.client.applyConfig({ services: big });
    assert.equal(applied.applied, true);
    assert.equal(applied.changes.length, 11_000);
    assert.equal(h.dp.applied!.services.length, 1000);
    assert.equal(h.dp.applied!.services.reduce((n, s) => n + s.reals.length, 0), 10_000);
    const cfg = await h.client.getConfig();
    assert.equal(cfg.services.length, 1000);
    assert.equal(cfg.services[999]!.reals[9]!.address, '192.0.2.10');

    // Change three weights, drop one service, add one real: exactly those five lines.
    const next = services((s, r) => (s === 10 && r === 3 ? 5 : s === 500 && r < 2 ? 0 : 1)).filter((_, s) => s !== 700);
    next[0]!.reals!.push({ address: '192.0.2.99', weight: 1 });
    const d = await h.client.applyConfig({ services: next }, true);
    assert.deepEqual(d.changes.map((c) => `${c.op} ${c.kind} ${c.detail}`), [
      '- service tcp 203.0.113.201:1700',
      '+ real tcp 203.0.113.1:1000 -> 192.0.2.99:1000 dr weight 1',
      '~ real tcp 203.0.113.11:1010 -> 192.0.2.4:1010 weight 1 -> 5',
      '~ real tcp 203.0.113.1:1500 -> 192.0.2.1:1500 weight 1 -> 0',
      '~ real tcp 203.0.113.1:1500 -> 192.0.2.2:1500 weight 1 -> 0',
    ]);
    assert.equal((await h.client.getConfig()).services.length, 1000, 'dry run changed nothing');
  } finally { await h.close(); }
});
