// The worker thread of HaNodeThread (node-thread.ts): one HaNode, its socket and timers,
// on an event loop that no request of the daemon shares. Talks to the main thread only
// through the messages declared in node-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { HaNode, type RoleEvent } from './node.js';
import { packEntries, unpackEntries, type SyncEntry } from './sync.js';
import { STATUS_MS, type FromWorker, type HaThreadOptions, type ToWorker } from './node-thread.js';
import { setThreadNice } from '../common/thread-priority.js';

const port = parentPort!;
const o = workerData as HaThreadOptions;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// Heartbeats before the daemon's other threads: a main thread and a request screen busy
// on both cores delayed them by up to 150 ms at the default priority. Needs root
// (CAP_SYS_NICE); without, the default priority (the thread still has its own event
// loop), and the operator is told.
const HA_THREAD_NICE = -10;
const niceRefused = setThreadNice(HA_THREAD_NICE);
if (niceRefused) {
  post({ t: 'warn', message: `the HA thread runs at the default priority (nice ${HA_THREAD_NICE} needs CAP_SYS_NICE: ${niceRefused}); a busy daemon may delay its heartbeats` });
}

// ---- local health, asked of the main thread ----
const stallMs = o.mainStallMs ?? 10_000;
const answerMs = o.healthIntervalMs ?? Math.min(1000, o.spec.keepalive * 1000);
let asked = 0;
let lastAnswerAt = Date.now();
let lastHealth = { ok: true, why: '' };
const waiting = new Map<number, () => void>();

function health(): Promise<boolean> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const settle = () => (lastHealth.ok ? resolve(true) : reject(new Error(lastHealth.why)));
    const timer = setTimeout(() => {
      // No answer in time: the main thread is busy. Keep the last answer, unless it has
      // been silent so long that it looks hung.
      waiting.delete(id);
      const silent = Date.now() - lastAnswerAt;
      if (silent >= stallMs) reject(new Error(`the daemon's main thread has not answered for ${(silent / 1000).toFixed(1)} s`));
      else settle();
    }, answerMs);
    waiting.set(id, () => { clearTimeout(timer); settle(); });
    post({ t: 'health?', id });
  });
}

// ---- connection sync, bridged to the main thread's data plane ----
let snapshot: SyncEntry[] | undefined;
let snapshotAsked = false;
let received: SyncEntry[] = [];
let flushScheduled = false;
function receive(e: SyncEntry): void {
  received.push(e);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    const entries = packEntries(received);
    received = [];
    post({ t: 'install', entries }, [entries.buffer as ArrayBuffer]);
  });
}

let node: HaNode;
try {
  node = makeNode();
} catch (e) {
  post({ t: 'failed', error: (e as Error).message });
  process.exit(1);
}

function makeNode(): HaNode {
  return new HaNode({
  spec: o.spec,
  ...(o.announce ? { announce: o.announce } : {}),
  ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
  ...(o.healthIntervalMs !== undefined ? { healthIntervalMs: o.healthIntervalMs } : {}),
  ...(o.replayWindowMs !== undefined ? { replayWindowMs: o.replayWindowMs } : {}),
  health,
  ...(o.sync ? {
    sync: {
      ...o.sync,
      // The table lives in the main thread: ask for it, and resync once it is here.
      snapshot: () => {
        const s = snapshot;
        snapshot = undefined;
        if (s) return s;
        if (!snapshotAsked) { snapshotAsked = true; post({ t: 'snapshot?' }); }
        return undefined;
      },
      install: receive,
      remove: receive,
    },
  } : {}),
  });
}

node.on('role', (event: RoleEvent) => post({ t: 'role', event, status: node.status() }));
node.on('warn', (message: string) => post({ t: 'warn', message }));

let statusTimer: NodeJS.Timeout | undefined;
port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'health':
      lastAnswerAt = Date.now();
      lastHealth = { ok: m.ok, why: m.why };
      waiting.get(m.id)?.();
      waiting.delete(m.id);
      return;
    case 'push':
      for (const e of unpackEntries(m.entries)) node.pushSync(e);
      return;
    case 'snapshot':
      snapshotAsked = false;
      snapshot = unpackEntries(m.entries);
      node.requestFullResync();
      return;
    case 'stop':
      if (statusTimer) clearInterval(statusTimer);
      void node.stop().finally(() => {
        post({ t: 'stopped' });
        process.exit(0);
      });
      return;
  }
});

try {
  await node.start();
  post({ t: 'started', status: node.status() });
  statusTimer = setInterval(() => post({ t: 'status', status: node.status() }), STATUS_MS);
} catch (e) {
  post({ t: 'failed', error: (e as Error).message });
  process.exit(1);
}
