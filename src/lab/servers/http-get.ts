// HTTP client: `node http-get.js --url http://[2001:db8::2]:80/ [--count N] [--timeout-ms 5000] [--digest]`.
// Makes N sequential requests (each on a new connection) and prints each response body
// as is (--digest: "<bytes> <sha256>" of it instead); exits 0 when all were 2xx, exits 1
// with the error on stderr at the first failure.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { url: { type: 'string' }, count: { type: 'string', default: '1' }, 'timeout-ms': { type: 'string', default: '5000' }, digest: { type: 'boolean' } },
});
if (!values.url) { console.error('--url is required'); process.exit(2); }
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 100_000) { console.error(`--count ${values.count}: expected 1..100000`); process.exit(2); }

function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: Number(values['timeout-ms']) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) resolve(Buffer.concat(chunks));
        else reject(new Error(`HTTP ${res.statusCode}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

for (let i = 0; i < count; i++) {
  try {
    const body = await get(values.url);
    process.stdout.write(values.digest ? `${body.length} ${createHash('sha256').update(body).digest('hex')}\n` : body);
  } catch (e) {
    console.error(`request ${i + 1} of ${count}: ${String(e)}`);
    process.exit(1);
  }
}
