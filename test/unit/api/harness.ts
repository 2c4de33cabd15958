// A real grpc-js server on a unix socket in a temp dir, over a MemoryDataplane (fake, forwards nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '../../../src/daemon/controller.js';
import { startServer, RunningServer, ServerOptions } from '../../../src/api/server.js';
import { IpvxClient } from '../../../src/api/client.js';
import { MemoryDataplane } from '../../../src/dataplane/memory.js';
import type { DesiredState } from '../../../src/core/model.js';
import type { Limits } from '../../../src/core/validate.js';
import type { Logger } from '../../../src/common/log.js';

export interface Harness {
  dir: string;
  socket: string;
  dp: MemoryDataplane;
  controller: Controller;
  server: RunningServer;
  client: IpvxClient;
  saved: DesiredState[];
  close(): Promise<void>;
}

export async function harness(opts: { initial?: DesiredState; limits?: Limits; failSave?: () => boolean; server?: Partial<ServerOptions>; log?: Logger } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-api-'));
  const socket = join(dir, 'run', 'ipvx.sock');
  const dp = new MemoryDataplane();
  const saved: DesiredState[] = [];
  const controller = new Controller({
    dataplane: dp, health: false, ...(opts.initial ? { initial: opts.initial } : {}), ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.log ? { log: opts.log } : {}),
    save: (s) => { if (opts.failSave?.()) throw new Error('disk full'); saved.push(structuredClone(s)); },
  });
  await controller.start();
  const server = await startServer({ controller, socketPath: socket, status: () => ({ version: 'test', netns: '1', startedAt: 'now' }), ...opts.server });
  const client = new IpvxClient(`unix:${socket}`, { timeoutMs: 60_000 });
  return {
    dir, socket, dp, controller, server, client, saved,
    async close() {
      client.close();
      controller.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The rejection of `p`: its gRPC code and message. */
export async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  }
  throw new Error('expected the call to fail');
}
