// Run reproducers of the data-plane fuzzer again (root):
//   node build/js/test/lib/fuzz/replay-main.js FILE...             program vs model vs recorded
//   node build/js/test/lib/fuzz/replay-main.js --minimize OUT FILE  the smallest state that still disagrees
import { readFileSync, writeFileSync } from 'node:fs';
import { LbHarness } from '../lb-harness.js';
import { toHex } from '../model/bytes.js';
import { runReproducer, minimize } from './replay.js';
import type { Reproducer } from './reproducer.js';

const args = process.argv.slice(2);
const mi = args.indexOf('--minimize');
const out = mi >= 0 ? args.splice(mi, 2)[1] : undefined;
const h = LbHarness.open();
try {
  for (const file of args) {
    let rep = JSON.parse(readFileSync(file, 'utf8')) as Reproducer;
    if (out) {
      rep = minimize(h, rep);
      writeFileSync(out, JSON.stringify(rep, null, 1) + '\n');
      console.log(`${file}: minimized into ${out} (${rep.scenario.state.services.length} services, ${Object.values(rep.tables).filter(Array.isArray).reduce((n, l) => n + (l as unknown[]).length, 0)} entries)`);
    }
    console.log(`${file}: ${rep.description}`);
    const res = runReproducer(h, rep);
    for (const d of res.state) console.log(`  state: ${d}`);
    for (const r of res.frames) {
      console.log(`  frame   ${toHex(r.input)}`);
      console.log(`  model   ${r.model.action} ${r.model.reason} via ${r.model.path.join(' > ')}`);
      console.log(`  program ${r.program.action} ${r.program.reason}`);
      for (const d of r.disagreement ?? []) console.log(`    ${d}`);
      for (const d of r.unlikeRecorded ?? []) console.log(`    recorded: ${d}`);
    }
  }
} finally {
  h.close();
}
