// TCP_CHECK: the real is up if a connection opens within the timeout.
import { connect } from 'node:net';
import { deadline, describeError, elapsed } from './deadline.js';
import type { CheckResult, CheckTarget, SpecOf } from './types.js';

export function checkTcp(
  target: CheckTarget,
  spec: SpecOf<'tcp'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const host = spec.address ?? target.address;
  const port = spec.port ?? target.port;
  return new Promise((resolve) => {
    const start = performance.now();
    const dl = deadline(timeoutMs, signal);
    let settled = false;
    const sock = connect({ host, port });
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      dl.clear();
      sock.destroy();
      resolve({ ok, reason, latencyMs: elapsed(start) });
    };
    sock.once('connect', () => done(true, 'connected'));
    sock.once('error', (err) => done(false, describeError(err)));
    dl.onFire((why) => done(false, why));
  });
}
