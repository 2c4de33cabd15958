// Local servers for checker tests: loopback only, ephemeral ports.
import { createServer as createTcp, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';

export interface Running {
  port: number;
  close(): Promise<void>;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    });
}

export function listen(server: Server, host = '127.0.0.1'): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => resolve({ port: (server.address() as AddressInfo).port, close: closer(server, sockets) }));
  });
}

export function tcpServer(onConn: (s: Socket) => void, host = '127.0.0.1'): Promise<Running> {
  return listen(createTcp(onConn), host);
}

export function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<Running> {
  return listen(createHttp(handler), host);
}

/** A port on which nothing listens (was free a moment ago). */
export async function closedTcpPort(host = '127.0.0.1'): Promise<number> {
  const s = await tcpServer(() => {}, host);
  await s.close();
  return s.port;
}

export function udpServer(onMsg: ((msg: Buffer, reply: (b: Buffer) => void) => void) | null, type: 'udp4' | 'udp6' = 'udp4'): Promise<Running & { sock: UdpSocket }> {
  const sock = createSocket(type);
  sock.on('message', (msg, rinfo) => onMsg?.(msg, (b) => sock.send(b, rinfo.port, rinfo.address)));
  return new Promise((resolve) => {
    sock.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () =>
      resolve({ sock, port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) }),
    );
  });
}

export async function closedUdpPort(): Promise<number> {
  const s = await udpServer(null);
  await s.close();
  return s.port;
}

export const TIMEOUT = 3000;
/** Short, for checks that must time out: the server never answers, so its length does not matter for correctness. */
export const SHORT = 300;
