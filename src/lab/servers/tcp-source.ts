// TCP source: `node tcp-source.js --host 192.0.2.2 --port 9000 --bytes 5000000 [--seed 1] [--pace-ms 0]`.
// Sends N bytes of deterministic pseudo-random data (xorshift32 from the seed), closes its
// side, waits for the server to close, and prints {"bytes":N,"sha256":"..."}.
// A long-lived connection, for changes made while it is open:
//   --pause-at B   after B bytes, prints "paused" and sends nothing until SIGUSR1;
//   --pace-ms M    waits M ms after each 64 KiB chunk (after the pause, if any).
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string', default: '9000' }, bytes: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' }, 'pace-ms': { type: 'string', default: '0' }, 'pause-at': { type: 'string' } },
});
if (!values.host) { console.error('--host is required'); process.exit(2); }
const total = Number(values.bytes);
let state = (Number(values.seed) >>> 0) || 0x9e3779b9;
function chunk(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    const v = state;
    for (let j = 0; j < 4 && i + j < n; j++) b[i + j] = (v >>> (j * 8)) & 0xff;
  }
  return b;
}
const h = createHash('sha256');
const sock = connect({ host: values.host, port: Number(values.port) });
let sent = 0;
const paceMs = Number(values['pace-ms']);
const pauseAt = values['pause-at'] === undefined ? Infinity : Number(values['pause-at']);
let phase: 'before' | 'paused' | 'after' = pauseAt < total ? 'before' : 'after';
process.on('SIGUSR1', () => {
  if (phase !== 'paused') return;
  phase = 'after';
  pump();
});
function pump(): void {
  while (sent < total) {
    if (phase === 'paused') return;
    if (phase === 'before' && sent >= pauseAt) {
      phase = 'paused';
      // Say so once the bytes so far are handed to the kernel.
      if (sock.writableLength === 0) console.log('paused');
      else sock.once('drain', () => console.log('paused'));
      return;
    }
    const c = chunk(Math.min(65536, total - sent, phase === 'before' ? pauseAt - sent : Infinity));
    sent += c.length;
    h.update(c);
    const flushed = sock.write(c);
    if (paceMs > 0 && phase === 'after' && sent < total) { setTimeout(pump, paceMs); return; }
    if (!flushed) { sock.once('drain', pump); return; }
  }
  sock.end();
}
sock.on('connect', pump);
sock.on('data', () => { /* ignore */ });
sock.on('close', (hadError) => {
  if (hadError) process.exit(1);
  console.log(JSON.stringify({ bytes: sent, sha256: h.digest('hex'), local: `${sock.localAddress} ${sock.localPort}` }));
});
sock.on('error', (e) => { console.error(String(e)); process.exit(1); });
