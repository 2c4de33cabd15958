// HTTP_GET / SSL_GET: GET a path with the virtual host's Host header; up when the
// status is expected and (if asked) the body matches. TLS verification is off unless
// verifyTls is set, as keepalived's SSL_GET does not verify either.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { deadline, describeError, elapsed } from './deadline.js';
import { parseStatusCodes, statusMatches } from './status-codes.js';
import type { CheckResult, CheckTarget, SpecOf } from './types.js';

/** A regex has to match within the first 1 MiB of the body (a digest hashes all of it). */
const MAX_BODY = 1024 * 1024;

/**
 * The check's URL and then each of `urls` in turn, within one timeout; the first failure
 * fails the check (keepalived's http_check_thread walks its url list the same way).
 */
export async function checkHttp(
  target: CheckTarget,
  spec: SpecOf<'http' | 'https'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const start = performance.now();
  let last: CheckResult | undefined;
  for (const u of [spec, ...(spec.urls ?? [])]) {
    const left = timeoutMs - (performance.now() - start);
    if (left <= 0) return { ok: false, reason: `timeout before ${u.path}`, latencyMs: elapsed(start) };
    const one: SpecOf<'http' | 'https'> = { ...spec, path: u.path, statusCodes: u.statusCodes, bodyRegex: u.bodyRegex, digest: u.digest };
    last = await checkOneUrl(target, one, left, signal);
    if (!last.ok) return spec.urls?.length ? { ...last, reason: `${u.path}: ${last.reason}` } : last;
  }
  return { ...last!, latencyMs: elapsed(start) };
}

function checkOneUrl(
  target: CheckTarget,
  spec: SpecOf<'http' | 'https'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const start = performance.now();
  const fin = (ok: boolean, reason: string): CheckResult => ({ ok, reason, latencyMs: elapsed(start) });
  const codes = parseStatusCodes(spec.statusCodes);
  if (!codes.ok) return Promise.resolve(fin(false, `${codes.errors[0]!.field}: ${codes.errors[0]!.message}`));
  let body: RegExp | undefined;
  try {
    body = spec.bodyRegex ? new RegExp(spec.bodyRegex) : undefined;
  } catch (err) {
    return Promise.resolve(fin(false, `bodyRegex: ${describeError(err)}`));
  }
  const port = spec.port ?? target.port;
  const hostPort = isIP(target.address) === 6 ? `[${target.address}]:${port}` : `${target.address}:${port}`;
  const hostHeader = spec.host ?? hostPort;
  const tlsName = spec.host?.replace(/:\d+$/, '');
  const path = spec.path || '/';

  return new Promise((resolve) => {
    const dl = deadline(timeoutMs, signal);
    let settled = false;
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      dl.clear();
      req.destroy();
      resolve(fin(ok, reason));
    };
    const onResponse = (res: IncomingMessage) => {
      const code = res.statusCode ?? 0;
      if (!statusMatches(code, codes.value)) {
        res.resume();
        done(false, `HTTP ${code}`);
        return;
      }
      if (spec.digest) {
        // keepalived url { digest }: the MD5 of the whole body, in hex, however long (streamed
        // as check_http.c's http_process_response does; the timeout bounds it).
        const md5 = createHash('md5');
        res.on('data', (d: Buffer) => md5.update(d));
        res.on('end', () => {
          const got = md5.digest('hex');
          done(got === spec.digest!.toLowerCase(), got === spec.digest!.toLowerCase() ? `HTTP ${code}, digest matches` : `HTTP ${code}, body digest ${got}, expected ${spec.digest}`);
        });
        res.on('error', (err) => done(false, describeError(err)));
        return;
      }
      if (!body) {
        res.resume();
        done(true, `HTTP ${code}`);
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (text.length < MAX_BODY) text += d;
        if (body!.test(text)) done(true, `HTTP ${code}, body matches`);
        else if (text.length >= MAX_BODY) done(false, `HTTP ${code}, body does not match /${spec.bodyRegex}/`);
      });
      res.on('end', () => done(body!.test(text), body!.test(text) ? `HTTP ${code}, body matches` : `HTTP ${code}, body does not match /${spec.bodyRegex}/`));
      res.on('error', (err) => done(false, describeError(err)));
    };
    const options = {
      host: target.address,
      port,
      path,
      method: 'GET',
      agent: false as const,
      headers: { Host: hostHeader, 'User-Agent': 'ipvx-health', Connection: 'close' },
    };
    const req =
      spec.type === 'https'
        ? httpsRequest(
            {
              ...options,
              rejectUnauthorized: spec.verifyTls === true,
              // SNI only for names; an IP literal is not a valid server name.
              ...(tlsName && !isIP(tlsName) ? { servername: tlsName } : {}),
            },
            onResponse,
          )
        : httpRequest(options, onResponse);
    req.on('error', (err) => done(false, describeError(err)));
    dl.onFire((why) => done(false, why));
    req.end();
  });
}
