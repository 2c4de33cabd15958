// TCP echo: `node tcp-echo.js --port 9000 --host ::`. Sends back every byte it reads;
// prints "ready" once listening.
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' }, host: { type: 'string', default: '::' } } });
const server = createServer((sock) => {
  sock.pipe(sock);
  sock.on('error', (e) => console.error(String(e)));
});
server.listen({ port: Number(values.port), host: values.host, ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
