// `make fuzz [FRAMES=N] [SEED=S] [EPISODE=E]`: the data-plane fuzzer's long run, with a
// summary (frames per category, exits per reason, disagreements, time). Needs root
// (BPF_PROG_TEST_RUN, a network namespace of its own). Exit status 1 on any disagreement.
import { Fuzzer, signature } from './runner.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v === undefined || v === '' ? undefined : v;
}

const frames = Number(arg('frames') ?? 1_000_000);
const seed = arg('seed') !== undefined ? Number(arg('seed')) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const only = arg('episode');
const every = process.argv.includes('--check-every-frame');
if (!Number.isInteger(frames) || frames < 1) throw new Error(`--frames ${arg('frames')}: not a count of frames`);

console.log(`ipvx data-plane fuzzer: seed ${seed}, ${only !== undefined ? `episode ${only}` : `${frames} frames`}`);
const fz = new Fuzzer({
  frames, seed, ...(only !== undefined ? { onlyEpisode: Number(only), frames: Math.min(frames, 2000) } : {}),
  checkEveryFrame: every, outDir: arg('out') ?? 'build/fuzz', log: (l) => console.log(l),
});
try {
  const s = fz.run();
  const pad = (t: string, n: number) => t.padEnd(n);
  console.log(`\nseed ${s.seed}: ${s.frames} frames in ${s.episodes} episodes, ${s.seconds.toFixed(1)} s (${Math.round(s.frames / s.seconds)} frames/s)`);
  console.log('\nconfigurations (episodes) with');
  for (const [k, v] of s.configs) console.log(`  ${pad(k, 26)} ${String(v).padStart(6)}`);
  console.log('\nframes by category');
  for (const [k, v] of [...s.categories].sort((a, b) => b[1] - a[1])) console.log(`  ${pad(k, 18)} ${String(v).padStart(9)}`);
  console.log('\nexits by reason');
  for (const [k, v] of [...s.reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${pad(k, 22)} ${String(v).padStart(9)}`);
  console.log('\nevents');
  for (const [k, v] of [...s.events].sort((a, b) => b[1] - a[1])) console.log(`  ${pad(k, 22)} ${String(v).padStart(9)}`);
  console.log(`\ndisagreements: ${s.failures.length}`);
  const sigs = new Map<string, number>();
  for (const f of s.failures) sigs.set(signature(f), (sigs.get(signature(f)) ?? 0) + 1);
  for (const [k, v] of [...sigs].sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(6)}  ${k}`);
  process.exitCode = s.failures.length ? 1 : 0;
} finally {
  fz.close();
}
