// keepalived MISC_CHECK: exit 0 = up, anything else = down. With misc_dynamic
// (dynamicWeight) exit 1 = down and 2..255 = up with weight = code - 2.
import { splitArgv, substitute } from './argv.js';
import { elapsed } from './deadline.js';
import { runProgram } from './run-program.js';
import type { CheckResult, CheckTarget, SpecOf } from './types.js';
import type { ProgramPolicy } from './programs.js';

export async function checkExec(
  target: CheckTarget,
  spec: SpecOf<'exec'>,
  timeoutMs: number,
  signal?: AbortSignal,
  policy?: ProgramPolicy,
): Promise<CheckResult> {
  const start = performance.now();
  const argv = splitArgv(spec.command);
  if (!argv.ok) return { ok: false, reason: `exec: ${argv.errors[0]!.message}`, latencyMs: 0 };
  const out = await runProgram(substitute(argv.value, target), timeoutMs, signal, policy);
  const latencyMs = elapsed(start);
  switch (out.kind) {
    case 'error':
      return { ok: false, reason: out.reason, latencyMs };
    case 'timeout':
      return { ok: false, reason: 'timeout', latencyMs };
    case 'aborted':
      return { ok: false, reason: 'aborted', latencyMs };
    case 'signal':
      return { ok: false, reason: `killed by ${out.signal}`, latencyMs };
    case 'exit':
      if (out.code === 0) return { ok: true, reason: 'exit 0', latencyMs };
      if (spec.dynamicWeight && out.code >= 2) {
        return { ok: true, reason: `exit ${out.code}`, weight: out.code - 2, latencyMs };
      }
      return { ok: false, reason: `exit ${out.code}`, latencyMs };
  }
}
