// UDP check: send a payload on a connected socket and require a reply. The kernel
// reports an ICMP port unreachable as ECONNREFUSED on a connected UDP socket.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { deadline, describeError, elapsed } from './deadline.js';
import { unescape } from './escapes.js';
import type { CheckResult, CheckTarget, SpecOf } from './types.js';

export function checkUdp(
  target: CheckTarget,
  spec: SpecOf<'udp'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const start = performance.now();
  const port = spec.port ?? target.port;
  const family = isIP(target.address);
  if (family === 0) {
    return Promise.resolve({ ok: false, reason: `udp: "${target.address}" is not an IP address`, latencyMs: 0 });
  }
  // check_udp.c check_udp_reply compares the first min(len, reply_len) bytes.
  const expected = spec.reply ? Buffer.from(unescape(spec.reply), 'latin1') : undefined;
  return new Promise((resolve) => {
    const dl = deadline(timeoutMs, signal);
    const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      dl.clear();
      sock.close();
      resolve({ ok, reason, latencyMs: elapsed(start) });
    };
    sock.on('error', (err: NodeJS.ErrnoException) =>
      done(false, err.code === 'ECONNREFUSED' ? 'port unreachable' : describeError(err)),
    );
    sock.on('message', (msg) => {
      if (spec.minLength !== undefined && msg.length < spec.minLength) {
        return done(false, `reply of ${msg.length} bytes, expected at least ${spec.minLength}`);
      }
      if (spec.maxLength !== undefined && msg.length > spec.maxLength) {
        return done(false, `reply of ${msg.length} bytes, expected at most ${spec.maxLength}`);
      }
      if (expected && !msg.subarray(0, expected.length).equals(expected.subarray(0, Math.min(expected.length, msg.length)))) {
        return done(false, `reply of ${msg.length} bytes does not start with the expected bytes`);
      }
      done(true, `reply of ${msg.length} bytes`);
    });
    // keepalived's UDP_CHECK without require_reply: silence is success, only an ICMP error fails.
    dl.onFire((why) => (why === 'timeout' && spec.replyOptional ? done(true, 'no reply and no ICMP error') : done(false, why === 'timeout' ? 'timeout (no reply)' : why)));
    sock.connect(port, target.address, () => {
      sock.send(Buffer.from(unescape(spec.payload ?? ''), 'latin1'), (err) => {
        if (err) done(false, (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'port unreachable' : describeError(err));
      });
    });
  });
}
