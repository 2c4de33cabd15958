// Load for failover tests: `node ha-load.js --host VIP --echo-port 9000 --http-port 80
// [--conns 20] [--interval-ms 50] [--short-ms 100] [--max-seconds 120]`.
// - `conns` long TCP connections to an echo server, each writing 64 numbered bytes every
//   interval and checking that exactly those bytes come back, in order;
// - a short HTTP request every `short-ms` (own connection, 1.5 s timeout), each recorded
//   with its start time and outcome.
// First one throwaway echo connection (--skew 1): the standby's scheduler starts fresh
// at takeover, and without it would repeat the active's round-robin choices by chance,
// hiding a missing connection sync. Prints "ready" once every long connection is up. On SIGTERM (or after max-seconds):
// stops writing, waits up to 10 s for the echoes, closes, prints one JSON line
// {long: [{sent, echoed, mismatch, error, lastEchoAt}], short: [{at, ok, ms, error?}]} and exits.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string' }, 'echo-port': { type: 'string', default: '9000' }, 'http-port': { type: 'string', default: '80' },
    conns: { type: 'string', default: '20' }, 'interval-ms': { type: 'string', default: '50' }, 'short-ms': { type: 'string', default: '100' },
    'max-seconds': { type: 'string', default: '120' }, skew: { type: 'string', default: '1' },
  },
});
const host = values.host!;
const N = Number(values.conns);

interface Long { sock: Socket; sent: number; echoed: number; mismatch: number; error: string | null; lastEchoAt: number; closed: boolean }
const byte = (conn: number, i: number) => (conn * 131 + i * 7 + (i >> 8)) & 0xff;

for (let i = 0; i < Number(values.skew); i++) {
  await new Promise<void>((resolve, reject) => {
    const s = connect({ host, port: Number(values['echo-port']) }, () => s.write('x'));
    s.once('data', () => { s.end(); resolve(); });
    s.once('error', reject);
  });
}

const longs: Long[] = [];
let connected = 0;
for (let c = 0; c < N; c++) {
  const sock = connect({ host, port: Number(values['echo-port']) });
  const l: Long = { sock, sent: 0, echoed: 0, mismatch: 0, error: null, lastEchoAt: 0, closed: false };
  longs.push(l);
  sock.setNoDelay(true);
  sock.on('connect', () => { if (++connected === N) console.log('ready'); });
  sock.on('data', (d: Buffer) => {
    for (const b of d) {
      if (b !== byte(c, l.echoed)) l.mismatch++;
      l.echoed++;
    }
    l.lastEchoAt = Date.now();
  });
  sock.on('error', (e) => { l.error ??= String(e); });
  sock.on('close', () => { l.closed = true; });
}

let writing = true;
const writer = setInterval(() => {
  if (!writing) return;
  for (const [c, l] of longs.entries()) {
    if (l.closed || l.error || l.sock.connecting) continue;
    const chunk = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) chunk[i] = byte(c, l.sent + i);
    l.sent += 64;
    l.sock.write(chunk);
  }
}, Number(values['interval-ms']));

const short: { at: number; ok: boolean; ms: number; error?: string }[] = [];
const shortTimer = setInterval(() => {
  if (!writing) return;
  const at = Date.now();
  const rec: (typeof short)[number] = { at, ok: false, ms: 0 };
  short.push(rec);
  const done = (ok: boolean, error?: string) => {
    if (rec.ms) return;
    rec.ms = Date.now() - at || 1;
    rec.ok = ok;
    if (error) rec.error = error;
  };
  const req = request({ host, port: Number(values['http-port']), path: '/', agent: false, timeout: 1500 }, (res) => {
    res.resume();
    res.on('end', () => done(res.statusCode === 200));
    res.on('error', (e) => done(false, String(e)));
  });
  req.on('timeout', () => { req.destroy(new Error('timeout')); });
  req.on('error', (e) => done(false, String(e)));
  req.end();
}, Number(values['short-ms']));

async function finish(): Promise<void> {
  writing = false;
  clearInterval(writer);
  clearInterval(shortTimer);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && longs.some((l) => !l.error && !l.closed && l.echoed < l.sent)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1600)); // let the last short requests end
  for (const l of longs) l.sock.end();
  // Exit once the line is written: a long run's result is hundreds of kB, and
  // process.exit() right after console.log cut it short in the pipe.
  process.stdout.write(`${JSON.stringify({
    long: longs.map(({ sent, echoed, mismatch, error, lastEchoAt }) => ({ sent, echoed, mismatch, error, lastEchoAt })),
    short: short.map((s) => (s.ms ? s : { ...s, error: 'unfinished' })),
  })}\n`, () => process.exit(0));
}
process.once('SIGTERM', () => void finish());
setTimeout(() => void finish(), Number(values['max-seconds']) * 1000).unref();
