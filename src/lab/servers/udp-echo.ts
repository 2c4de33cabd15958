// UDP echo server: `node udp-echo.js --port 7 --host ::` sends every datagram back to its sender.
// With --prefix NAME the reply is "NAME:" + the datagram (to tell servers apart). Prints "ready".
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '7' }, host: { type: 'string', default: '::' }, prefix: { type: 'string' } } });
const v6 = values.host!.includes(':');
const sock = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: false });
const prefix = values.prefix !== undefined ? Buffer.from(`${values.prefix}:`) : Buffer.alloc(0);
sock.on('message', (msg, rinfo) => sock.send(Buffer.concat([prefix, msg]), rinfo.port, rinfo.address));
sock.on('error', (e) => { console.error(String(e)); process.exit(1); });
sock.bind(Number(values.port), values.host, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
