// TCP sink: `node tcp-sink.js --port 9000 --host ::`. For every connection, reads the stream
// to its end and prints one JSON line {"bytes":N,"sha256":"...","remote":"addr port"} when the
// client closes. Prints "ready" once listening.
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' }, host: { type: 'string', default: '::' } } });
const server = createServer((sock) => {
  const h = createHash('sha256');
  let bytes = 0;
  const remote = `${sock.remoteAddress} ${sock.remotePort}`;
  sock.on('data', (c: Buffer) => { h.update(c); bytes += c.length; });
  sock.on('end', () => {
    console.log(JSON.stringify({ bytes, sha256: h.digest('hex'), remote }));
    sock.end();
  });
  sock.on('error', (e) => console.error(String(e)));
});
server.listen({ port: Number(values.port), host: values.host, ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
