// `ipvx console`: the web console, its own process beside the daemon (it talks to the
// daemon's socket like the CLI does), and `ipvx console passwd` to set its password.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { IpvxClient } from '../api/client.js';
import { resolveSocket } from '../common/paths.js';
import { DaemonLink } from './daemon-link.js';
import { pinoLogger } from '../common/log.js';
import { buildConsole } from './server.js';
import { listenPlan, DEFAULT_LISTEN } from './listen.js';
import { DEFAULT_PASSWD_FILE, DEFAULT_USER, setPassword, readPasswdFile, checkNewPassword } from './passwd.js';
import { DEFAULT_POLICY } from './sessions.js';

export const CONSOLE_HELP = `Usage: ipvx console [options]
       ipvx console passwd [--user NAME] [--passwd-file FILE]
The web console of the ipvx daemon of this network namespace: http://127.0.0.1:3636/ by default.
  --listen ADDR:PORT      where to listen (default ${DEFAULT_LISTEN}); any address but loopback needs TLS
  --tls-cert FILE --tls-key FILE
                          serve HTTPS with this certificate and key (PEM)
  --insecure              allow plain HTTP on a non-loopback address (passwords cross the network in clear)
  --passwd-file FILE      users and password hashes (default ${DEFAULT_PASSWD_FILE}); set with: ipvx console passwd
  --session-timeout SECS  log a session out after this long without a request (default ${DEFAULT_POLICY.idleMs / 1000})
  --session-max SECS      and this long after its login in any case (default ${DEFAULT_POLICY.maxMs / 1000})
  --socket PATH           the daemon's socket (default: this namespace's, /run/ipvx/<netns>.sock)
  --run-dir DIR           the daemon's run directory (as ipvx daemon --run-dir)
  --log-level LEVEL       trace|debug|info|warn|error (default info); logs are JSON on stderr
passwd: sets a user's password (default user ${DEFAULT_USER}), asked twice on a terminal or read as one
line from standard input; stored as a scrypt hash in a file of mode 0600.`;

/** build/js/src/console/cli.js -> build/web (the front end built by Vite at make build). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web', import.meta.url));

export async function runConsoleCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'passwd') return passwd(argv.slice(1));
  let v;
  try {
    v = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        listen: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, insecure: { type: 'boolean' },
        'passwd-file': { type: 'string' }, 'session-timeout': { type: 'string' }, 'session-max': { type: 'string' },
        socket: { type: 'string' }, 'run-dir': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    console.error(`ipvx console: ${(e as Error).message}\n${CONSOLE_HELP}`);
    return 2;
  }
  if (v.help) { console.log(CONSOLE_HELP); return 0; }
  const seconds = (name: string, text: string | undefined, dflt: number) => {
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > 7 * 86400) throw new Error(`--${name} ${text}: expected whole seconds, 1 to ${7 * 86400}`);
    return n * 1000;
  };
  let plan, sessions;
  const passwdFile = v['passwd-file'] ?? DEFAULT_PASSWD_FILE;
  try {
    plan = listenPlan({ listen: v.listen ?? DEFAULT_LISTEN, ...(v['tls-cert'] ? { tlsCert: v['tls-cert'] } : {}), ...(v['tls-key'] ? { tlsKey: v['tls-key'] } : {}), insecure: Boolean(v.insecure) });
    sessions = { idleMs: seconds('session-timeout', v['session-timeout'], DEFAULT_POLICY.idleMs), maxMs: seconds('session-max', v['session-max'], DEFAULT_POLICY.maxMs) };
    readPasswdFile(passwdFile); // no console that nobody can log in to
    if (!existsSync(`${WEB_ROOT}/index.html`)) throw new Error(`the console's pages are not built (no ${WEB_ROOT}/index.html): run make build`);
  } catch (e) {
    console.error(`ipvx console: ${(e as Error).message}`);
    return 2;
  }
  const log = pino({ level: v['log-level'] ?? 'info', base: { pid: process.pid, component: 'console' } }, pino.destination({ fd: 2, sync: true }));
  // The socket as every ipvx command finds it.
  const socket = resolveSocket({ socket: v.socket, runDir: v['run-dir'] });
  // Not IpvxClient.local: the console starts (and says so) while the daemon is down, and reconnects.
  const link = new DaemonLink({ client: new IpvxClient(`unix:${socket}`, { timeoutMs: 30_000 }), log: pinoLogger(log) });
  const app = await buildConsole({ link, passwdFile, webRoot: WEB_ROOT, sessions, log, ...(plan.tls ? { tls: plan.tls } : {}) });
  let address: string;
  try {
    address = await app.listen({ host: plan.host, port: plan.port });
  } catch (e) {
    console.error(`ipvx console: cannot listen on ${v.listen ?? DEFAULT_LISTEN}: ${(e as Error).message}`);
    await app.close();
    return 1;
  }
  link.start();
  if (!plan.tls && v.insecure) log.warn({ address }, 'serving the console without TLS (--insecure): passwords and session cookies cross the network in clear');
  log.info({ address, socket, passwdFile }, 'console listening');
  console.log(`ipvx console: listening on ${address}/ (daemon socket ${socket})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  link.stop();
  await app.close();
  return 0;
}

async function passwd(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { user: { type: 'string' }, 'passwd-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    console.error(`ipvx console passwd: ${(e as Error).message}\n${CONSOLE_HELP}`);
    return 2;
  }
  if (v.help) { console.log(CONSOLE_HELP); return 0; }
  const user = v.user ?? DEFAULT_USER;
  const file = v['passwd-file'] ?? DEFAULT_PASSWD_FILE;
  let password: string;
  if (process.stdin.isTTY) {
    password = await askHidden(`New console password for ${user}: `);
    const bad = checkNewPassword(password);
    if (bad) { console.error(`ipvx console passwd: ${bad}`); return 2; }
    if (await askHidden('Again: ') !== password) { console.error('ipvx console passwd: the two passwords differ; nothing changed'); return 2; }
  } else {
    password = readFileSync(0, 'utf8').split('\n', 1)[0]!.replace(/\r$/, '');
  }
  try {
    await setPassword(file, user, password);
  } catch (e) {
    console.error(`ipvx console passwd: ${(e as Error).message}`);
    return 2;
  }
  console.log(`password of ${user} set in ${file}`);
  return 0;
}

/** A line from the terminal without echo. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const done = (e?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stdout.write('\n');
      if (e) reject(e); else resolve(text);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
