// HTTP client: `node http-get.js --url http://[2001:db8::2]:80/ [--count N] [--timeout-ms 5000] [--digest] [--local-port P]`.
// Makes N sequential requests (each on a new connection) and prints each response body
// as is (--digest: "<bytes> <sha256>" of it instead); exits 0 when all were 2xx, exits 1
// with the error on stderr at the first failure. --local-port: every connection from
// that one source port (each waits until the one before is closed), as a client that
// reuses its port.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' }, count: { type: 'string', default: '1' }, 'timeout-ms': { type: 'string', default: '5000' }, digest: { type: 'boolean' },
    'local-port': { type: 'string' },
  },
});
if (!values.url) { console.error('--url is required'); process.exit(2); }
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 100_000) { console.error(`--count ${values.count}: expected 1..100000`); process.exit(2); }
const localPort = values['local-port'] === undefined ? undefined : Number(values['local-port']);
if (localPort !== undefined && !(Number.isInteger(localPort) && localPort > 0 && localPort < 65536)) { console.error(`--local-port ${values['local-port']}: expected 1..65535`); process.exit(2); }

function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: Number(values['timeout-ms']), ...(localPort ? { localPort } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const done = () => (res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`)));
        // The next connection from the same port needs this one closed.
        if (localPort && !res.socket.closed) res.socket.once('close', done);
        else done();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** get(), retried while the port is still held by the connection before (its last ACK in flight). */
async function getFromPort(url: string): Promise<Buffer> {
  for (let tries = 1; ; tries++) {
    try {
      return await get(url);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!localPort || tries >= 50 || (code !== 'EADDRNOTAVAIL' && code !== 'EADDRINUSE')) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

for (let i = 0; i < count; i++) {
  try {
    const body = await getFromPort(values.url);
    process.stdout.write(values.digest ? `${body.length} ${createHash('sha256').update(body).digest('hex')}\n` : body);
  } catch (e) {
    console.error(`request ${i + 1} of ${count}: ${String(e)}`);
    process.exit(1);
  }
}
