// The console's server in front of a real daemon API (grpc-js on a unix socket over a
// MemoryDataplane), driven with fastify's inject(): no browser, no network.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { harness as apiHarness, type Harness as ApiHarness } from '../api/harness.js';
import { IpvxClient } from '../../../src/api/client.js';
import { DaemonLink } from '../../../src/console/daemon-link.js';
import { buildConsole } from '../../../src/console/server.js';
import { setPassword } from '../../../src/console/passwd.js';
import type { SessionPolicy } from '../../../src/console/sessions.js';
import type { DesiredState } from '../../../src/core/model.js';

export const PASSWORD = 'correct horse battery';

export interface ConsoleHarness {
  api: ApiHarness;
  app: FastifyInstance;
  link: DaemonLink;
  dir: string;
  passwdFile: string;
  /** Every line the console logged (JSON text). */
  logs: string[];
  /** Log in; the cookie header and CSRF token of the new session. */
  login(user?: string, password?: string): Promise<{ cookie: string; csrf: string }>;
  /** GET /api/config as the session with this cookie: the state (secrets masked) and its serial. */
  config(cookie: string): Promise<{ state: DesiredState; serial: string }>;
  /** A JSON POST with the session's cookie and CSRF token. */
  post(session: { cookie: string; csrf: string }, url: string, payload: object): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function consoleHarness(o: { initial?: DesiredState; sessions?: Partial<SessionPolicy>; loginsPerMinute?: number; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<ConsoleHarness> {
  const api = await apiHarness(o.initial ? { initial: o.initial } : {});
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-console-'));
  // Stand-in pages: the server's behaviour is under test here, not the built front end.
  mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>app</title><div id="app"></div>');
  writeFileSync(join(dir, 'web', 'login.html'), '<!doctype html><title>login</title><form id="login"></form>');
  writeFileSync(join(dir, 'web', 'assets', 'app.js'), 'console.log(1)');
  const passwdFile = join(dir, 'passwd');
  await setPassword(passwdFile, 'admin', PASSWORD);
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }));
  const link = new DaemonLink({ client: new IpvxClient(`unix:${api.socket}`, { timeoutMs: 10_000 }), pollMs: 200 });
  link.start();
  const app = await buildConsole({
    link, passwdFile, webRoot: join(dir, 'web'), log, ...(o.loginsPerMinute ? { loginsPerMinute: o.loginsPerMinute } : {}), ...(o.tls ? { tls: o.tls } : {}),
    sessions: { idleMs: 60_000, maxMs: 3600_000, ...o.sessions },
  });
  await app.ready();
  return {
    api, app, link, dir, passwdFile, logs,
    async login(user = 'admin', password = PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/login', payload: { user, password } });
      if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
      const cookie = cookieOf(res);
      const s = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      return { cookie, csrf: (s.json() as { csrfToken: string }).csrfToken };
    },
    async config(cookie) {
      const res = await app.inject({ method: 'GET', url: '/api/config', headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`GET /api/config: ${res.statusCode} ${res.body}`);
      return res.json() as { state: DesiredState; serial: string };
    },
    post({ cookie, csrf }, url, payload) {
      return app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': csrf }, payload });
    },
    async close() {
      link.stop();
      await app.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The session cookie a response set, as a Cookie header. */
export function cookieOf(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [set] : [];
  const c = list.find((x) => x.startsWith('ipvx_session='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  return c.split(';', 1)[0]!;
}
