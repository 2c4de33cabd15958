// What the pages show live: a snapshot when a page opens (last poll, recent events, the
// rates of the last minutes), then server-sent events: `frame` (status and statistics at
// each poll), `event` (the daemon's Watch stream), `link` (daemon reachable or not),
// `resync` (the Watch stream was re-established: reload the configuration) and `expired`
// (the session ended; the stream closes).
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Frame } from './daemon-link.js';
import type { Event } from '../api/client.js';
import { expired } from './sessions.js';
import type { ConsoleContext } from './server.js';

/** How often an open stream checks that its session still holds. */
export const SESSION_CHECK_MS = 1000;
/** Messages a slow browser may have outstanding before its stream is cut (it reconnects and resyncs). */
const MAX_PENDING = 200;
/** Open live streams per session and in all: each holds a connection and a share of every poll. */
export const MAX_STREAMS_PER_SESSION = 16;
export const MAX_STREAMS = 256;

export function liveRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { link } = ctx.o;
  const host = hostname();
  const streams = new Map<string, number>();
  let total = 0;

  app.get('/api/snapshot', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return {
      host, connected: link.connected, error: link.lastError, frame: link.latest ?? null,
      recent: link.recent, history: link.history.one('cps'),
    };
  });

  app.get<{ Querystring: { service: string } }>('/api/history', {
    schema: { querystring: { type: 'object', required: ['service'], properties: { service: { type: 'string', maxLength: 300 } } } },
  }, async (req) => link.history.of(req.query.service));

  app.get('/api/live', { sse: { kind: 'only' } }, async (req, reply) => {
    const sessionId = req.session.sessionId;
    const mine = streams.get(sessionId) ?? 0;
    if (mine >= MAX_STREAMS_PER_SESSION || total >= MAX_STREAMS) {
      return reply.code(429).send({ error: `too many live streams open (${mine} for this session, ${total} in all); close some pages` });
    }
    streams.set(sessionId, mine + 1);
    total++;
    const sse = reply.sse!;
    sse.keepAlive();
    let pending = 0;
    let closed = false;
    const send = (event: string, data: unknown, droppable = false) => {
      if (closed) return;
      if (droppable && pending > 0) return; // a newer frame supersedes one the browser has not taken yet
      if (pending >= MAX_PENDING) { close(); return; }
      pending++;
      sse.send({ event, data }).then(() => { pending--; }, () => close());
    };
    const onFrame = (f: Frame) => send('frame', f, true);
    const onEvent = (e: Event) => send('event', e);
    const onLink = (l: unknown) => send('link', l);
    const onResync = () => send('resync', {});
    link.on('frame', onFrame);
    link.on('event', onEvent);
    link.on('link', onLink);
    link.on('resync', onResync);
    const check = setInterval(() => {
      const why = expired(ctx.store.peek(sessionId), ctx.o.sessions);
      if (why) {
        send('expired', { reason: why === 'none' ? 'you were logged out' : 'your session has expired' });
        setTimeout(close, 100);
      }
    }, SESSION_CHECK_MS);
    function close() {
      if (closed) return;
      closed = true;
      total--;
      const n = (streams.get(sessionId) ?? 1) - 1;
      if (n > 0) streams.set(sessionId, n); else streams.delete(sessionId);
      clearInterval(check);
      link.off('frame', onFrame);
      link.off('event', onEvent);
      link.off('link', onLink);
      link.off('resync', onResync);
      sse.close();
    }
    sse.onClose(close);
    send('link', { connected: link.connected, error: link.lastError });
    if (link.latest) send('frame', link.latest);
  });
}
