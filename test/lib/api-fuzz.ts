// A fuzzer of the daemon's gRPC API: every RPC with random well-formed messages (built
// from the proto's descriptors, with values drawn near the valid ones), malformed ones
// (random bytes, mutated encodings), an oversized one, from several clients at once,
// with Watch and ListConnections streams opened and cancelled, and a daemon stop while
// requests are in flight. What it checks:
//   - the daemon never crashes (its process lives until the stop, which exits 0);
//   - it never half-applies: the configuration after the run equals a replay, one at a
//     time into a fresh daemon, of exactly the requests it accepted (and the saved state
//     file equals it too);
//   - its memory stays bounded (RSS after the run against after the first round);
//   - a Watch stream sees every configuration serial, in order, or is told what it missed;
//   - in a last free-for-all round (ApplyConfig and Clear racing the edits; not replayed,
//     the order is the daemon's) the daemon lives and its state file follows every change.
//
// Replay needs the order the daemon applied changes in. Each client owns a partition of
// the configuration (its own VIPs; client 0 also the settings: timeouts, defence) and sends its requests one
// at a time, so changes of different clients commute; requests that touch everything
// (ApplyConfig, Clear) run between the concurrent rounds, from one client. A candidate
// request is decoded as the server decodes it first: one that would touch another
// client's partition is not sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { IpvxService, packageDefinition } from '../../src/api/proto.js';
import { parseIp } from '../../src/core/addr.js';
import { parseSavedState } from '../../src/config/store.js';

/**
 * A seeded generator: next(n) in 0..n-1 (mulberry32; the high bits, so that n = 16 does
 * not see the short cycles of an LCG's low bits).
 */
export function rng(seed: number): Next {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

type Msg = Record<string, unknown>;
type Next = (n: number) => number;
type Field = { name: string; label: string; type: string; typeName: string };
type MethodName = keyof typeof IpvxService.service & string;

export const METHODS = Object.keys(IpvxService.service) as MethodName[];
const MUTATING = new Set(['ApplyConfig', 'AddService', 'UpdateService', 'DeleteService', 'AddReal', 'UpdateReal', 'DeleteReal', 'Clear', 'SetTimeouts', 'SetDefense']);
/** RPCs that change one setting of the whole configuration: client 0's partition. */
const SETTINGS = new Set(['SetTimeouts', 'SetDefense']);
const GLOBAL = new Set(['ApplyConfig', 'Clear']);
const STREAMING = new Set(['ListConnections', 'Watch']);

const descriptor = (name: string): Field[] => ((packageDefinition[`ipvx.v1.${name}`] as unknown as { type: { field: Field[] } }).type.field);
const requestType = (m: MethodName): string => (IpvxService.service[m] as unknown as { requestType: { type: { name: string } } }).requestType.type.name;

/** The VIPs client `k` owns. */
export const vipsOf = (k: number) => [`203.0.113.${100 + k}`, `2001:db8::${(100 + k).toString(16)}`];

const pick = <T>(next: Next, xs: readonly T[]): T => xs[next(xs.length)]!;
const JUNK = ['', ' ', 'x', '::', '999.1.1.1', '203.0.113.300', '-1', '%s%n', '\u0000', 'ünïcode', 'a'.repeat(300), '1e9', 'null'];
const REALS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '2001:db8:1::1', '2001:db8:1::2'];
const NUMS = [0, 1, 2, 3, 10, 80, 255, 256, 65535, 65536, 100000, 2 ** 31 - 1, 4294967295];

/** A random value for one field, near the valid ones for the names the API uses. */
function randomScalar(f: Field, next: Next, own: string[]): unknown {
  const n = f.name;
  if (f.type === 'TYPE_STRING') {
    if (next(5) === 0) return pick(next, JUNK);
    if (n === 'vip') return pick(next, own);
    if (n === 'address' || n === 'client' || n === 'real') return pick(next, REALS);
    if (n === 'scheduler') return pick(next, ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed', 'nq', 'dh', 'lblc']);
    if (n === 'method') return pick(next, ['dr', 'tun', 'nat', 'gre']);
    if (n === 'protocol') return pick(next, ['tcp', 'udp', 'sctp']);
    if (n === 'flags') return pick(next, ['sh-port', 'sh-fallback', 'mh-port', 'mh-fallback', 'bogus']);
    if (n === 'persistenceMask' || n === 'persistence_mask') return pick(next, ['255.255.255.0', '255.255.255.255', '/64']);
    return pick(next, ['a', 'b', 'check', '1']);
  }
  if (f.type === 'TYPE_BOOL') return next(2) === 1;
  if (f.type === 'TYPE_DOUBLE' || f.type === 'TYPE_FLOAT') return pick(next, [0, 0.5, 1, -1, 1e300, Number.NaN]);
  if (f.type === 'TYPE_ENUM') return next(3);
  const v = pick(next, NUMS);
  return f.type.includes('64') ? String(v) : v;
}

// A small space of keys, so that edits and deletes often find what an earlier add made.
const often = <T>(next: Next, usual: T, rare: T): T => (next(4) === 0 ? rare : usual);
const realLike = (next: Next): Msg => ({ address: often(next, pick(next, REALS.slice(0, 3)), pick(next, REALS)), port: often(next, 0, 80), method: pick(next, ['dr', 'tun', 'nat']), weight: next(6) });
const keyLike = (next: Next, own: string[]): Msg => ({ vip: often(next, own[0]!, pick(next, own)), port: often(next, 80, 443), protocol: often(next, 'tcp', 'udp') });
const serviceLike = (next: Next, own: string[]): Msg => ({
  ...keyLike(next, own), scheduler: pick(next, ['rr', 'wrr', 'wlc', 'lc', 'sh', 'mh', 'sed', 'nq']), method: pick(next, ['dr', 'tun', 'nat']),
  reals: Array.from({ length: next(4) }, () => realLike(next)),
});

/** Messages of the API's main types as a client that means well sends them: mostly valid, so that the state grows and changes. */
const MEANT: Record<string, (next: Next, own: string[]) => Msg> = {
  Service: serviceLike,
  Real: realLike,
  ServiceKey: keyLike,
  Timeouts: (next) => ({ tcp: pick(next, [0, 900, 60]), tcpFin: pick(next, [0, 120]), udp: pick(next, [0, 300, 5]) }),
  DesiredState: (next, own) => ({ services: Array.from({ length: next(5) }, () => serviceLike(next, own)) }),
  ServiceRequest: (next, own) => ({ service: serviceLike(next, own) }),
  ServiceKeyRequest: (next, own) => ({ service: keyLike(next, own) }),
  RealRequest: (next, own) => ({ service: keyLike(next, own), real: realLike(next) }),
};

/**
 * A random message of type `name`: half the time as a well-meaning client makes it
 * (MEANT), else every field drawn at random. HA and BGP settings are never made: a
 * daemon that accepted them would send heartbeats and take over addresses.
 */
export function randomMessage(name: string, next: Next, own: string[], depth = 0): Msg {
  const meant = MEANT[name];
  if (meant && next(2) === 0) return meant(next, own);
  const out: Msg = {};
  for (const f of descriptor(name)) {
    if (next(3) === 0) continue;
    if (f.name === 'ha' || f.name === 'bgp') continue;
    const one = () => (f.type === 'TYPE_MESSAGE'
      ? (depth > 3 ? {} : randomMessage(f.typeName.replace(/^.*\./, ''), next, own, depth + 1))
      : randomScalar(f, next, own));
    if (f.typeName.endsWith('Entry')) continue; // maps: only in replies
    out[f.name] = f.label === 'LABEL_REPEATED' ? Array.from({ length: next(f.type === 'TYPE_MESSAGE' ? 4 : 3) }, one) : one();
  }
  return out;
}

/** Bytes for `method`: well-formed (mostly), mutated, or random. */
export function candidate(method: MethodName, next: Next, own: string[]): Buffer {
  const ser = IpvxService.service[method].requestSerialize as (m: Msg) => Buffer;
  const kind = next(10);
  let good: Buffer;
  try {
    good = ser(randomMessage(requestType(method), next, own));
  } catch {
    good = Buffer.alloc(0);
  }
  if (kind < 7 || good.length === 0) return good;
  if (kind === 7) return Buffer.from(Array.from({ length: next(64) }, () => next(256))); // random bytes
  const b = Buffer.from(good);
  if (kind === 8) { for (let i = 0; i < 1 + next(3); i++) b[next(b.length)] = next(256); return b; } // flipped bytes
  return b.subarray(0, next(b.length)); // truncated
}

/**
 * What a request would change, decoded as the server decodes it: 'none' (rejected at
 * decode, or read-only), 'global', or the VIP it edits (canonical text; undefined when
 * the VIP is not an address: rejected).
 */
export function scopeOf(method: MethodName, bytes: Buffer): { kind: 'none' } | { kind: 'global' } | { kind: 'settings' } | { kind: 'vip'; vip?: string } {
  if (!MUTATING.has(method)) return { kind: 'none' };
  let m: Msg;
  try {
    m = (IpvxService.service[method].requestDeserialize as (b: Buffer) => Msg)(bytes);
  } catch {
    return { kind: 'none' };
  }
  if (method === 'ApplyConfig') {
    const st = m.state as Msg | null;
    if (m.dryRun) return { kind: 'none' };
    return st && (st.ha || st.bgp) ? { kind: 'global', unsafe: true } as never : { kind: 'global' };
  }
  if (method === 'Clear') return { kind: 'global' };
  if (SETTINGS.has(method)) return { kind: 'settings' };
  const vip = parseIp(String((m.service as Msg | null)?.vip ?? ''));
  return vip.ok ? { kind: 'vip', vip: vip.value.text } : { kind: 'vip' };
}

export interface Call { method: MethodName; bytes: Buffer }
type Outcome = { ok: true } | { ok: false; code: number; definite: boolean };

/** Codes that say the daemon decided (nothing changed); others may hide a change whose reply was lost. */
const DEFINITE = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.ALREADY_EXISTS, grpc.status.NOT_FOUND, grpc.status.ABORTED,
  grpc.status.INTERNAL, grpc.status.RESOURCE_EXHAUSTED, grpc.status.FAILED_PRECONDITION, grpc.status.OUT_OF_RANGE, grpc.status.UNIMPLEMENTED]);

const raw = (b: Buffer) => b;

/** One unary call with raw bytes. */
export function callRaw(client: grpc.Client, c: Call, timeoutMs = 60_000): Promise<Outcome & { reply?: Buffer }> {
  const path = IpvxService.service[c.method].path;
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, raw, raw, c.bytes, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (e, reply) => {
      if (!e) resolve({ ok: true, ...(reply ? { reply } : {}) });
      else resolve({ ok: false, code: e.code, definite: DEFINITE.has(e.code) && !/Connection dropped|Call cancelled/.test(e.details ?? '') });
    });
  });
}

export interface DaemonProc { proc: ChildProcess; pid: number; socket: string; exited: Promise<number | null> }

/** A daemon with the memory data plane, health checks off (no program runs, no packet leaves). */
export async function startFuzzDaemon(daemonJs: string, runDir: string, state: string): Promise<DaemonProc> {
  // As root, in a network namespace of its own: whatever a request made it do stays there.
  const argv = [daemonJs, 'run', '--dataplane', 'memory', '--no-health', '--run-dir', runDir, '--state', state, '--log-level', 'warn'];
  const proc = process.getuid?.() === 0 ? spawn('unshare', ['-n', process.execPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  for (let i = 0; i < 600; i++) {
    let files: string[] = [];
    try { files = readdirSync(runDir); } catch { /* not yet */ }
    // The pid file is written once the daemon serves.
    const pidFile = files.find((f) => f.endsWith('.pid'));
    if (pidFile) {
      const pid = Number(readFileSync(`${runDir}/${pidFile}`, 'utf8'));
      return { proc, pid, socket: `${runDir}/${pidFile.slice(0, -4)}.sock`, exited };
    }
    if (proc.exitCode !== null) throw new Error(`daemon exited ${proc.exitCode}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`daemon did not start: ${stderr}`);
}

export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** The configuration as GetConfig gives it, in a form that compares: services sorted by key. */
export async function configOf(client: grpc.Client): Promise<{ text: string; serial: string }> {
  const r = await callRaw(client, { method: 'GetConfig', bytes: Buffer.alloc(0) });
  if (!r.ok || !r.reply) throw new Error('GetConfig failed');
  const m = (IpvxService.service.GetConfig.responseDeserialize as unknown as (b: Buffer) => Msg)(r.reply);
  return { text: canonicalConfig(m), serial: String(m.serial) };
}

/** Everything GetConfig says but the serial, services in a fixed order (clients' adds interleave). */
export function canonicalConfig(m: Msg): string {
  const { serial: _serial, services, ...rest } = m;
  return JSON.stringify({ ...rest, services: ((services as Msg[]) ?? []).map((s) => JSON.stringify(s)).sort() });
}

export interface FuzzOptions {
  seed: number;
  /** Concurrent rounds, each followed by a round of whole-configuration requests. */
  rounds: number;
  clients: number;
  /** Requests per client per round. */
  perRound: number;
  daemonJs: string;
  dir: string;
  log?: (line: string) => void;
}

export interface FuzzReport {
  sent: number; accepted: number; rejected: number; skipped: number; unknown: number;
  byMethod: Record<string, { sent: number; accepted: number }>;
  rssStartKb: number; rssEndKb: number;
  watchEvents: number; watchGaps: number; watchMissedNotices: number;
  replayed: number;
  stopExit: number | null;
}

/** The run (see the top of the file). Throws with the first violated property. */
export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  // One generator per client (and one for the rest): a run is the same for a seed, however the clients interleave.
  const next = rng(o.seed);
  const nexts = Array.from({ length: o.clients }, (_, k) => rng(o.seed * 7919 + k + 1));
  // Reals each client saw accepted: its edits and deletes aim at them half the time.
  const known: Msg[][] = Array.from({ length: o.clients }, () => []);
  const knownServices: Msg[][] = Array.from({ length: o.clients }, () => []);
  const report: FuzzReport = { sent: 0, accepted: 0, rejected: 0, skipped: 0, unknown: 0, byMethod: {}, rssStartKb: 0, rssEndKb: 0, watchEvents: 0, watchGaps: 0, watchMissedNotices: 0, replayed: 0, stopExit: null };
  const d = await startFuzzDaemon(o.daemonJs, `${o.dir}/run`, `${o.dir}/state.yaml`);
  const addr = `unix:${d.socket}`;
  const clients = Array.from({ length: o.clients }, () => new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 }));
  // Linearized log of accepted changes: per round, each client's in order (they commute), then the global ones.
  const accepted: Call[][] = [];
  // The configuration after each of those chunks: the replay must pass through each.
  const snapshots: string[] = [];
  const alive = () => { if (d.proc.exitCode !== null) throw new Error(`the daemon died (exit ${d.proc.exitCode}) during the run`); };

  // A Watch that must see every serial once, in order (or be told how many it missed).
  const watch = clients[0]!.makeServerStreamRequest(IpvxService.service.Watch.path, raw, raw, Buffer.alloc(0));
  let lastSerial: number | undefined;
  watch.on('data', (b: Buffer) => {
    const e = (IpvxService.service.Watch.responseDeserialize as unknown as (b: Buffer) => Msg)(b);
    if (e.kind === 'missed') { report.watchMissedNotices++; lastSerial = undefined; return; }
    if (e.kind !== 'config') return;
    report.watchEvents++;
    const s = Number(e.serial);
    if (lastSerial !== undefined && s !== lastSerial + 1) report.watchGaps++;
    lastSerial = s;
  });
  watch.on('error', () => undefined);

  const count = (m: string, ok: boolean) => { const x = (report.byMethod[m] ??= { sent: 0, accepted: 0 }); x.sent++; if (ok) x.accepted++; };
  const send = async (k: number, c: Call, log: Call[]): Promise<boolean> => {
    report.sent++;
    const r = await callRaw(clients[k]!, c);
    count(c.method, r.ok);
    // What changed the configuration is replayed (a dry run, with its expected serial, depends on the interleaving: not).
    if (r.ok) { report.accepted++; if (scopeOf(c.method, c.bytes).kind !== 'none') log.push(c); return true; }
    if (!r.definite) throw new Error(`${c.method}: an answer that does not say whether it was applied (code ${r.code}) while the daemon runs`);
    report.rejected++;
    return false;
  };

  const streams = async (k: number) => {
    // A stream opened and dropped at once, or read to its end.
    const nx = nexts[k]!;
    const m: MethodName = nx(2) ? 'Watch' : 'ListConnections';
    const s = clients[k]!.makeServerStreamRequest(IpvxService.service[m].path, raw, raw, candidate(m, nx, vipsOf(k)));
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, nx(20)));
    s.cancel();
  };

  for (let round = 0; round < o.rounds; round++) {
    const logs: Call[][] = clients.map(() => []);
    await Promise.all(clients.map(async (_, k) => {
      const nx = nexts[k]!;
      for (let i = 0; i < o.perRound; i++) {
        alive();
        const method = pick(nx, METHODS);
        if (STREAMING.has(method)) { await streams(k); continue; }
        const ser = IpvxService.service[method].requestSerialize as unknown as (m: Msg) => Buffer;
        // Half the edits of reals go to what this client added before (else few find a service or a real).
        const bytes = (method === 'UpdateReal' || method === 'DeleteReal') && known[k]!.length && nx(2) === 0
          ? ser(pick(nx, known[k]!))
          : method === 'AddReal' && knownServices[k]!.length && nx(2) === 0
            ? ser({ service: pick(nx, knownServices[k]!), real: realLike(nx) })
            : candidate(method, nx, vipsOf(k));
        const scope = scopeOf(method, bytes);
        const mine = scope.kind === 'none' || (scope.kind === 'vip' && (!scope.vip || vipsOf(k).includes(scope.vip))) || (scope.kind === 'settings' && k === 0);
        if (!mine) { report.skipped++; continue; }
        const sent = await send(k, { method, bytes }, logs[k]!);
        if (sent && (method === 'AddReal' || method === 'UpdateReal')) {
          const m = (IpvxService.service[method].requestDeserialize as unknown as (b: Buffer) => Msg)(bytes);
          known[k]!.push({ service: m.service, real: { ...(m.real as Msg), weight: nx(5) } });
        }
        if (sent && method === 'AddService') {
          const { vip, port, protocol } = ((IpvxService.service[method].requestDeserialize as unknown as (b: Buffer) => Msg)(bytes).service ?? {}) as Msg;
          knownServices[k]!.push({ vip, port, protocol });
        }
      }
    }));
    accepted.push(logs.flat());
    snapshots.push((await configOf(clients[0]!)).text); // everyone idle: the state this round left
    // Whole-configuration requests, one client, nobody else sending.
    const global: Call[] = [];
    for (let i = 0; i < Math.max(2, o.perRound >> 3); i++) {
      alive();
      const method: MethodName = next(4) === 0 ? 'Clear' : 'ApplyConfig';
      const own = clients.flatMap((_, k) => vipsOf(k));
      const bytes = candidate(method, next, own);
      if ((scopeOf(method, bytes) as { unsafe?: boolean }).unsafe) { report.skipped++; continue; }
      await send(0, { method, bytes }, global);
    }
    // One oversized request per round: refused, and the daemon goes on.
    report.sent++;
    const big = await callRaw(clients[1 % o.clients]!, { method: 'AddService', bytes: Buffer.concat([Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x03]), Buffer.alloc(6 << 20, 0x41)]) });
    if (big.ok) throw new Error('an oversized AddService was accepted');
    report.rejected++;
    accepted.push(global);
    snapshots.push((await configOf(clients[0]!)).text);
    if (round === 0) report.rssStartKb = rssKb(d.pid);
    o.log?.(`round ${round + 1}/${o.rounds}: sent ${report.sent}, accepted ${report.accepted}, rss ${rssKb(d.pid)} kB`);
  }
  alive();
  const live = await configOf(clients[0]!);
  const fileSerial = () => String(parseSavedState(readFileSync(`${o.dir}/state.yaml`, 'utf8'), 'state.yaml').serial);
  if (fileSerial() !== live.serial) throw new Error(`the state file is at serial ${fileSerial()}, the daemon at ${live.serial}`);

  // A free-for-all (not replayed: its order is the daemon's): every client sends anything,
  // ApplyConfig and Clear racing the edits. The daemon lives, Watch stays in order, the file follows.
  const liveBefore = live;
  await Promise.all(clients.map(async (_, k) => {
    const own = clients.flatMap((__, j) => vipsOf(j));
    const nx = nexts[k]!;
    for (let i = 0; i < o.perRound; i++) {
      alive();
      const method = pick(nx, METHODS);
      if (STREAMING.has(method)) { await streams(k); continue; }
      const bytes = candidate(method, nx, own);
      if ((scopeOf(method, bytes) as { unsafe?: boolean }).unsafe) { report.skipped++; continue; }
      await send(k, { method, bytes }, []);
    }
  }));
  alive();
  report.rssEndKb = rssKb(d.pid);
  const after = await configOf(clients[0]!);
  if (fileSerial() !== after.serial) throw new Error(`after the free-for-all the state file is at serial ${fileSerial()}, the daemon at ${after.serial}`);

  // Stop while requests are in flight: the daemon exits 0, whatever it answered.
  const inflight = clients.map((c, k) => callRaw(c, { method: 'AddReal', bytes: candidate('AddReal', nexts[k]!, vipsOf(k)) }, 10_000));
  d.proc.kill('SIGTERM');
  report.stopExit = await d.exited;
  const lastOutcomes = await Promise.all(inflight);
  watch.cancel();
  for (const c of clients) c.close();
  if (report.stopExit !== 0) throw new Error(`the daemon exited ${report.stopExit} on SIGTERM`);

  // Replay the accepted changes, one at a time, into a fresh daemon: every one is accepted again, and the result is what ran.
  const r = await startFuzzDaemon(o.daemonJs, `${o.dir}/replay-run`, `${o.dir}/replay-state.yaml`);
  const rc = new grpc.Client(`unix:${r.socket}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20, 'grpc.max_receive_message_length': 64 << 20 });
  try {
    for (const [i, chunk] of accepted.entries()) {
      for (const c of chunk) {
        const out = await callRaw(rc, c);
        if (!out.ok) throw new Error(`replay: ${c.method} (${c.bytes.toString('hex').slice(0, 80)}) was accepted by the daemon but refused on replay (code ${out.code})`);
        report.replayed++;
      }
      const replayed = await configOf(rc);
      if (replayed.text !== snapshots[i]) {
        throw new Error(`after ${i % 2 ? 'the whole-configuration requests' : 'the concurrent requests'} of round ${(i >> 1) + 1} the configuration is not the replay of the accepted requests:\nrun:    ${snapshots[i]!.slice(0, 600)}\nreplay: ${replayed.text.slice(0, 600)}`);
      }
    }
    if (snapshots.at(-1) !== liveBefore.text) throw new Error('the configuration moved while no request was sent');
    // The stopped daemon's saved state, restarted: the run's, plus the in-flight requests it may have taken before it stopped.
    const restarted = parseSavedState(readFileSync(`${o.dir}/state.yaml`, 'utf8'), 'state.yaml');
    const extra = Number(restarted.serial) - Number(after.serial);
    const tookAtMost = lastOutcomes.filter((x) => x.ok || !x.definite).length;
    if (extra < 0 || extra > tookAtMost) throw new Error(`after the stop the state file is at serial ${restarted.serial}: ${extra} changes beyond the run's ${after.serial}, at most ${tookAtMost} possible`);
    report.unknown = lastOutcomes.filter((x) => !x.ok && !x.definite).length;
  } finally {
    rc.close();
    r.proc.kill('SIGTERM');
    await r.exited;
  }
  return report;
}
