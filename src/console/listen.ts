// Where the console listens, and the rule it shares with the daemon's TCP listener
// (src/api/server.ts tcpCredentials): plaintext only on a loopback address; anywhere
// else TLS (--tls-cert/--tls-key), unless --insecure says otherwise out loud.
import { readFileSync } from 'node:fs';
import { isLoopbackHost } from '../common/loopback.js';

export const DEFAULT_LISTEN = '127.0.0.1:3636';

export interface ListenRequest { listen: string; tlsCert?: string; tlsKey?: string; insecure?: boolean }
export interface ListenPlan { host: string; port: number; tls?: { cert: Buffer; key: Buffer } }

/** HOST:PORT -> host (without brackets) and port, or an Error naming the option. */
export function parseListen(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(addr.slice(i + 1));
  if (i <= 0 || !host || !/^\d+$/.test(addr.slice(i + 1)) || port > 65535) {
    throw new Error(`--listen ${addr}: expected ADDRESS:PORT (e.g. ${DEFAULT_LISTEN} or [::1]:3636)`);
  }
  return { host, port };
}

export function listenPlan(o: ListenRequest): ListenPlan {
  const { host, port } = parseListen(o.listen);
  if (!!o.tlsCert !== !!o.tlsKey) throw new Error('TLS needs both --tls-cert and --tls-key');
  if (o.tlsCert && o.tlsKey) {
    const read = (what: string, f: string) => {
      try { return readFileSync(f); } catch (e) { throw new Error(`cannot read the TLS ${what} ${f}: ${(e as Error).message}`); }
    };
    return { host, port, tls: { cert: read('certificate', o.tlsCert), key: read('key', o.tlsKey) } };
  }
  if (!isLoopbackHost(host) && !o.insecure) {
    throw new Error(`refusing plaintext HTTP on ${o.listen}: passwords and session cookies would cross the network in clear. `
      + 'Give --tls-cert and --tls-key, or --insecure to serve the console without TLS anyway');
  }
  return { host, port };
}
