// Many long-lived TCP connections that keep talking: `node long-conns.js --host VIP
// --port 9000 --count 48 --interval 200`. Each connection sends "<id> <seq>" every
// interval ms and expects "<server name> <id> <seq>" back; it notes the server that
// answered first, any answer from another server (its flow moved to another real),
// and any error or close. On SIGUSR2 prints {"event":"status",...} as one JSON line;
// on SIGTERM closes every connection, prints the final status and exits.
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string', default: '9000' }, count: { type: 'string', default: '16' }, interval: { type: 'string', default: '200' } },
});
if (!values.host) { console.error('--host is required'); process.exit(2); }
const count = Number(values.count), interval = Number(values.interval);

interface Conn { id: number; localPort: number; real: string; replies: number; moved: string[]; error: string; sock: Socket; seq: number; open: boolean }
const conns: Conn[] = [];

function open(id: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect({ host: values.host!, port: Number(values.port) });
    const c: Conn = { id, localPort: 0, real: '', replies: 0, moved: [], error: '', sock, seq: 0, open: false };
    conns.push(c);
    sock.setNoDelay(true);
    sock.on('connect', () => { c.open = true; c.localPort = sock.localPort ?? 0; resolve(); });
    sock.on('error', (e) => { c.error ||= String(e); resolve(); });
    sock.on('close', () => { if (c.open && !stopping) c.error ||= 'closed by the other side'; c.open = false; resolve(); });
    const lines = createInterface({ input: sock });
    lines.on('error', (e) => { c.error ||= String(e); }); // readline re-emits the socket's errors
    lines.on('line', (l) => {
      const [name, idText] = l.split(' ');
      if (Number(idText) !== id) { c.error ||= `garbled reply: ${l}`; return; }
      if (!c.real) c.real = name!;
      else if (name !== c.real && !c.moved.includes(name!)) c.moved.push(name!);
      c.replies++;
    });
  });
}

let stopping = false;
const status = () => JSON.stringify({
  event: 'status', open: conns.filter((c) => c.open).length,
  conns: conns.map(({ id, localPort, real, replies, moved, error, open: o }) => ({ id, localPort, real, replies, moved, error, open: o })),
});

// Registered before anything else: a status request must never find the default action (exit).
process.on('SIGUSR2', () => console.log(status()));
for (let i = 0; i < count; i++) await open(i);
const timer = setInterval(() => {
  for (const c of conns) if (c.open) c.sock.write(`${c.id} ${++c.seq}\n`);
}, interval);
console.log('ready');
process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(timer);
  console.log(status());
  for (const c of conns) c.sock.end();
  setTimeout(() => process.exit(0), 200);
});
