// UDP client: `node udp-client.js --host 192.0.2.2 --port 7 --message hello [--count N] [--timeout-ms 1000] [--tries 3] [--one-socket]`.
// Sends the message from a new socket (a new source port: a new flow) N times in a row and
// prints the first reply to each; resends on timeout; exits 1 when one got no reply.
// --one-socket: every message from one socket (one source port: one 5-tuple).
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string', default: '7' }, message: { type: 'string', default: 'ping' },
    count: { type: 'string', default: '1' }, 'timeout-ms': { type: 'string', default: '1000' }, tries: { type: 'string', default: '3' },
    'one-socket': { type: 'boolean', default: false } },
});
if (!values.host) { console.error('--host is required'); process.exit(2); }
const host = values.host;
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 10_000) { console.error(`--count ${values.count}: expected 1..10000`); process.exit(2); }

const shared = values['one-socket'] ? createSocket(host.includes(':') ? 'udp6' : 'udp4') : undefined;

function ask(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = shared ?? createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = () => { sock.removeAllListeners(); if (!shared) sock.close(); };
    let tries = Number(values.tries);
    let timer: NodeJS.Timeout | undefined;
    const send = () => {
      if (tries-- <= 0) { done(); reject(new Error(`no reply from ${host}:${values.port}`)); return; }
      sock.send(message, Number(values.port), host);
      timer = setTimeout(send, Number(values['timeout-ms']));
    };
    sock.on('message', (msg) => {
      clearTimeout(timer);
      done();
      resolve(msg.toString());
    });
    sock.on('error', (e) => { clearTimeout(timer); done(); reject(e); });
    send();
  });
}

for (let i = 0; i < count; i++) {
  try {
    process.stdout.write((await ask(values.message!)) + '\n');
  } catch (e) {
    console.error(String(e));
    process.exit(1);
  }
}
shared?.close();
