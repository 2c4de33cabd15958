// The web console in a real browser (Debian's chromium through playwright-core) against
// a real daemon in a lab of network namespaces:
//
//   client --- director (daemon, XDP, health checks) --- sw --- rs1, rs2, rs3 (HTTP on 8080)
//
// The console runs as `ipvx console` in this (root) namespace on 127.0.0.1, talking to
// the director's daemon through its unix socket, as on a director. Requests from the
// client reach the reals through the director (NAT). Screenshots go to
// build/test-artifacts/console/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Lab, type Proc } from '../../src/lab/topology.js';
import { buildClassicLab, startDirectorDaemon, IPVX_BIN, PLAN, type ClassicLab, type DirectorDaemon } from '../../src/lab/classic.js';
import { serverScript } from '../../src/lab/servers/index.js';
import { launchBrowser, screenshot, startProcess, type Started } from '../lib/browser.js';
import { until, sleep } from '../lib/wait.js';

const VIP = PLAN[4].vip;
const REAL = [0, 1, 2].map((i) => PLAN[4].real(i));
const PORT = 8080;
const SID = `tcp|${VIP}|80`;
const rid = (i: number) => `${SID}#${REAL[i]}|${PORT}`;
const PASSWORD = 'console-e2e-password';
// The health check: down after FALL failures INTERVAL apart (+ TIMEOUT), up after RISE successes.
const INTERVAL = 0.5, TIMEOUT = 0.5, FALL = 2, RISE = 2;
/** Added to those bounds: the data plane update, the console's poll (2 s) and a loaded 2-core machine. */
const SLACK_MS = 3000;
const SAMPLE = fileURLToPath(new URL('../../../../test/fixtures/ipvsadm/piranha-lvs.cf', import.meta.url));

let lab: Lab;
let c: ClassicLab;
let daemon: DirectorDaemon;
let work = '';
let passwdFile = '';
let consoleProc: Started;
let watchProc: Started;
let base = '';
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
const http: Proc[] = [];

/** `ipvx ARGS` against the director's daemon, as an operator runs it. */
const ipvx = (...args: string[]) => execFileSync(process.execPath, [IPVX_BIN, '--socket', daemon.socket, ...args], { encoding: 'utf8' });

async function startHttp(i: number): Promise<void> {
  http[i] = await lab.node(c.reals[i]!, serverScript('http-name'), ['--name', `rs${i + 1}`, '--port', String(PORT), '--host', '::'], { ready: 'ready' });
}

/** Who answered `n` new connections from the client to the VIP. */
async function answers(n: number): Promise<string[]> {
  const out = await lab.runNode(c.client, serverScript('http-get'), ['--url', `http://${VIP}/`, '--count', String(n)], { timeoutMs: 30_000 });
  return out.trim().split('\n');
}

async function startConsole(extra: string[] = []): Promise<{ proc: Started; url: string }> {
  const proc = startProcess(process.execPath, [IPVX_BIN, 'console', '--socket', daemon.socket, '--passwd-file', passwdFile, '--listen', '127.0.0.1:0', ...extra]);
  const line = await until('the console to listen', () => {
    if (proc.child.exitCode !== null) throw new Error(`ipvx console exited ${proc.child.exitCode}: ${proc.stderr()}`);
    return proc.lines.find((l) => /listening on http:\/\//.test(l));
  }, 30_000, 50);
  return { proc, url: /listening on (http:\/\/[^/\s]+)\//.exec(line)![1]! };
}

async function login(p: Page, url = base, password = PASSWORD): Promise<void> {
  await p.goto(`${url}/services`);
  await p.waitForURL(/\/login/);
  await p.fill('#password', password);
  if (password !== PASSWORD) {
    await p.click('form#login button[type=submit]');
    return;
  }
  // A failed login before (the refusal test's) makes the next wait (LoginThrottle): the
  // page says how long; wait that long and log in again, as a person would.
  for (let attempt = 1; ; attempt++) {
    await p.click('form#login button[type=submit]');
    const table = p.locator('[data-testid=services-table]'), refused = p.locator('#login-error:has-text("try again in")');
    await table.or(refused).first().waitFor();
    if (await table.count()) return;
    const shown = (await refused.textContent()) ?? '';
    const wait = /try again in (\d+) s/.exec(shown);
    if (!wait || attempt >= 3) throw new Error(`login refused: ${shown}`);
    await sleep(Number(wait[1]) * 1000 + 200);
  }
}

/** The row of a real on the open page. */
const realRow = (p: Page, i: number) => p.locator(`tr[data-real="${rid(i)}"]`);

/** Shot on failure too: what the page showed is the first thing to look at. */
async function step(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await screenshot(page, `failed-${name}`, true).catch(() => undefined);
    throw e;
  }
}

/** Review and apply what the open change dialog planned; the review's lines are returned. */
async function reviewAndApply(p: Page): Promise<string[]> {
  await p.waitForSelector('[data-testid=review]');
  const diff = await p.locator('[data-testid=diff] li').allTextContents();
  await p.click('[data-testid=apply]');
  await p.waitForSelector('[data-testid=change-dialog]', { state: 'detached' });
  return diff;
}

before(async () => {
  lab = await Lab.create('ipvxcon');
  c = await buildClassicLab(lab, { method: 'nat', reals: 3, servers: false });
  for (let i = 0; i < 3; i++) await startHttp(i);
  work = mkdtempSync(join(tmpdir(), 'ipvx-console-e2e-'));
  lab.removeOnDestroy(work);
  daemon = await startDirectorDaemon(c, { health: true });
  const cfg = {
    services: [{
      vip: VIP, port: 80, scheduler: 'rr', method: 'nat',
      reals: [0, 1].map((i) => ({ address: REAL[i], port: PORT, weight: 1 })),
      health: { check: { type: 'http', path: '/' }, interval: INTERVAL, timeout: TIMEOUT, rise: RISE, fall: FALL, onFailure: 'quiesce' },
    }],
  };
  execFileSync(process.execPath, [IPVX_BIN, 'apply', '--socket', daemon.socket, '-f', '-'], { input: JSON.stringify(cfg) });
  // The password as an operator sets it: ipvx console passwd, from standard input.
  passwdFile = join(work, 'console', 'passwd');
  execFileSync(process.execPath, [IPVX_BIN, 'console', 'passwd', '--passwd-file', passwdFile], { input: `${PASSWORD}\n` });
  watchProc = startProcess(process.execPath, [IPVX_BIN, 'watch', '--socket', daemon.socket]);
  const started = await startConsole();
  consoleProc = started.proc;
  base = started.url;
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ctx.newPage();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await consoleProc?.stop();
  await watchProc?.stop();
  await lab?.destroy();
});

test('a wrong password is refused; without a session every page and API call is refused', { timeout: 60_000 }, async () => {
  await step('login', async () => {
    await page.goto(`${base}/services`);
    await page.waitForURL(/\/login\?next=%2Fservices/);
    await page.fill('#password', 'not-the-password');
    await page.click('form#login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("wrong user name or password")');
    await screenshot(page, 'login-refused');
    assert.match(page.url(), /\/login/);
    // From the page (same origin, no session): every page redirects, every API call is refused.
    const codes = await page.evaluate(async () => {
      const out: Record<string, number> = {};
      for (const p of ['/', '/services', '/services/tcp/203.0.113.10/80', '/status', '/events', '/import', '/settings']) {
        out[`GET ${p}`] = (await fetch(p, { redirect: 'manual' })).status; // 0: an opaque redirect
      }
      for (const p of ['/api/session', '/api/config', '/api/snapshot', '/api/export/ipvx.yaml', '/api/export/ipvsadm-rules', '/api/history?service=x']) {
        out[`GET ${p}`] = (await fetch(p)).status;
      }
      for (const p of ['/api/plan', '/api/apply', '/api/import', '/api/logout']) {
        out[`POST ${p}`] = (await fetch(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: { services: [] }, serial: '1', text: 'x' }) })).status;
      }
      return out;
    });
    for (const [what, code] of Object.entries(codes)) assert.equal(code, what.startsWith('GET /api/') || what.startsWith('POST') ? 401 : 0, what);
    const live = await page.evaluate(() => new Promise<string>((resolve) => {
      const es = new EventSource('/api/live');
      es.onopen = () => { es.close(); resolve('opened'); };
      es.onerror = () => { es.close(); resolve('refused'); };
    }));
    assert.equal(live, 'refused', 'the live stream too');
    assert.equal(ipvx('-S', '-n').includes('-w 1'), true, 'nothing changed');
  });
});

test('after login the services and reals shown equal ipvx -L -n --stats --json', { timeout: 90_000 }, async () => {
  await step('list', async () => {
    // Some traffic first, so that there are counters to compare.
    const got = await answers(6);
    assert.deepEqual([...new Set(got)].sort(), ['rs1', 'rs2']);
    await login(page);
    await page.click('[data-testid=view-totals]');
    let last = '';
    await until('the page to show what ipvx -L -n --stats --json says', async () => {
      const cli = JSON.parse(ipvx('-L', '-n', '--stats', '--json')) as CliList;
      const want = expectedRows(cli);
      const shown = await shownRows(page);
      last = `page ${JSON.stringify(shown)}\ncli  ${JSON.stringify(want)}`;
      return JSON.stringify(shown) === JSON.stringify(want) && want[0]!.conns === '6';
    }, 20_000, 500).catch((e: Error) => { throw new Error(`${e.message}\n${last}`); });
    await page.click('text=Rates');
    await sleep(2500); // a few points on the sparklines
    await screenshot(page, 'services');
  });
});

test('adding a real in the console makes it appear in ipvx -S -n and ipvx watch, and requests reach it', { timeout: 90_000 }, async () => {
  await step('add-real', async () => {
    await page.locator(`tbody[data-service="${SID}"] tr.svc`).getByRole('button', { name: 'Add real' }).click();
    await page.fill('#f-address', REAL[2]!);
    await page.fill('#f-port', String(PORT));
    await page.click('[data-testid=real-form] button[type=submit]');
    await page.waitForSelector('[data-testid=review]');
    await screenshot(page, 'review');
    const diff = await reviewAndApply(page);
    assert.deepEqual(diff, [`+ real tcp ${VIP}:80 -> ${REAL[2]}:${PORT} nat weight 1`]);
    await page.waitForSelector(`tr[data-real="${rid(2)}"]`);
    assert.match(ipvx('-S', '-n'), new RegExp(`^-a -t ${VIP}:80 -r ${REAL[2]}:${PORT} -m -w 1$`, 'm'));
    const line = await until('ipvx watch to print the change', () => watchProc.lines.find((l) => l.includes(`+ real tcp ${VIP}:80 -> ${REAL[2]}:${PORT}`)), 10_000);
    assert.match(line, /\[console user admin from 127\.0\.0\.1 \(via local socket\)\]$/, 'who made it');
    // rs3 starts up (no alpha): round robin over three reals.
    await until('rs3 to answer', async () => (await answers(6)).includes('rs3'), 20_000, 500);
    const got = await answers(9);
    assert.deepEqual([...new Set(got)].sort(), ['rs1', 'rs2', 'rs3']);
  });
});

test('stopping a real server\'s process turns it red in the open page within interval x fall, without a reload, and green after recovery', { timeout: 90_000 }, async () => {
  await step('health', async () => {
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
    const badge = realRow(page, 1).locator('[data-health]');
    assert.equal(await badge.getAttribute('data-health'), 'up');
    const stopped = Date.now();
    await http[1]!.kill();
    await badge.and(page.locator('[data-health=down]')).waitFor({ timeout: (INTERVAL * FALL + TIMEOUT) * 1000 + SLACK_MS });
    const red = Date.now() - stopped;
    assert.ok(red <= (INTERVAL * FALL + TIMEOUT) * 1000 + SLACK_MS, `red after ${red} ms`);
    assert.match(await realRow(page, 1).locator('.reason').textContent() ?? '', /refused|ECONNREFUSED|connect/i, 'with the reason');
    assert.equal(await realRow(page, 1).locator('[data-testid=effective-weight]').textContent(), ' → 0', 'quiesced: weight in force 0');
    await screenshot(page, 'real-down');
    const restarted = Date.now();
    await startHttp(1);
    await badge.and(page.locator('[data-health=up]')).waitFor({ timeout: (INTERVAL * RISE + TIMEOUT) * 1000 + SLACK_MS });
    const green = Date.now() - restarted;
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
    process.stdout.write(`# red ${red} ms after the stop, green ${green} ms after the restart\n`);
  });
});

test('draining a real: new connections stop going to it; restoring brings it back', { timeout: 90_000 }, async () => {
  await step('drain', async () => {
    await realRow(page, 0).getByRole('button', { name: 'Drain' }).click();
    await page.click('[data-testid=change-dialog] button[type=submit]');
    const diff = await reviewAndApply(page);
    assert.deepEqual(diff, [`~ real tcp ${VIP}:80 -> ${REAL[0]}:${PORT} weight 1 -> 0`]);
    await realRow(page, 0).locator('.tag:has-text("drained")').waitFor();
    assert.match(ipvx('-S', '-n'), new RegExp(`^-a -t ${VIP}:80 -r ${REAL[0]}:${PORT} -m -w 0$`, 'm'));
    const got = await answers(12);
    assert.equal(got.length, 12);
    assert.ok(!got.includes('rs1'), `no new connection to the drained rs1: ${got.join(' ')}`);
    assert.deepEqual([...new Set(got)].sort(), ['rs2', 'rs3']);
    await screenshot(page, 'drained');
    await realRow(page, 0).getByRole('button', { name: 'Restore' }).click();
    await page.click('[data-testid=change-dialog] button[type=submit]');
    assert.deepEqual(await reviewAndApply(page), [`~ real tcp ${VIP}:80 -> ${REAL[0]}:${PORT} weight 0 -> 1`]);
    await until('rs1 to answer again', async () => (await answers(6)).includes('rs1'), 10_000, 300);
  });
});

test('a change without the CSRF token, or with an expired session, is refused and changes nothing; an invalid weight shows the daemon\'s message at the field', { timeout: 90_000 }, async () => {
  await step('refusals', async () => {
    const rules = ipvx('-S', '-n');
    // The page's own session, but no token: what a forged cross-site request would carry at best.
    const noToken = await page.evaluate(async () => {
      const cfg = await (await fetch('/api/config')).json() as { state: { services: { scheduler: string }[] }; serial: string };
      cfg.state.services[0]!.scheduler = 'wlc';
      const r = await fetch('/api/apply', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cfg) });
      return { status: r.status, body: await r.json() as { error: string } };
    });
    assert.equal(noToken.status, 403);
    assert.match(noToken.body.error, /CSRF/);
    assert.equal(ipvx('-S', '-n'), rules, 'nothing changed');

    // A session that expired: a second console with a 2 s idle timeout.
    const short = await startConsole(['--session-timeout', '2']);
    const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p2 = await ctx2.newPage();
      await login(p2, short.url);
      const token = await p2.evaluate(async () => (await (await fetch('/api/session')).json() as { csrfToken: string }).csrfToken);
      await sleep(3000);
      const late = await p2.evaluate(async (csrf) => {
        const r = await fetch('/api/apply', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ state: { services: [] }, serial: '1' }) });
        return { status: r.status, body: await r.json() as { error: string } };
      }, token);
      assert.equal(late.status, 401);
      assert.match(late.body.error, /expired/);
      await p2.waitForSelector('[data-testid=logged-out]');
      await screenshot(p2, 'session-expired');
      assert.equal(ipvx('-S', '-n'), rules, 'nothing changed');
    } finally {
      await ctx2.close();
      await short.proc.stop();
    }

    await realRow(page, 0).getByRole('button', { name: 'Edit' }).click();
    await page.fill('#f-weight', '70000');
    await page.click('[data-testid=real-form] button[type=submit]');
    const msg = page.locator('[data-field=weight] ~ [data-testid="error-weight"]');
    await msg.waitFor();
    assert.equal(await msg.textContent(), '70000 is not a weight (0-65535)');
    assert.equal(await page.getAttribute('#f-weight', 'aria-invalid'), 'true');
    await screenshot(page, 'field-error');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=change-dialog]', { state: 'detached' });
    assert.equal(ipvx('-S', '-n'), rules, 'nothing changed');
  });
});

test('two browsers editing at once: the second is told, nothing is overwritten, and it can redo its change on the current configuration', { timeout: 90_000 }, async () => {
  await step('conflict', async () => {
    const ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const b = await ctxB.newPage();
      await login(b);
      // B opens a form on the configuration as it is now...
      await realRow(b, 2).getByRole('button', { name: 'Edit' }).click();
      await b.fill('#f-weight', '5');
      // ...A changes another real meanwhile...
      await realRow(page, 1).getByRole('button', { name: 'Edit' }).click();
      await page.fill('#f-weight', '3');
      await page.click('[data-testid=real-form] button[type=submit]');
      await reviewAndApply(page);
      // ...B's change was computed on what it read: refused, and it says so.
      await b.click('[data-testid=real-form] button[type=submit]');
      await b.waitForSelector('[data-testid=conflict]');
      await screenshot(b, 'conflict');
      assert.match(ipvx('-S', '-n'), new RegExp(`-r ${REAL[1]}:${PORT} -m -w 3$`, 'm'), 'A\'s change stands');
      assert.match(ipvx('-S', '-n'), new RegExp(`-r ${REAL[2]}:${PORT} -m -w 1$`, 'm'), 'B\'s was not applied');
      await b.click('text=Review again on the current configuration');
      const diff = await reviewAndApply(b);
      assert.deepEqual(diff, [`~ real tcp ${VIP}:80 -> ${REAL[2]}:${PORT} weight 1 -> 5`], 'only B\'s own change, on top of A\'s');
      const rules = ipvx('-S', '-n');
      assert.match(rules, new RegExp(`-r ${REAL[1]}:${PORT} -m -w 3$`, 'm'));
      assert.match(rules, new RegExp(`-r ${REAL[2]}:${PORT} -m -w 5$`, 'm'));
    } finally {
      await ctxB.close();
    }
  });
});

test('a service made, its health check set and the service deleted through the forms; HA and timeouts settings through theirs', { timeout: 90_000 }, async () => {
  await step('forms', async () => {
    await page.click('nav a[href="/services"]');
    await page.keyboard.press('n');
    await page.fill('#f-vip', VIP);
    await page.fill('#f-port', '81');
    await page.selectOption('#f-scheduler', 'wrr');
    await page.selectOption('#f-method', 'nat');
    await page.selectOption('#f-health-check-type', 'tcp');
    await page.fill('#f-health-interval', '1');
    await page.click('[data-testid=service-form] button[type=submit]');
    assert.deepEqual(await reviewAndApply(page), [`+ service tcp ${VIP}:81 wrr`]);
    assert.match(ipvx('-S', '-n'), new RegExp(`^-A -t ${VIP}:81 -s wrr$`, 'm'));
    const svc81 = page.locator(`tbody[data-service="tcp|${VIP}|81"]`);
    await svc81.getByRole('button', { name: 'Add real' }).click();
    await page.fill('#f-address', REAL[0]!);
    await page.fill('#f-port', String(PORT));
    await page.fill('#f-weight', '2');
    await page.click('[data-testid=real-form] button[type=submit]');
    assert.deepEqual(await reviewAndApply(page), [`+ real tcp ${VIP}:81 -> ${REAL[0]}:${PORT} nat weight 2`]);
    await svc81.locator('[data-health=up]').waitFor({ timeout: 10_000 });
    await svc81.locator('a.svc-name').click();
    await page.getByRole('button', { name: 'Delete service' }).click();
    await page.click('[data-testid=change-dialog] button[type=submit]');
    assert.deepEqual(await reviewAndApply(page), [`- service tcp ${VIP}:81`]);
    await page.waitForURL(/\/services$/);
    assert.doesNotMatch(ipvx('-S', '-n'), /:81 /);

    await page.keyboard.press('c');
    await page.locator('[data-testid=timeouts-settings]').getByRole('button', { name: 'Edit' }).click();
    await page.fill('#f-tcp', '600');
    await page.click('[data-testid=change-dialog] button[type=submit]');
    assert.deepEqual(await reviewAndApply(page), ['~ timeouts tcp 900 -> 600']);
    assert.match(ipvx('-L', '--timeout'), /Timeout \(tcp tcpfin udp\): 600 120 300/);
    // HA with a peer that is no address: the daemon says so at the field, nothing changes.
    await page.locator('[data-testid=ha-settings]').getByRole('button', { name: 'Edit' }).click();
    await page.check('text=Enabled');
    await page.fill('#f-localAddress', '192.0.2.254');
    await page.fill('#f-peerAddress', '192.0.2.300');
    await page.fill('#f-key', 'a-shared-key-for-the-test');
    await page.click('[data-testid=change-dialog] button[type=submit]');
    const err = page.locator('[data-testid="error-peerAddress"]');
    await err.waitFor();
    assert.match(await err.textContent() ?? '', /192\.0\.2\.300/);
    await page.keyboard.press('Escape');
    const api = daemon.client();
    try {
      assert.equal((await api.getConfig()).ha, null, 'no HA settings were stored');
    } finally { api.close(); }
  });
});

test('uploading the piranha sample shows its services and what it cannot import before anything is applied; export gives ipvx -S -n', { timeout: 60_000 }, async () => {
  await step('import', async () => {
    const rules = ipvx('-S', '-n');
    await page.click('nav a[href="/import"]');
    await page.setInputFiles('[data-testid=import-file]', SAMPLE);
    await page.waitForSelector('[data-testid=import-preview]');
    const services = await page.locator('[data-testid=import-services] tbody tr').allTextContents();
    assert.equal(services.length, 1);
    assert.match(services[0]!, /TCP 10\.0\.0\.50:80/);
    assert.match(services[0]!, /wlc/);
    assert.match(services[0]!, /192\.168\.1\.100:80 \(w 1\), 192\.168\.1\.200:80 \(w 1\)/);
    const unmapped = await page.locator('[data-testid=import-unmapped] tbody tr td:first-child').allTextContents();
    assert.deepEqual(unmapped, ['1', '11', '12', '13']);
    assert.match(await page.locator('[data-testid=import-problems]').textContent() ?? '', /ha\.key/);
    await screenshot(page, 'import', true);
    assert.equal(ipvx('-S', '-n'), rules, 'shown, not applied');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-rules]')]);
    assert.equal(readFileSync((await download.path())!, 'utf8'), rules, 'the export is ipvx -S -n');
  });
});

test('the other pages: a service with its charts, status, events, settings, and the services on a phone', { timeout: 60_000 }, async () => {
  await step('pages', async () => {
    await page.click('nav a[href="/services"]');
    await page.click(`tbody[data-service="${SID}"] a.svc-name`);
    await page.waitForSelector('[data-testid=service-name]');
    await answers(20);
    await sleep(4500); // two polls: the charts have a rise to show
    await screenshot(page, 'service', true);
    // HA on, with a peer that never answers: after its deadtime this director is active alone.
    await page.keyboard.press('c');
    await page.locator('[data-testid=ha-settings]').getByRole('button', { name: 'Edit' }).click();
    await page.check('text=Enabled');
    await page.fill('#f-localAddress', PLAN[4].dirBack);
    await page.fill('#f-peerAddress', '198.51.100.250');
    await page.fill('#f-keepalive', '0.5');
    await page.fill('#f-deadtime', '2');
    await page.fill('#f-key', 'a shared key for the test');
    await page.click('[data-testid=change-dialog] button[type=submit]');
    assert.match((await reviewAndApply(page)).join('\n'), /^\+ ha peer 198\.51\.100\.250$/);
    await page.keyboard.press('t'); // keyboard: the Status section
    await page.waitForSelector('[data-testid=dataplane-counters]');
    const ha = page.locator('[data-testid=ha-card]');
    await ha.locator('.role-active').waitFor({ timeout: 15_000 });
    assert.match(await ha.textContent() ?? '', /198\.51\.100\.250.*never heard/);
    assert.match(await ha.locator('[data-testid=heartbeat-age]').textContent() ?? '', /^never$/);
    assert.equal(await page.locator('header [data-testid=role]').textContent(), 'active');
    const fwd = await page.locator('tr[data-counter=redirect] td.num').first().textContent();
    assert.ok(Number(fwd?.replace(/,/g, '')) > 0, 'the data plane\'s counters are shown');
    await screenshot(page, 'status', true);
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid=events-table] tr[data-kind=real]');
    const origins = await page.locator('[data-testid=origin]').allTextContents();
    assert.ok(origins.some((o) => o === 'console user admin from 127.0.0.1 (via local socket)'), origins.join(' | '));
    await screenshot(page, 'events');
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=ha-settings]');
    await screenshot(page, 'settings');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      await login(p);
      await screenshot(p, 'services-phone', true);
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling on a phone (${width} px)`);
    } finally {
      await phone.close();
    }
  });
});

test('a fwmark service with a GUE real, made with ipvsadm commands, is shown as FWM 7 with its tunnel; editing the real in the console keeps the mark and the tunnel; a GRE real and the mark rule through the forms', { timeout: 60_000 }, async () => {
  await step('fwmark', async () => {
    ipvx('-A', '-f', '7', '-s', 'wlc', '-p', '600');
    ipvx('-a', '-f', '7', '-r', `${REAL[2]}:0`, '-i', '-w', '2', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum');
    const fsid = 'fwm|0.0.0.0|7';
    await page.goto(`${base}/services`);
    const body = page.locator(`tbody[data-service="${fsid}"]`);
    await body.waitFor();
    assert.equal((await body.locator('a.svc-name').textContent())?.trim(), 'FWM 7');
    const row = page.locator(`tr[data-real="${fsid}#${REAL[2]}|0"]`);
    assert.equal((await row.locator('td[data-col=forward]').textContent())?.trim(), 'TUN gue:6080');
    await body.locator('a.svc-name').click();
    await page.waitForURL(/\/services\/fwm\/0\.0\.0\.0\/7$/);
    assert.equal((await page.locator('[data-testid=service-name]').textContent())?.trim(), 'FWM 7');
    await page.locator(`tr[data-real="${fsid}#${REAL[2]}|0"]`).getByRole('button', { name: 'Edit' }).click();
    await page.fill('#f-weight', '5');
    await page.click('[data-testid=real-form] button[type=submit]');
    assert.equal((await reviewAndApply(page)).length, 1, 'one change: the weight');
    const rules = ipvx('-S', '-n');
    assert.match(rules, /^-A -f 7 -s wlc -p 600$/m);
    assert.match(rules, new RegExp(`^-a -f 7 -r ${REAL[2]!.replace(/\./g, '\\.')}:0 -i -w 5 --tun-type gue --tun-port 6080 --tun-csum$`, 'm'));

    // A GRE real with checksums, through the add-real form.
    await page.goto(`${base}/services`);
    await page.locator(`tbody[data-service="${fsid}"]`).getByRole('button', { name: 'Add real' }).click();
    await page.fill('#f-address', REAL[1]!);
    await page.selectOption('#f-method', 'tun');
    await page.selectOption('#f-tunType', 'gre');
    assert.equal(await page.locator('#f-tunPort').count(), 0, 'GRE has no port');
    assert.deepEqual(await page.locator('#f-tunChecksum option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['nocsum', 'csum'], 'remote checksum offload is GUE only');
    await page.selectOption('#f-tunChecksum', 'csum');
    await page.click('[data-testid=real-form] button[type=submit]');
    assert.equal((await reviewAndApply(page)).length, 1);
    assert.match(ipvx('-S', '-n'), new RegExp(`^-a -f 7 -r ${REAL[1]!.replace(/\./g, '\\.')}:0 -i -w 1 --tun-type gre --tun-csum$`, 'm'));

    // The mark rule that feeds FWM 7, through the settings form: a bad destination is named at its field.
    await page.goto(`${base}/settings`);
    await page.locator('[data-testid=mark-settings]').getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.fill('[aria-label="Rule 1 Mark"]', '7');
    await page.fill('[aria-label="Rule 1 Destination"]', '203.0.113.300');
    await page.fill('[aria-label="Rule 1 Ports"]', '80,8443');
    await page.click('[data-testid=marks-form] button[type=submit]');
    const fieldError = page.locator('[data-testid=marks-form] td.invalid .field-error');
    await fieldError.waitFor();
    assert.match(await fieldError.textContent() ?? '', /203\.0\.113\.300/);
    assert.doesNotMatch(ipvx('mark', 'list'), /8443/, 'nothing applied');
    await page.fill('[aria-label="Rule 1 Destination"]', VIP);
    await page.click('[data-testid=marks-form] button[type=submit]');
    const added = await reviewAndApply(page);
    assert.equal(added.length, 1);
    assert.match(added[0]!, /^\+ mark 7 tcp 203\.0\.113\.10(\/32)? ports 80,8443$/);
    assert.match(ipvx('mark', 'list'), /7 +tcp +203\.0\.113\.10\/32 +80,8443/);
    assert.match(await page.locator('[data-testid=mark-rules]').textContent() ?? '', /7203\.0\.113\.10\/32tcp80,8443/);
    // And removed there again.
    await page.locator('[data-testid=mark-settings]').getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.click('[data-testid=marks-form] button[type=submit]');
    assert.deepEqual((await reviewAndApply(page)).map((d) => d.slice(0, 8)), ['- mark 7']);
    assert.doesNotMatch(ipvx('mark', 'list'), /8443/);
    ipvx('-D', '-f', '7');
  });
});

// ---- the listing's comparison ----

interface CliReal { address: string; port: number; forward: string; weight: number; configuredWeight: number; health: string; activeConns: number; inactiveConns: number; stats: Record<string, number> }
interface CliList { services: { protocol: string; address: string; port: number; scheduler: string; stats: Record<string, number>; reals: CliReal[] }[] }
interface Row { service: string; scheduler: string; conns: string; inPkts: string; outPkts: string; inBytes: string; outBytes: string; reals: Record<string, string>[] }

const num = (v: number | string) => String(v);

function expectedRows(cli: CliList): Row[] {
  return cli.services.map((s) => ({
    service: `${s.protocol}|${s.address}|${s.port}`, scheduler: s.scheduler,
    conns: num(s.stats.conns!), inPkts: num(s.stats.inPkts!), outPkts: num(s.stats.outPkts!), inBytes: num(s.stats.inBytes!), outBytes: num(s.stats.outBytes!),
    reals: s.reals.map((r) => ({
      real: `${r.address}:${r.port}`, forward: r.forward.toUpperCase(), weight: num(r.configuredWeight), effective: num(r.weight),
      health: r.health === 'unknown' ? 'unchecked' : r.health, activeConns: num(r.activeConns), inactiveConns: num(r.inactiveConns),
      conns: num(r.stats.conns!), inPkts: num(r.stats.inPkts!), outPkts: num(r.stats.outPkts!), inBytes: num(r.stats.inBytes!), outBytes: num(r.stats.outBytes!),
    })).sort((a, b) => a.real.localeCompare(b.real)),
  }));
}

/** The Totals view of the services page, as text without the thousands separators. */
function shownRows(p: Page): Promise<Row[]> {
  return p.$$eval('tbody[data-service]', (bodies) => bodies.map((b) => {
    const cell = (el: Element, k: string) => (el.querySelector(`[data-col="${k}"]`)?.textContent ?? '').trim().replace(/,/g, '');
    const svc = b.querySelector('tr.svc')!;
    return {
      service: b.getAttribute('data-service') ?? '', scheduler: cell(svc, 'scheduler'),
      conns: cell(svc, 'conns'), inPkts: cell(svc, 'inPkts'), outPkts: cell(svc, 'outPkts'), inBytes: cell(svc, 'inBytes'), outBytes: cell(svc, 'outBytes'),
      reals: [...b.querySelectorAll('tr[data-real]')].map((tr) => {
        const eff = tr.querySelector('[data-testid=effective-weight]')?.textContent?.replace(/[^\d]/g, '');
        const weight = tr.querySelector('[data-testid=weight]')?.textContent ?? '';
        return {
          real: tr.querySelector('.real-name')?.textContent ?? '', forward: cell(tr, 'forward'), weight, effective: eff ?? weight,
          health: tr.querySelector('[data-health]')?.getAttribute('data-health') ?? '', activeConns: cell(tr, 'activeConns'), inactiveConns: cell(tr, 'inactiveConns'),
          conns: cell(tr, 'conns'), inPkts: cell(tr, 'inPkts'), outPkts: cell(tr, 'outPkts'), inBytes: cell(tr, 'inBytes'), outBytes: cell(tr, 'outBytes'),
        };
      }).sort((x, y) => x.real.localeCompare(y.real)),
    };
  }));
}
