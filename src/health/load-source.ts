// Where load samples come from (I/O edge): the real's agent port or a program.
import { connect } from 'node:net';
import { splitArgv, substitute } from './argv.js';
import { deadline, describeError } from './deadline.js';
import { parseAgentLine, targetPercent, type LoadSample } from './load.js';
import { runProgram } from './run-program.js';
import type { CheckResult, CheckTarget } from './types.js';
import type { ProgramPolicy } from './programs.js';

export type LoadSourceSpec =
  /** TCP connect to the real's agent port (`ipvx realserver agent`), read one line. */
  | { type: 'agent'; port: number; address?: string }
  /**
   * Run a program (no shell; %h = real's address, %p = port) that prints a load
   * number, or an agent-style line ("75%", "drain"). A bare number is divided by
   * `capacity` (default 1): with capacity = CPU count a raw load average works.
   */
  | { type: 'command'; command: string; capacity?: number };

export type LoadReading = { ok: true; sample: LoadSample; raw: string } | { ok: false; reason: string };

const MAX_LINE = 256;

export function readLoad(
  target: CheckTarget,
  source: LoadSourceSpec,
  timeoutMs: number,
  signal?: AbortSignal,
  programs?: ProgramPolicy,
): Promise<LoadReading> {
  return source.type === 'agent'
    ? readAgent({ address: source.address ?? target.address, port: source.port }, timeoutMs, signal)
    : readCommand(target, source.command, source.capacity ?? 1, timeoutMs, signal, programs);
}

/** Read the first line the agent sends (or all it sends before closing). */
export function readAgent(target: CheckTarget, timeoutMs: number, signal?: AbortSignal): Promise<LoadReading> {
  return new Promise((resolve) => {
    const dl = deadline(timeoutMs, signal);
    let settled = false;
    let buf = '';
    const sock = connect({ host: target.address, port: target.port });
    const done = (r: LoadReading) => {
      if (settled) return;
      settled = true;
      dl.clear();
      sock.destroy();
      resolve(r);
    };
    const finish = (line: string) => {
      const parsed = parseAgentLine(line);
      done(parsed.ok ? { ok: true, sample: parsed.value, raw: line.trim() } : { ok: false, reason: parsed.errors[0]!.message });
    };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl));
      else if (buf.length > MAX_LINE) done({ ok: false, reason: `agent line longer than ${MAX_LINE} bytes` });
    });
    sock.once('end', () => finish(buf));
    sock.once('error', (err) => done({ ok: false, reason: `agent: ${describeError(err)}` }));
    dl.onFire((why) => done({ ok: false, reason: `agent: ${why}` }));
  });
}

async function readCommand(
  target: CheckTarget,
  command: string,
  capacity: number,
  timeoutMs: number,
  signal?: AbortSignal,
  programs?: ProgramPolicy,
): Promise<LoadReading> {
  const argv = splitArgv(command);
  if (!argv.ok) return { ok: false, reason: `load command: ${argv.errors[0]!.message}` };
  const out = await runProgram(substitute(argv.value, target), timeoutMs, signal, programs);
  if (out.kind === 'error') return { ok: false, reason: out.reason };
  if (out.kind !== 'exit') return { ok: false, reason: `load command: ${out.kind === 'signal' ? `killed by ${out.signal}` : out.kind}` };
  if (out.code !== 0) return { ok: false, reason: `load command: exit ${out.code}` };
  const line = out.stdout.trim().split('\n')[0] ?? '';
  const n = Number(line.split(/\s+/)[0]);
  if (line !== '' && Number.isFinite(n) && /^[\d.]+$/.test(line.split(/\s+/)[0]!)) {
    return { ok: true, sample: { kind: 'load', load: n / (capacity > 0 ? capacity : 1) }, raw: line };
  }
  const parsed = parseAgentLine(line);
  return parsed.ok ? { ok: true, sample: parsed.value, raw: line } : { ok: false, reason: `load command: ${parsed.errors[0]!.message}` };
}

/**
 * The agent as a checker: "down" = down, anything else = up with the weight percent
 * it asked for ("drain" = 0 %, "load 0.75" = 25 %, "up" = 100 %).
 */
export async function checkAgent(
  target: CheckTarget,
  spec: { port: number; address?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const start = performance.now();
  const r = await readAgent({ address: spec.address ?? target.address, port: spec.port }, timeoutMs, signal);
  const latencyMs = Math.round((performance.now() - start) * 10) / 10;
  if (!r.ok) return { ok: false, reason: r.reason, latencyMs };
  if (r.sample.kind === 'down') return { ok: false, reason: `agent says ${JSON.stringify(r.raw)}`, latencyMs };
  return { ok: true, reason: `agent says ${JSON.stringify(r.raw)}`, weightPercent: targetPercent(r.sample), latencyMs };
}
