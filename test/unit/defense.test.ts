// The flood defence settings through the control plane: validation (errors name the
// field), the --defense edit, the diff, the config file, and the CLI's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateState } from '../../src/core/validate.js';
import { setDefense } from '../../src/core/edit.js';
import { diffStates } from '../../src/core/diff.js';
import { parseConfig, formatConfig } from '../../src/config/schema.js';
import { DEFAULT_DEFENSE, DEFAULT_TIMEOUTS, DesiredState } from '../../src/core/model.js';
import { parseDefenseArgs, defenseLines, countersLines } from '../../src/cli/dataplane-text.js';
import { REASONS, EVENTS, reasonVerdict } from '../../src/dataplane/codec.js';

const base = (): DesiredState => ({ services: [], timeouts: { ...DEFAULT_TIMEOUTS } });

test('validation refuses defence settings out of range, naming the field', () => {
  const bad = validateState({ ...base(), defense: { ...DEFAULT_DEFENSE, dropEntry: 4 as never, secureTcp: -1 as never, synTimeout: 0, newFlowRate: 1.5 } });
  assert.equal(bad.ok, false);
  const fields = bad.ok ? [] : bad.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['defense.dropEntry', 'defense.newFlowRate', 'defense.secureTcp', 'defense.synTimeout']);
  const good = validateState({ ...base(), defense: { newFlowRate: 0, dropEntry: 3, secureTcp: 2, synTimeout: 5 } });
  assert.ok(good.ok);
});

test('--defense changes the settings given and keeps the rest; the diff says what changed', () => {
  const a = base();
  const r = setDefense(a, { dropEntry: 0 });
  assert.ok(r.ok);
  assert.deepEqual(r.value.defense, { ...DEFAULT_DEFENSE, dropEntry: 0 });
  const r2 = setDefense(r.value, { newFlowRate: 5000 });
  assert.ok(r2.ok);
  assert.deepEqual(r2.value.defense, { ...DEFAULT_DEFENSE, dropEntry: 0, newFlowRate: 5000 });
  const changes = diffStates(a, r2.value);
  assert.deepEqual(changes.map((c) => [c.kind, c.fields.map((f) => `${f.field} ${f.from} -> ${f.to}`)]),
    [['defense', [`newFlowRate ${DEFAULT_DEFENSE.newFlowRate} -> 5000`, 'dropEntry 1 -> 0']]]);
});

test('the config file keeps the defence, and a file without it gets the defaults', () => {
  const s = { ...base(), defense: { newFlowRate: 1000, dropEntry: 3 as const, secureTcp: 1 as const, synTimeout: 7 } };
  const back = parseConfig(formatConfig(s), (x) => validateState(x));
  assert.ok(back.ok);
  assert.deepEqual(back.value.state.defense, s.defense);
  const partial = parseConfig('defense:\n  dropEntry: 0\n', (x) => validateState(x));
  assert.ok(partial.ok);
  assert.deepEqual(partial.value.state.defense, { ...DEFAULT_DEFENSE, dropEntry: 0 });
  const wrong = parseConfig('defense:\n  dropEntry: 7\n', (x) => validateState(x));
  assert.equal(wrong.ok, false);
  assert.match(wrong.ok ? '' : `${wrong.errors[0]!.field} ${wrong.errors[0]!.message}`, /defense\.dropEntry.*7 is not a defence mode/);
});

test('ipvx --defense parses IPVS sysctl names and refuses anything else', () => {
  assert.deepEqual(parseDefenseArgs(['drop_entry=3', 'secure_tcp=1', 'new_flow_rate=0', 'syn_timeout=9', '--json']),
    { ok: true, set: { dropEntry: 3, secureTcp: 1, newFlowRate: 0, synTimeout: 9 }, json: true });
  const bad = parseDefenseArgs(['drop_packet=1']);
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.message, /'drop_packet=1' is not a setting: give new_flow_rate=N drop_entry=N secure_tcp=N syn_timeout=N/);
  assert.equal(parseDefenseArgs(['drop_entry=x']).ok, false);
});

test('the defence line shows mode 2 while an automatic mode is on (as IPVS), and the counters', () => {
  const [line, counts] = defenseLines({ settings: { newFlowRate: 1000, dropEntry: 1, secureTcp: 1, synTimeout: 10 }, floodedCpus: 1 },
    { flood_windows: '3', flow_embryo: '99' });
  assert.equal(line, 'flood defence: new_flow_rate 1000/s per CPU, drop_entry 2, secure_tcp 2 (syn_timeout 10s), flooded CPUs now 1');
  assert.match(counts!, /flooded seconds 3, .* embryonic 99,/);
  assert.match(defenseLines({ settings: { newFlowRate: 0 }, floodedCpus: 0 })[0]!, /new_flow_rate off, drop_entry 1, secure_tcp 0/);
});

test('daemon status --counters lists every exit reason with its verdict, then every event', () => {
  const lines = countersLines({ tx: '12', pass_not_service: '3', flow_new: '7' });
  assert.equal(lines.length, REASONS.length + EVENTS.length + 2);
  assert.match(lines.find((l) => l.trim().startsWith('tx '))!, /tx\s+12\s+XDP_TX$/);
  assert.match(lines.find((l) => l.trim().startsWith('pass_not_service'))!, /3\s+XDP_PASS$/);
  assert.match(lines.find((l) => l.trim().startsWith('flow_new'))!, /flow_new\s+7$/);
  for (const r of REASONS) assert.ok(lines.some((l) => l.includes(r) && l.endsWith(`XDP_${reasonVerdict(r)}`)), r);
});
