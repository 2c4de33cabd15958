// `ipvx realserver agent`: a tiny TCP server on a real server that answers each
// connection with one line, the weight percent it asks for ("75%\n"), then closes.
// The director reads it with the 'agent' load source (src/health/load-source.ts).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';

export type AgentLoadSource =
  /** From /proc/loadavg (1-minute average) and the CPU count. */
  | 'loadavg'
  /** A fixed weight percent (0..100+), e.g. for a test or a manual override. */
  | number
  /** A fixed agent word: the real drains or says it is down without stopping the service. */
  | 'drain'
  | 'down'
  | 'up';

export interface AgentOptions {
  port: number;
  /** Listen address; default all addresses ("::" dual stack). */
  host?: string;
  loadSource: AgentLoadSource;
  /** Lowest percent loadavg can push the weight to (default 10): a busy real still gets some work. */
  floorPercent?: number;
  /** For tests: where loadavg comes from. */
  readLoadavg?: () => string;
  cpus?: number;
}

export interface RunningAgent {
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * 100 % at load 0, falling linearly to the floor when the 1-minute load reaches the
 * CPU count (all CPUs busy). Pure.
 */
export function percentFromLoad(load1: number, cpus: number, floorPercent = 10): number {
  const busy = load1 / Math.max(1, cpus);
  return Math.round(Math.min(100, Math.max(floorPercent, 100 * (1 - busy))));
}

/** The 1-minute load average from the text of /proc/loadavg ("0.52 0.58 0.59 1/467 12345"). */
export function parseLoadavg(text: string): number {
  const n = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`/proc/loadavg: cannot read a load from ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

/** The line the agent answers with, without the newline. */
export function agentLine(opts: AgentOptions): string {
  const src = opts.loadSource;
  if (src === 'drain' || src === 'down' || src === 'up') return src;
  if (typeof src === 'number') return `${Math.max(0, Math.round(src))}%`;
  const text = (opts.readLoadavg ?? (() => readFileSync('/proc/loadavg', 'utf8')))();
  return `${percentFromLoad(parseLoadavg(text), opts.cpus ?? availableParallelism(), opts.floorPercent ?? 10)}%`;
}

export function runAgent(opts: AgentOptions): Promise<RunningAgent> {
  const server = createServer((sock) => {
    let line: string;
    try {
      line = agentLine(opts);
    } catch {
      // Cannot measure: say nothing rather than a made-up number; the director keeps its last weight.
      sock.destroy();
      return;
    }
    sock.on('error', () => sock.destroy());
    sock.end(`${line}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`agent: cannot listen on ${opts.host ?? '::'}:${opts.port}: ${err.message}`)));
    server.listen({ port: opts.port, host: opts.host ?? '::' }, () => {
      const a = server.address() as AddressInfo;
      resolve({
        address: a.address,
        port: a.port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      });
    });
  });
}
