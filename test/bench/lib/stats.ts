// Numbers and tables for benchmarks: min/median/max over rounds, ratios, aligned text tables.
import os from 'node:os';

export interface Summary { min: number; median: number; max: number; n: number }

export function summarize(xs: readonly number[]): Summary {
  if (!xs.length) return { min: NaN, median: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, n: s.length };
}

/** Nearest-rank percentiles of samples (latencies): the p50, p99 and max of `xs`, NaN when empty. */
export function percentiles(xs: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? NaN, n: s.length };
}

/** A number with `digits` decimals, or "-" when not a finite number. */
export function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

export function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}x` : '-';
}

/** Rounded to 3 significant figures with k/M suffixes: 1.23M. */
export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** Markdown table (readable as plain text too): numbers right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = headers.map((_, i) => rows.every((r) => /^[-\d.,x%kMG/ ]*$/.test(r[i] ?? '') || (r[i] ?? '') === '-'));
  const cell = (s: string, i: number) => (right[i] ? s.padStart(w[i]!) : s.padEnd(w[i]!));
  const line = (r: string[]) => `| ${r.map((c, i) => cell(c ?? '', i)).join(' | ')} |`;
  const sep = `|${w.map((n, i) => (right[i] ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|')}|`;
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

/** "met" / "MISSED" for a goal, with the figure it was judged on. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

/** Date, CPU, cores, kernel, Node: the line every benchmark prints above its tables. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${new Date().toISOString()} | ${cpus[0]?.model ?? 'cpu?'} x${cpus.length} | Linux ${os.release()} | node ${process.version}`;
}
