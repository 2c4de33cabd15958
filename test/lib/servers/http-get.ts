// HTTP client: `node http-get.js --url http://[2001:db8::2]:80/ [--timeout-ms 5000]`.
// Prints the response body (as is) and exits 0 on a 2xx, exits 1 with the error on stderr otherwise.
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { url: { type: 'string' }, 'timeout-ms': { type: 'string', default: '5000' } } });
if (!values.url) { console.error('--url is required'); process.exit(2); }
const req = request(values.url, { agent: false, timeout: Number(values['timeout-ms']) }, (res) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks));
    process.exitCode = res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1;
  });
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => { console.error(String(e)); process.exit(1); });
req.end();
