// ipvx -R applies its lines to the daemon's configuration: 16,384 lines took 80 s, as
// every line copied and scanned every service (and every real of its service). The work
// is counted here, not timed: reads of the services and reals the daemon returned, with
// 1,000 and with 16,000 services and twice as many lines. Linear work grows 16 times;
// the old loop grew 256 times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRestore } from '../../../src/cli/restore-rules.js';
import { parseRestoreInput } from '../../../src/ipvsadm/index.js';
import { StateEditor, addService, editService, deleteService, addReal, editReal, deleteReal, clear, setTimeouts } from '../../../src/core/edit.js';
import { emptyState, type DesiredState, type ServiceSpec, type RealSpec } from '../../../src/core/model.js';
import type { FieldError, Result } from '../../../src/core/result.js';
import { rng } from '../../lib/random-state.js';

const vip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const service = (i: number): ServiceSpec => ({
  vip: vip(i), port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr',
  reals: [{ address: '192.0.2.1', port: 80, method: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
});

/** `n` services as GetConfig gave them, every property read of a service or real counted. */
function countedState(n: number): { state: DesiredState; reads: () => number } {
  let reads = 0;
  const count = <T extends object>(o: T): T => new Proxy(o, { get(t, k, r) { reads++; return Reflect.get(t, k, r) as unknown; } });
  const services = Array.from({ length: n }, (_, i) => { const s = service(i); return count({ ...s, reals: s.reals.map(count) }); });
  return { state: { ...emptyState(), services }, reads: () => reads };
}

/**
 * For each service (last first: a scan from the start passes every untouched one) a real
 * added and one edited, then as many new services each with a real.
 */
function lines(n: number): string {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    out.push(`-a -t ${vip(i)}:80 -r 192.0.2.2 -g -w 2`, `-e -t ${vip(i)}:80 -r 192.0.2.1 -g -w 3`);
  }
  for (let i = n; i < 2 * n; i++) out.push(`-A -t ${vip(i)}:80 -s rr`, `-a -t ${vip(i)}:80 -r 192.0.2.9 -g`);
  return out.join('\n');
}

function workOf(n: number): number {
  const cmds = parseRestoreInput(lines(n));
  assert.ok(cmds.ok);
  const { state, reads } = countedState(n);
  const r = applyRestore(state, cmds.value);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.value.services.length, 2 * n);
  assert.deepEqual(r.value.services[n - 1]!.reals.map((x) => `${x.address} ${x.weight}`), ['192.0.2.1 3', '192.0.2.2 2']);
  return reads();
}

test('-R is linear in the number of lines: reads of the configuration with 1,000 vs 16,000 services and 4 lines per service', () => {
  const small = workOf(1000), large = workOf(16_000);
  const ratio = large / small;
  console.log(`work ratio ${ratio.toFixed(2)} (${small} -> ${large} reads)`);
  assert.ok(ratio < 24, `16 times the lines did ${ratio.toFixed(1)} times the work (${small} -> ${large} reads); linear is 16`);
});

// ---- the editor behind it gives what one edit at a time gives ----

type Op = (s: DesiredState) => Result<DesiredState>;
type EditorOp = (e: StateEditor) => FieldError | undefined;

test('StateEditor: 3,000 random edits in a row (indexes, holes) end as the same edits one at a time, with the same refusals', () => {
  const next = rng(21);
  const key = () => ({ vip: `203.0.113.${1 + next(12)}`, port: 80 + next(2), protocol: 'tcp' as const });
  const real = (): RealSpec => ({ address: `192.0.2.${1 + next(20)}`, port: next(3) ? 0 : 8080, method: 'dr', weight: next(5), upperThreshold: 0, lowerThreshold: 0 });
  const svc = (): ServiceSpec => ({ ...key(), scheduler: next(2) ? 'rr' : 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: next(3) ? [] : [real()] });
  const ops: [Op, EditorOp][] = [];
  for (let i = 0; i < 3000; i++) {
    const k = key(), r = real(), s = svc(), t = { tcp: next(3) * 100, tcpFin: 0, udp: 0 };
    switch (next(20)) {
      case 0: ops.push([(x) => addService(x, s), (e) => e.addService(s)]); break;
      case 1: case 2: ops.push([(x) => editService(x, s), (e) => e.editService(s)]); break;
      case 3: ops.push([(x) => deleteService(x, k), (e) => e.deleteService(k)]); break;
      case 4: ops.push([(x) => setTimeouts(x, t), (e) => e.setTimeouts(t)]); break;
      case 5: if (next(10) === 0) ops.push([(x) => clear(x), (e) => e.clear()]); break;
      case 6: case 7: case 8: ops.push([(x) => deleteReal(x, k, r), (e) => e.deleteReal(k, r)]); break;
      case 9: case 10: case 11: ops.push([(x) => editReal(x, k, r), (e) => e.editReal(k, r)]); break;
      default: ops.push([(x) => addService(x, s), (e) => e.addService(s)], [(x) => addReal(x, k, r), (e) => e.addReal(k, r)]);
    }
  }
  let one = emptyState();
  const editor = new StateEditor(emptyState());
  const refusedOne: string[] = [], refusedBatch: string[] = [];
  ops.forEach(([single, batch], i) => {
    const r = single(one);
    if (r.ok) one = r.value;
    else refusedOne.push(`${i} ${r.errors[0]!.field}: ${r.errors[0]!.message}`);
    const e = batch(editor);
    if (e) refusedBatch.push(`${i} ${e.field}: ${e.message}`);
  });
  assert.deepEqual(refusedBatch, refusedOne);
  assert.ok(refusedOne.length > 100 && refusedOne.length < ops.length - 100, `${refusedOne.length} of ${ops.length} refused: both kinds exercised`);
  assert.deepEqual(editor.result(), one);
});
