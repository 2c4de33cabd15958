// The console's web server (fastify): the login page and the application's pages, their
// assets (built by Vite into build/web at `make build`, served from here: no CDN), and
// the JSON API and live stream the pages use. Every page and API call but the login
// page, its assets and POST /api/login needs a session; every change also a CSRF token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifyHelmet from '@fastify/helmet';
import { fastifySSE } from '@fastify/sse';
import type { Logger } from 'pino';
import { DaemonUnavailable, IpvxError } from '../api/client.js';
import type { DaemonLink } from './daemon-link.js';
import { SessionStore, expired, type SessionPolicy } from './sessions.js';
import { authRoutes } from './auth-routes.js';
import { configRoutes } from './config-routes.js';
import { liveRoutes } from './live-routes.js';

export interface ConsoleOptions {
  link: DaemonLink;
  passwdFile: string;
  /** The built front end (index.html, login.html, assets/). */
  webRoot: string;
  tls?: { cert: Buffer; key: Buffer };
  sessions: SessionPolicy;
  log: Logger;
  /** Login attempts per client per minute, good or bad (default 20). */
  loginsPerMinute?: number;
}

/** Paths of the application's pages (client-side routes); each serves index.html to a session. */
export const PAGES = ['/', '/services', '/services/*', '/status', '/events', '/import', '/settings'];
const PUBLIC = new Set(['/login', '/api/login']);

/** Largest change request body: a whole configuration as JSON (10,000 services x 10 reals is ~6 MB). Not the
 * state file's limit (config/store.ts MAX_STATE_BYTES): the daemon takes what this passes on under its own gRPC limit. */
export const MAX_CHANGE_BODY_BYTES = 32 << 20;

export interface ConsoleContext {
  o: ConsoleOptions;
  store: SessionStore;
  /** "console user NAME from ADDRESS", for the daemon's log and Watch. */
  origin(req: FastifyRequest): string;
}

export async function buildConsole(o: ConsoleOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.log,
    // Logins and changes are logged by their routes; requests are not (never headers or bodies).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1 << 20,
    trustProxy: false,
    // Unknown fields in a request are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    ...(o.tls ? { https: { cert: o.tls.cert, key: o.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  const store = new SessionStore(o.sessions);
  app.addHook('onClose', async () => { store.close(); });
  const secure = Boolean(o.tls);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"], frameAncestors: ["'none'"], formAction: ["'self'"], baseUri: ["'none'"], objectSrc: ["'none'"],
        upgradeInsecureRequests: secure ? [] : null,
      },
    },
    hsts: secure ? { maxAge: 15552000 } : false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: randomBytes(32).toString('hex'), // per process: a restart ends every session
    cookieName: 'ipvx_session',
    store: store as never,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: o.sessions.maxMs },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySSE, { heartbeatInterval: 15_000 });

  const ctx: ConsoleContext = {
    o, store,
    origin: (req) => `console user ${req.session.user ?? '?'} from ${req.ip}`,
  };

  // Everything but the public paths and the assets needs a session that has not expired.
  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    if (PUBLIC.has(path) || path.startsWith('/assets/')) return;
    const why = expired(req.session, o.sessions);
    if (why) {
      if (why !== 'none') await req.session.destroy();
      return refuse(req, reply, why === 'none' ? 'not logged in' : 'your session has expired; log in again');
    }
    // The live stream is not a sign of life: a page left open still times out.
    if (path !== '/api/live') req.session.lastSeen = Date.now();
  });

  // Changes need the session's CSRF token (header x-csrf-token), and JSON (no cross-site form can send that).
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || pathOf(req) === '/api/login') { done(); return; }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      void reply.code(415).send({ error: 'expected Content-Type: application/json' });
      return;
    }
    app.csrfProtection(req, reply, done);
  });

  await app.register(fastifyStatic, {
    root: join(o.webRoot, 'assets'), prefix: '/assets/', index: false, list: false,
    immutable: true, maxAge: '365d', // file names carry a content hash
  });
  const html = (name: string) => readFileSync(join(o.webRoot, name), 'utf8');
  const indexHtml = html('index.html');
  const loginHtml = html('login.html');
  const page = (body: string) => (_req: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  app.get('/login', page(loginHtml));
  for (const p of PAGES) app.get(p, page(indexHtml));

  authRoutes(app, ctx);
  configRoutes(app, ctx);
  liveRoutes(app, ctx);

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such page: ${req.url.slice(0, 200)}` }));
  app.setErrorHandler((err: Error, req, reply) => {
    // The daemon not running, or refusing for a reason of its own: the page shows its words.
    if (err instanceof DaemonUnavailable) return reply.code(503).send({ error: err.message });
    if (err instanceof IpvxError) return reply.code(502).send({ error: err.message.slice(0, 8000) });
    const e = err as Error & { statusCode?: number; code?: string };
    const code = e.statusCode && e.statusCode >= 400 ? e.statusCode : 500;
    if (code >= 500) req.log.error({ err: { message: e.message, code: e.code } }, 'console request failed');
    // The CSRF plugin's errors say what the page has to do.
    const message = e.code === 'FST_CSRF_INVALID_TOKEN' || e.code === 'FST_CSRF_MISSING_SECRET'
      ? 'refused: the request carried no valid CSRF token (reload the page)' : code >= 500 ? 'internal error (see the console\'s log)' : e.message;
    if (code === 403) req.log.warn({ user: req.session?.user, client: req.ip, path: req.url.slice(0, 200) }, 'change refused: no valid CSRF token');
    return reply.code(code).send({ error: message });
  });
  return app;
}

/** The request's path without its query (the public paths and the CSRF exemption are decided on it). */
const pathOf = (req: FastifyRequest) => req.url.split('?', 1)[0]!;

/** No session: API calls get 401 (JSON), pages a redirect to the login page. */
function refuse(req: FastifyRequest, reply: FastifyReply, why: string) {
  if (pathOf(req).startsWith('/api/') || req.method !== 'GET') return reply.code(401).header('cache-control', 'no-store').send({ error: why });
  const next = encodeURIComponent(req.url.slice(0, 500));
  return reply.code(302).header('location', `/login?next=${next}`).send();
}
