// The configuration through the console: read it (secrets masked), send a whole desired
// state for the daemon's dry run (the diff the page shows) and then to apply, import a
// file people bring, export YAML and ipvsadm rules. Every change goes to the daemon
// with the serial the page read and the console user's name and address.
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stateFromPlain, stateToPlain, formatConfig } from '../config/schema.js';
import { importAny, detectFormat } from '../config/import/index.js';
import { validateState } from '../core/validate.js';
import { formatSave } from '../cli/ipvsadm/index.js';
import type { FieldError } from '../core/result.js';
import { ConflictError, RefusedError } from './daemon-link.js';
import { redactSecrets, restoreSecrets, checkLocalOnly } from './guard.js';
import { MAX_CHANGE_BODY_BYTES, type ConsoleContext } from './server.js';

/** Largest file an import takes (an lvs.cf of thousands of services is far below). */
export const MAX_IMPORT_BYTES = 1 << 20;
const MAX_SHOWN_ERRORS = 50;

const CHANGE_BODY = {
  type: 'object', additionalProperties: false, required: ['state', 'serial'],
  properties: { state: { type: 'object' }, serial: { type: 'string', maxLength: 128 } },
} as const;
const IMPORT_BODY = {
  type: 'object', additionalProperties: false, required: ['text'],
  properties: { text: { type: 'string', maxLength: MAX_IMPORT_BYTES }, name: { type: 'string', maxLength: 255 } },
} as const;

type Plain = Record<string, unknown>;

export function configRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { link, log } = ctx.o;

  app.get('/api/config', async (_req, reply) => {
    const c = await link.readConfig();
    reply.header('cache-control', 'no-store');
    return { state: redactSecrets(stateToPlain(c.state)), serial: c.serial };
  });

  const change = (dryRun: boolean) => async (req: FastifyRequest<{ Body: { state: Plain; serial: string } }>, reply: FastifyReply) => {
    const now = await link.readConfig();
    const restored = restoreSecrets(req.body.state, now.state);
    if (restored.errors.length) return invalid(reply, restored.errors);
    // The config file's schema (unknown or mistyped fields by name), then what only the file may set.
    const shaped = stateFromPlain(restored.state);
    if (!shaped.ok) return invalid(reply, shaped.errors);
    const local = checkLocalOnly(shaped.value, now.state);
    if (local.length) return invalid(reply, local);
    const origin = ctx.origin(req);
    try {
      const r = await link.change(shaped.value, { dryRun, serial: req.body.serial, origin });
      if (!dryRun && r.applied) log.info({ user: req.session.user, client: req.ip, changes: r.changes.length + r.changesOmitted }, 'configuration changed from the console');
      return r;
    } catch (e) {
      if (e instanceof ConflictError) return reply.code(409).send({ error: e.message });
      if (e instanceof RefusedError) return reply.code(400).send({ error: e.message, fields: e.fields });
      throw e;
    }
  };
  app.post('/api/plan', { bodyLimit: MAX_CHANGE_BODY_BYTES, schema: { body: CHANGE_BODY } }, change(true));
  app.post('/api/apply', { bodyLimit: MAX_CHANGE_BODY_BYTES, schema: { body: CHANGE_BODY } }, change(false));

  // Nothing changes here: the page shows what imports and what cannot, then plans and applies it as any change.
  app.post<{ Body: { text: string; name?: string } }>('/api/import', { bodyLimit: 4 * MAX_IMPORT_BYTES, schema: { body: IMPORT_BODY } }, async (req, reply) => {
    const { text } = req.body;
    const format = detectFormat(text);
    const r = importAny(text);
    if (!r.ok) return invalid(reply, r.errors, `the file could not be read as ${format}`);
    const v = validateState(r.value.state);
    return {
      format,
      state: redactSecrets(stateToPlain(v.ok ? v.value : r.value.state)),
      unmapped: r.value.unmapped.slice(0, 1000),
      unmappedOmitted: Math.max(0, r.value.unmapped.length - 1000),
      problems: v.ok ? [] : v.errors.slice(0, MAX_SHOWN_ERRORS),
    };
  });

  const download = (name: string, type: string, body: string, reply: FastifyReply) =>
    reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').type(type).send(body);
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');
  app.get('/api/export/ipvx.yaml', async (_req, reply) => download(`ipvx-${host}.yaml`, 'application/yaml; charset=utf-8', formatConfig((await link.readConfig()).state), reply));
  // The CLI's `ipvx -S -n` formatter: byte for byte what ipvsadm-save prints.
  app.get('/api/export/ipvsadm-rules', async (_req, reply) => download(`ipvsadm-rules-${host}.txt`, 'text/plain; charset=utf-8', formatSave((await link.readConfig()).state, true), reply));
}

function invalid(reply: FastifyReply, errors: FieldError[], what = 'refused') {
  const shown = errors.slice(0, MAX_SHOWN_ERRORS);
  const more = errors.length - shown.length;
  return reply.code(400).send({
    error: `${what}: ${shown.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}${more ? `; and ${more} more` : ''}`,
    fields: shown,
  });
}
