// Hostile requests against an HA active: while a maximal hostile request is processed,
// the longest gap between the heartbeats the daemon sends and the longest GetStatus
// latency (goals: under 100 ms and 250 ms), with the answer's time and the daemon's RSS.
//
//   node build/js/test/bench/hostile.js [--compare DIR] [--cases a,b,...] [--quick]
//
// The daemon runs with the memory data plane (what is measured is the control plane) and
// HA on loopback: local 127.0.0.1, peer 127.0.0.2 (this process, which only listens),
// keepalive 50 ms, so a heartbeat delayed by 50 ms makes a gap of 100 ms. Gaps are taken
// from the heartbeats' own send timestamps (bytes 40..47, ms), so this process's
// scheduling does not enter them. GetStatus is polled every 20 ms and the daemon's RSS
// read every 20 ms from a worker thread of this process, so the requests it sends do not
// delay those either. Requests are sent as prepared bytes (no client-side encoding).
// With --compare DIR (another checkout, built) every case also runs against that build,
// as the baseline. A fresh daemon per case and build.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { netnsId } from '../../src/common/netns.js';
import { PROTO_PATH } from '../../src/api/proto.js';
import { HEARTBEAT_MAGIC } from '../../src/ha/wire.js';
import { sleep } from '../lib/wait.js';
import { emptyRealsRequest } from '../lib/proto-bytes.js';
import { fmt, table, machineLine, verdict } from './lib/stats.js';
import { benchArgs } from './lib/args.js';

const args = benchArgs({ compare: { type: 'string' }, cases: { type: 'string' } });
const HERE = fileURLToPath(new URL('../../../../', import.meta.url));
const KEEPALIVE_MS = 50;
const HB_PORT = 20000 + (process.pid % 20000);
/** How long the bench waits for an answer (a 34 MB error string made grpc-js clients hang). */
const ANSWER_DEADLINE_MS = 60_000;
/** How long after the answer heartbeats, GetStatus and RSS are still watched. */
const AFTER_MS = 3000;
const note = (msg: string) => console.error(`hostile: ${msg}`);

// Interrupted: stop the daemon of the running case and remove its files.
let cleanup: (() => void) | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { cleanup?.(); process.exit(130); });

const root = protobuf.loadSync(PROTO_PATH);
const type = (name: string) => root.lookupType(`ipvx.v1.${name}`);
const encode = (name: string, msg: object) => Buffer.from(type(name).encode(type(name).fromObject(msg)).finish());

/** Service `i` of many: documentation addresses, one port each (16,384 fit). */
const svc = (i: number) => ({ vip: `198.51.100.${1 + (i % 250)}`, port: 1 + i });
const real = (j: number) => ({ address: `192.0.2.${1 + j}`, weight: 1 });

interface Case { key: string; name: string; method: string; bytes: () => Buffer; parallel?: number; hostile: boolean }
const CASES: Case[] = [
  {
    key: 'a', name: 'AddService with 2.1 million empty reals (4 MB; the attack)', method: 'AddService', hostile: true,
    bytes: () => emptyRealsRequest(2_097_000),
  },
  { key: 'b', name: 'the same, six at once', method: 'AddService', parallel: 6, hostile: true, bytes: () => CASES[0]!.bytes() },
  {
    key: 'c', name: 'ApplyConfig at the limits (16,384 services x 8 reals), every real address invalid', method: 'ApplyConfig', hostile: true,
    bytes: () => encode('ApplyConfigRequest', { state: { services: Array.from({ length: 16_384 }, (_, i) => ({ ...svc(i), reals: Array.from({ length: 8 }, (_, j) => ({ address: `192.0.2.${300 + j}` })) })) } }),
  },
  {
    key: 'd', name: 'ApplyConfig at the limits, well formed, one duplicate service last', method: 'ApplyConfig', hostile: true,
    bytes: () => encode('ApplyConfigRequest', { state: { services: Array.from({ length: 16_384 }, (_, i) => ({ ...svc(i === 16_383 ? 0 : i), reals: Array.from({ length: 8 }, (_, j) => real(j)) })) } }),
  },
  {
    key: 'e', name: '4,000 duplicate reals', method: 'ApplyConfig', hostile: true,
    bytes: () => encode('ApplyConfigRequest', { state: { services: [{ vip: '203.0.113.1', port: 80, reals: Array.from({ length: 4000 }, () => real(0)) }] } }),
  },
  { key: 'f', name: 'a 10 KB VIP', method: 'AddService', hostile: true, bytes: () => encode('ServiceRequest', { service: { vip: `203.0.113.1${'x'.repeat(10_000)}`, port: 80 } }) },
  {
    key: 'v', name: '(not hostile) a valid ApplyConfig of 10,000 services x 10 reals', method: 'ApplyConfig', hostile: false,
    bytes: () => encode('ApplyConfigRequest', { state: { services: Array.from({ length: 10_000 }, (_, i) => ({ ...svc(i), reals: Array.from({ length: 10 }, (_, j) => real(j)) })) } }),
  },
];

/** The poller: GetStatus every 20 ms and the daemon's RSS, in a thread of its own. */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const grpc = require(workerData.grpc);
const c = new grpc.Client('unix:' + workerData.socket, grpc.credentials.createInsecure());
const samples = [], rss = [];
let stop = false;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const t0 = performance.now(), at = Date.now();
    await new Promise((r) => c.makeUnaryRequest('/ipvx.v1.Ipvx/GetStatus', (x) => x, (x) => x, Buffer.alloc(0), { deadline: Date.now() + 60000 }, () => r()));
    samples.push([at, performance.now() - t0]);
    try { rss.push([Date.now(), Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + workerData.pid + '/status', 'utf8'))[1]) / 1024]); } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  c.close();
  parentPort.postMessage({ samples, rss });
})();`;

interface Result { answer: string; answeredMs: number; gapMs: number; statusMs: number; rss: [number, number, number] }

async function runCase(c: Case, build: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'ipvx-bench-hostile-'));
  const socket = join(dir, 'run', `${netnsId()}.sock`);
  writeFileSync(join(dir, 'config.yaml'), `ha:\n  enabled: true\n  localAddress: 127.0.0.1\n  peerAddress: 127.0.0.2\n  port: ${HB_PORT}\n  keepalive: ${KEEPALIVE_MS / 1000}\n  deadtime: 1\n  priority: 100\n  key: bench\n`);
  const stamps: number[] = [];
  const hb = createSocket('udp4');
  hb.on('message', (m: Buffer) => { if (m.length === 80 && m.readUInt32BE(0) === HEARTBEAT_MAGIC) stamps.push(Number(m.readBigUInt64BE(40))); });
  await new Promise<void>((r) => hb.bind(HB_PORT, '127.0.0.2', r));
  let daemon: ChildProcess | undefined;
  cleanup = () => { daemon?.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); };
  try {
    daemon = spawn(process.execPath, [join(build, 'build/js/src/daemon/main.js'), 'run', '--dataplane', 'memory', '--no-health',
      '--run-dir', join(dir, 'run'), '--state', join(dir, 'state.yaml'), '--config', join(dir, 'config.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; i < 300 && !existsSync(socket); i++) await sleep(100);
    // Active once deadtime has passed without a peer; wait for a steady stream of heartbeats.
    for (let i = 0; i < 100 && stamps.length < 30; i++) await sleep(100);
    const bytes = c.bytes();
    const poller = new Worker(POLLER, { eval: true, workerData: { socket, pid: daemon.pid, grpc: join(HERE, 'node_modules/@grpc/grpc-js') } });
    await sleep(500);
    const client = new grpc.Client(`unix:${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: c.parallel ?? 1 }, () => new Promise<string>((resolve) => {
      client.makeUnaryRequest(`/ipvx.v1.Ipvx/${c.method}`, (x: Buffer) => x, (x: Buffer) => x, bytes, { deadline: Date.now() + ANSWER_DEADLINE_MS }, (e) => {
        resolve(e ? `${grpc.status[e.code]}: ${e.details.slice(0, 70)}${e.details.length > 70 ? ` ... (${e.details.length} characters)` : ''}` : 'OK');
      });
    })));
    const t1 = Date.now();
    await sleep(AFTER_MS); // a refusal's memory is given back after a second, the screen's when it has been idle a second
    poller.postMessage('stop');
    const polled = await new Promise<{ samples: [number, number][]; rss: [number, number][] }>((r) => poller.once('message', r));
    await poller.terminate();
    client.close();
    const during = stamps.filter((t) => t >= t0 - 200 && t <= t1 + AFTER_MS).sort((x, y) => x - y);
    let gap = 0;
    for (let i = 1; i < during.length; i++) gap = Math.max(gap, during[i]! - during[i - 1]!);
    // No heartbeat at all in the window: the gap is at least the window.
    if (during.length < 2) gap = t1 + AFTER_MS - (t0 - 200);
    const status = Math.max(0, ...polled.samples.filter(([at, ms]) => at + ms >= t0 && at <= t1 + AFTER_MS).map(([, ms]) => ms));
    const rssAt = (f: (at: number) => boolean) => polled.rss.filter(([at]) => f(at)).map(([, mb]) => mb);
    const before = rssAt((at) => at < t0).at(-1) ?? NaN;
    const peak = Math.max(...rssAt((at) => at >= t0));
    const after = rssAt((at) => at > t1 + AFTER_MS - 300).at(-1) ?? NaN;
    return { answer: answers[0]!, answeredMs: t1 - t0, gapMs: gap, statusMs: status, rss: [before, peak, after] };
  } finally {
    cleanup = undefined;
    daemon?.kill('SIGTERM');
    // A daemon that does not stop within 10 s (older builds waited for ever on a client
    // that had not read a huge answer) is killed.
    const killer = setTimeout(() => daemon?.kill('SIGKILL'), 10_000);
    await new Promise((r) => (daemon && daemon.exitCode === null && daemon.signalCode === null ? daemon.once('exit', r) : r(undefined)));
    clearTimeout(killer);
    hb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const wanted = args.str('cases')?.split(',') ?? (args.quick ? ['a', 'c', 'e', 'f'] : CASES.map((c) => c.key));
const builds: [string, string][] = [['this build', HERE], ...(args.str('compare') ? [['baseline', args.str('compare')!] as [string, string]] : [])];
const rows: string[][] = [];
for (const c of CASES.filter((x) => wanted.includes(x.key))) {
  for (const [label, build] of builds) {
    note(`${c.name}: ${label}`);
    const r = await runCase(c, build);
    rows.push([
      c.name, label, r.answer, fmt(r.answeredMs), fmt(r.gapMs), fmt(r.statusMs),
      `${fmt(r.rss[0])} / ${fmt(r.rss[1])} / ${fmt(r.rss[2])}`,
      c.hostile ? `${verdict(r.gapMs < 100)} / ${verdict(r.statusMs < 250)}` : `${verdict(r.gapMs < 100)} / (not a goal)`,
    ]);
  }
}
console.log(`\nhostile requests to an HA active (keepalive ${KEEPALIVE_MS} ms), memory data plane\n${machineLine()}\n`);
console.log(table(['request', 'build', 'answer', 'answered in ms', 'longest heartbeat gap ms', 'longest GetStatus ms', `daemon RSS MB before / peak / ${AFTER_MS / 1000} s after`, 'goals: gap < 100 / status < 250'], rows));
