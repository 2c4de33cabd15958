// TCP line echo that names itself: `node tcp-echo-name.js --name rs1 --port 9000 [--host ::]`.
// Answers every line "<text>" with "<name> <text>". Prints "ready" once listening.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { name: { type: 'string', default: 'server' }, port: { type: 'string', default: '9000' }, host: { type: 'string', default: '::' } } });
const server = createServer((sock) => {
  sock.on('error', () => { /* a reset client is not our problem */ });
  const lines = createInterface({ input: sock });
  lines.on('error', () => { /* readline re-emits the socket's errors */ });
  lines.on('line', (l) => { if (sock.writable) sock.write(`${values.name} ${l}\n`); });
});
server.listen({ port: Number(values.port), host: values.host, ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
