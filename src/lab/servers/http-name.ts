// HTTP server that answers with its own name: `node http-name.js --name rs1 --port 80 --host ::`.
// GET /        -> "<name>\n"
// GET /client  -> "<client address> <client port>\n" (what the server saw: useful for NAT/DR checks)
// GET /local   -> "<name> <local address>\n" (the address the connection reached: which real, under NAT)
// GET /bytes/N -> N bytes (0..255 repeated; at most 100 MB): a download
// Prints "ready" once listening; one JSON line per request on stdout is not printed (keep it quiet).
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { name: { type: 'string', default: 'server' }, port: { type: 'string', default: '80' }, host: { type: 'string', default: '::' } },
});
const name = values.name!;
const server = createServer((req, res) => {
  const n = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
  if (n && Number(n[1]) <= 100_000_000) {
    const body = Buffer.alloc(Number(n[1]));
    for (let i = 0; i < body.length; i++) body[i] = i & 255;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-server': name, 'content-length': body.length });
    res.end(body);
    return;
  }
  const body = req.url === '/client' ? `${req.socket.remoteAddress} ${req.socket.remotePort}\n`
    : req.url === '/local' ? `${name} ${req.socket.localAddress}\n` : `${name}\n`;
  res.writeHead(200, { 'content-type': 'text/plain', 'x-server': name, 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 1000;
server.listen({ port: Number(values.port), host: values.host, ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); process.exit(0); });
