// UDP client: `node udp-client.js --host 192.0.2.2 --port 7 --message hello [--timeout-ms 1000] [--tries 3]`.
// Sends the message and prints the first reply; resends on timeout; exits 1 when nothing came back.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string', default: '7' }, message: { type: 'string', default: 'ping' },
    'timeout-ms': { type: 'string', default: '1000' }, tries: { type: 'string', default: '3' } },
});
if (!values.host) { console.error('--host is required'); process.exit(2); }
const sock = createSocket(values.host.includes(':') ? 'udp6' : 'udp4');
let tries = Number(values.tries);
let timer: NodeJS.Timeout | undefined;
function send(): void {
  if (tries-- <= 0) { console.error('no reply'); process.exit(1); }
  sock.send(values.message!, Number(values.port), values.host);
  timer = setTimeout(send, Number(values['timeout-ms']));
}
sock.on('message', (msg) => {
  clearTimeout(timer);
  process.stdout.write(msg.toString() + '\n');
  sock.close();
});
sock.on('error', (e) => { console.error(String(e)); process.exit(1); });
send();
