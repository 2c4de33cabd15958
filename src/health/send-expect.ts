// piranha nanny's send/expect: connect, send a string, read until the expected
// answer arrives (up), the peer closes without it (down) or the timeout (down).
// With sendProgram the program does the talking and its output is matched instead.
import { connect } from 'node:net';
import { splitArgv, substitute } from './argv.js';
import { deadline, describeError, elapsed } from './deadline.js';
import { unescape } from './escapes.js';
import { expectMatcher, preview, type Matcher } from './expect.js';
import { runProgram } from './run-program.js';
import type { CheckResult, CheckTarget, SpecOf } from './types.js';
import type { ProgramPolicy } from './programs.js';

const MAX_ANSWER = 64 * 1024;

export async function checkSendExpect(
  target: CheckTarget,
  spec: SpecOf<'send-expect'>,
  timeoutMs: number,
  signal?: AbortSignal,
  policy?: ProgramPolicy,
): Promise<CheckResult> {
  const start = performance.now();
  const to = { address: target.address, port: spec.port ?? target.port };
  const matcher = expectMatcher(spec.expect, spec.useRegex);
  if (!matcher.ok) return { ok: false, reason: `expect: ${matcher.errors[0]!.message}`, latencyMs: 0 };
  if (spec.sendProgram) return sendProgram(to, spec.sendProgram, spec.expect, matcher.value, timeoutMs, start, signal, policy);
  return sendOverTcp(to, unescape(spec.send ?? ''), spec.expect, matcher.value, timeoutMs, start, signal);
}

async function sendProgram(
  target: CheckTarget,
  command: string,
  expect: string,
  match: Matcher,
  timeoutMs: number,
  start: number,
  signal?: AbortSignal,
  policy?: ProgramPolicy,
): Promise<CheckResult> {
  const argv = splitArgv(command);
  if (!argv.ok) return { ok: false, reason: `sendProgram: ${argv.errors[0]!.message}`, latencyMs: 0 };
  const out = await runProgram(substitute(argv.value, target), timeoutMs, signal, policy);
  const latencyMs = elapsed(start);
  if (out.kind === 'error') return { ok: false, reason: out.reason, latencyMs };
  if (out.kind === 'timeout' || out.kind === 'aborted') return { ok: false, reason: out.kind, latencyMs };
  // piranha judges the program by its output, not its exit code. The final newline
  // goes, as in shell command substitution, so "^up$" matches what `echo up` prints.
  const answer = out.stdout.replace(/\r?\n$/, '');
  if (expect === '' || match(answer)) return { ok: true, reason: `program answered ${preview(answer)}`, latencyMs };
  return { ok: false, reason: `program answered ${preview(answer)}, expected ${preview(expect)}`, latencyMs };
}

function sendOverTcp(
  target: CheckTarget,
  send: string,
  expect: string,
  match: Matcher,
  timeoutMs: number,
  start: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    const dl = deadline(timeoutMs, signal);
    let settled = false;
    let answer = '';
    const sock = connect({ host: target.address, port: target.port });
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      dl.clear();
      sock.destroy();
      resolve({ ok, reason, latencyMs: elapsed(start) });
    };
    sock.setEncoding('latin1');
    sock.once('connect', () => {
      // Nothing to expect: an open connection is all we ask (nanny without send/expect), or
      // that the send string is written (nanny's pinger with a send string and no expect).
      if (expect === '' && !send) return done(true, 'connected');
      if (expect === '') { sock.write(send, 'latin1', (err) => (err ? done(false, describeError(err)) : done(true, 'sent'))); return; }
      if (send) sock.write(send, 'latin1');
    });
    sock.on('data', (d: string) => {
      answer += d;
      if (match(answer)) done(true, `answered ${preview(answer)}`);
      else if (answer.length >= MAX_ANSWER) done(false, `answer ${preview(answer)} does not match ${preview(expect)}`);
    });
    sock.once('end', () =>
      done(false, answer ? `answer ${preview(answer)} does not match ${preview(expect)}` : 'closed without an answer'),
    );
    sock.once('error', (err) => done(false, describeError(err)));
    dl.onFire((why) =>
      done(false, why === 'timeout' && answer ? `timeout; answer ${preview(answer)} does not match ${preview(expect)}` : why),
    );
  });
}
