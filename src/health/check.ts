// One entry point for every check type, so the monitor need not know them.
import type { HealthCheckSpec } from '../core/model.js';
import { checkExec } from './exec.js';
import { checkHttp } from './http.js';
import { checkSendExpect } from './send-expect.js';
import { checkTcp } from './tcp.js';
import type { CheckResult, CheckTarget } from './types.js';
import { checkUdp } from './udp.js';
import type { ProgramPolicy } from './programs.js';

export function runCheck(
  target: CheckTarget,
  spec: HealthCheckSpec,
  timeoutMs: number,
  signal?: AbortSignal,
  /** Which programs exec and send-expect may run, as whom (programs.ts). */
  programs?: ProgramPolicy,
): Promise<CheckResult> {
  switch (spec.type) {
    case 'tcp':
      return checkTcp(target, spec, timeoutMs, signal);
    case 'http':
    case 'https':
      return checkHttp(target, spec, timeoutMs, signal);
    case 'send-expect':
      return checkSendExpect(target, spec, timeoutMs, signal, programs);
    case 'udp':
      return checkUdp(target, spec, timeoutMs, signal);
    case 'exec':
      return checkExec(target, spec, timeoutMs, signal, programs);
  }
}
