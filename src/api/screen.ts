// Large requests are checked in a worker thread before the main thread decodes them. A
// request inside the bounds of admission.ts can still be a lot of work: 131,072 reals
// with invalid addresses take the main thread seconds to decode, shape and validate,
// and every other RPC (GetStatus) waits meanwhile. The screen decodes and validates such
// a request on its own thread, with the same code and the same messages; only a request
// it finds valid (as far as the request alone can be judged) reaches the main thread,
// which then does what it always did. A valid large request is therefore decoded twice;
// a refused one never blocks the main thread. The screen judges a request by itself only:
// what depends on the current state (a service that already exists) is still the main
// thread's to find. The worker ends after an idle second, giving its memory back.
import { Worker } from 'node:worker_threads';
import type { Limits } from '../core/validate.js';

/** Requests from this size on are screened (4,000 reals, ~60 KB, were 300 ms of the main thread). */
export const SCREEN_BYTES = 16 * 1024;
/** The screen's thread runs below the main thread (Linux nice value). */
export const SCREEN_THREAD_NICE = 10;
/** The requests that carry services or reals. */
export const SCREENED_METHODS = new Set(['ApplyConfig', 'AddService', 'UpdateService', 'AddReal', 'UpdateReal']);

export interface ScreenJob { id: number; method: string; bytes: Uint8Array }
export interface ScreenAnswer { id: number; refusal?: string; error?: string }

const WORKER = new URL('./screen-worker.js', import.meta.url);

export interface ScreenOptions {
  /** Requests from this size on are screened (SCREEN_BYTES). */
  minBytes?: number;
  /** An idle worker ends after this long (ms), giving its heap back. */
  idleMs?: number;
}

export class RequestScreen {
  private worker: Worker | undefined;
  private next = 0;
  private idle: NodeJS.Timeout | undefined;
  private readonly waiting = new Map<number, (a: ScreenAnswer) => void>();
  private readonly minBytes: number;
  private readonly idleMs: number;

  constructor(private readonly limits: Limits | undefined, o: ScreenOptions = {}) {
    this.minBytes = o.minBytes ?? SCREEN_BYTES;
    this.idleMs = o.idleMs ?? 1000;
  }

  /** Whether the worker is up (it ends when idle). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Whether a request of `method` with `bytes` is screened. */
  wants(method: string, bytes: number): boolean {
    return bytes >= this.minBytes && SCREENED_METHODS.has(method);
  }

  /** The refusal's message, or undefined when the main thread may go on with the request. */
  async check(method: string, bytes: Buffer): Promise<string | undefined> {
    const w = this.start();
    clearTimeout(this.idle);
    const id = ++this.next;
    const answer = await new Promise<ScreenAnswer>((resolve) => {
      this.waiting.set(id, resolve);
      w.postMessage({ id, method, bytes } satisfies ScreenJob);
    });
    return answer.refusal;
  }

  close(): Promise<number> | undefined {
    clearTimeout(this.idle);
    const w = this.worker;
    this.worker = undefined;
    return w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // No limits: undefined, and validateState's own default (none) applies in the worker.
    const w = new Worker(WORKER, { workerData: this.limits });
    w.unref();
    w.on('message', (a: ScreenAnswer) => {
      this.waiting.get(a.id)?.(a);
      this.waiting.delete(a.id);
      if (this.waiting.size === 0) {
        clearTimeout(this.idle);
        this.idle = setTimeout(() => { if (this.waiting.size === 0) void this.close(); }, this.idleMs).unref();
      }
    });
    // A worker that dies lets its requests through to the main thread, which judges them itself.
    const fail = () => {
      for (const resolve of this.waiting.values()) resolve({ id: 0 });
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', fail);
    this.worker = w;
    return w;
  }
}
