// Login, logout and the session's own facts (user, CSRF token, time left).
import type { FastifyInstance } from 'fastify';
import { checkLogin, PasswdFileError, MAX_PASSWORD_BYTES } from './passwd.js';
import { LoginThrottle } from './throttle.js';
import type { ConsoleContext } from './server.js';

const LOGIN_BODY = {
  type: 'object', additionalProperties: false, required: ['user', 'password'],
  properties: { user: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: MAX_PASSWORD_BYTES } },
} as const;

export function authRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const throttle = new LoginThrottle();
  const log = ctx.o.log;

  app.post<{ Body: { user: string; password: string } }>('/api/login', {
    bodyLimit: 4096,
    schema: { body: LOGIN_BODY },
    // All attempts, good or bad, per client; failures are slowed down further by the throttle.
    config: { rateLimit: { max: ctx.o.loginsPerMinute ?? 20, timeWindow: 60_000 } },
  }, async (req, reply) => {
    const client = req.ip;
    const admission = throttle.admit(client);
    if (!admission.ok) {
      const s = Math.ceil(admission.retryAfterMs / 1000);
      return reply.code(429).header('retry-after', String(s)).send({ error: `too many failed logins from ${client}: try again in ${s} s` });
    }
    const { user, password } = req.body;
    let good = false;
    try {
      good = await checkLogin(ctx.o.passwdFile, user, password);
    } catch (e) {
      admission.done(true); // the file's fault, not the client's
      if (e instanceof PasswdFileError) {
        log.error({ error: e.message }, 'console password file unusable');
        return reply.code(503).send({ error: 'the console\'s password file cannot be used (see the console\'s log)' });
      }
      throw e;
    }
    admission.done(good);
    if (!good) {
      log.warn({ user: user.replace(/[^\x20-\x7e]/g, '?'), client, failures: throttle.failures(client) }, 'console login failed');
      return reply.code(401).send({ error: 'wrong user name or password' });
    }
    await req.session.regenerate(); // a new id at login: a planted session id is worth nothing
    const now = Date.now();
    req.session.user = user;
    req.session.createdAt = now;
    req.session.lastSeen = now;
    log.info({ user, client }, 'console login');
    return { user };
  });

  app.post('/api/logout', async (req, reply) => {
    log.info({ user: req.session.user, client: req.ip }, 'console logout');
    await req.session.destroy();
    return reply.code(204).send();
  });

  app.get('/api/session', async (req, reply) => {
    const s = req.session;
    reply.header('cache-control', 'no-store');
    return {
      user: s.user, csrfToken: reply.generateCsrf(), idleMs: ctx.o.sessions.idleMs,
      endsAt: new Date((s.createdAt ?? 0) + ctx.o.sessions.maxMs).toISOString(),
    };
  });
}
