// 50 writers at once through real clients: the daemon serialises them. Every state the
// data plane saw must be the previous one plus exactly one successful write (so the
// final state is that of a serial order), and rejected writes appear nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { harness } from './harness.js';
import { IpvxClient } from '../../../src/api/client.js';
import * as edit from '../../../src/core/edit.js';
import { validateState } from '../../../src/core/validate.js';
import { stateFromPlain, serviceFromPlain, realFromPlain } from '../../../src/config/schema.js';
import type { DesiredState } from '../../../src/core/model.js';
import type { Result } from '../../../src/core/result.js';

const A = { vip: '203.0.113.10', port: 80, protocol: 'tcp' as const };

interface Op { name: string; send: (c: IpvxClient) => Promise<unknown>; local: (s: DesiredState) => Result<DesiredState> }

function ops(): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < 50; i++) {
    switch (i % 5) {
      case 0: { // replace everything; half of them without service A
        const services = [
          ...(i % 10 === 0 ? [{ ...A, scheduler: 'wrr', reals: [{ address: '192.0.2.1', weight: i }] }] : []),
          { vip: '203.0.113.20', port: 1000 + i, protocol: 'udp', scheduler: 'rr' },
        ];
        const plain = stateFromPlain({ services });
        assert.ok(plain.ok);
        out.push({ name: `apply#${i}`, send: (c) => c.applyConfig({ services }), local: () => ({ ok: true, value: plain.value }) });
        break;
      }
      case 1: { // add a real to A: fails while A does not exist
        const real = { address: `192.0.2.${100 + i}`, weight: 2 };
        out.push({ name: `addReal#${i}`, send: (c) => c.addReal(A, real), local: (s) => edit.addReal(s, A, realFromPlain(real)) });
        break;
      }
      case 2: { // add a service of its own
        const svc = { vip: '203.0.113.30', port: 2000 + i, protocol: 'tcp', scheduler: 'lc' };
        out.push({ name: `addService#${i}`, send: (c) => c.addService(svc), local: (s) => edit.addService(s, serviceFromPlain(svc)) });
        break;
      }
      case 3: { // always invalid
        const real = { address: `192.0.2.${100 + i}`, weight: 70000 };
        out.push({ name: `bad#${i}`, send: (c) => c.addReal(A, real), local: (s) => edit.addReal(s, A, realFromPlain(real)) });
        break;
      }
      case 4: { // delete the service added by writer i-2, if it is (still) there
        const key = { vip: '203.0.113.30', port: 2000 + i - 2, protocol: 'tcp' as const };
        out.push({ name: `deleteService#${i}`, send: (c) => c.deleteService(key), local: (s) => edit.deleteService(s, key) });
        break;
      }
    }
  }
  return out;
}

/** What a successful op turns `s` into, or undefined if it would be rejected there. */
function step(op: Op, s: DesiredState): DesiredState | undefined {
  const e = op.local(s);
  if (!e.ok) return undefined;
  const v = validateState(e.value);
  return v.ok ? v.value : undefined;
}

test('50 concurrent writers: every applied state is one serial step; rejected writes changed nothing', async () => {
  const initial = validateState({ services: [{ ...A, scheduler: 'wrr', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [] }], timeouts: { tcp: 900, tcpFin: 120, udp: 300 } });
  assert.ok(initial.ok);
  const h = await harness({ initial: initial.value });
  const clients = Array.from({ length: 50 }, () => new IpvxClient(`unix:${h.socket}`, { timeoutMs: 60_000 }));
  try {
    const all = ops();
    const results = await Promise.allSettled(all.map((op, i) => all[i]!.send(clients[i]!)));
    const okOps = all.filter((_, i) => results[i]!.status === 'fulfilled');
    const failed = all.filter((_, i) => results[i]!.status === 'rejected');
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        const code = (r.reason as { code: number }).code;
        assert.ok([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND].includes(code), `${all[i]!.name}: ${String(r.reason)}`);
      }
    }
    assert.equal(failed.filter((o) => o.name.startsWith('bad')).length, 10, 'every invalid write was rejected');

    // history[0] is the initial state; each later entry must be one successful op applied to the previous.
    const history = h.dp.history;
    if (process.env.IPVX_DEBUG) console.log(`ok ${okOps.length}, failed ${failed.length}, applied states ${history.length}`);
    const unused = new Set(okOps);
    for (let k = 1; k < history.length; k++) {
      const prev = history[k - 1]!, next = history[k]!;
      const op = [...unused].find((o) => { const n = step(o, prev); return n !== undefined && JSON.stringify(n) === JSON.stringify(next); });
      assert.ok(op, `applied state #${k} is not the previous state plus one successful write`);
      unused.delete(op);
      // A write that was rejected must not be what happened here.
      for (const f of failed) {
        const n = step(f, prev);
        if (n && JSON.stringify(n) === JSON.stringify(next) && !f.name.startsWith('apply')) assert.notEqual(f.name, op.name);
      }
    }
    // Every success that changed something is in the history exactly once; the rest were no-ops.
    for (const o of unused) {
      const idx = history.findIndex((s) => { const n = step(o, s); return n !== undefined && JSON.stringify(n) === JSON.stringify(s); });
      assert.ok(idx >= 0, `${o.name} succeeded but neither changed nor matched any state`);
    }
    assert.deepEqual(h.dp.applied, history.at(-1));
    const cfg = await h.client.getConfig();
    assert.deepEqual(cfg.services.map((s) => `${s.protocol}|${s.vip}|${s.port}:${s.reals.map((r) => r.address).join(',')}`),
      history.at(-1)!.services.map((s) => `${s.protocol}|${s.vip}|${s.port}:${s.reals.map((r) => r.address).join(',')}`));
    assert.deepEqual(h.saved.at(-1), history.at(-1), 'what is on disk is what is applied');
  } finally {
    for (const c of clients) c.close();
    await h.close();
  }
});
