// Large requests are decoded and validated in a worker thread (src/api/screen.ts) before
// the main thread touches them: one that is refused never costs the main thread its
// decoding and validation (ApplyConfig at the limits with every real address invalid was
// seconds of a main thread that also answers GetStatus), and the answers are the ones
// the main thread gives by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { harness, rejection, type Harness } from './harness.js';
import { IpvxService } from '../../../src/api/proto.js';
import { RequestScreen, SCREEN_BYTES } from '../../../src/api/screen.js';
import { requestType } from '../../../src/api/admission.js';
import { untilWith } from '../../lib/wait.js';
import { threadNices } from '../../lib/threads.js';

const until = untilWith({ timeoutMs: 10_000, everyMs: 20 });
const LIMITS = { services: 4096, realsPerService: 4096, reals: 65_536 };
const { INVALID_ARGUMENT, ALREADY_EXISTS } = grpc.status;

type Def = Record<string, { requestDeserialize: (b: Buffer) => unknown }>;

/** Counts the main thread's decodings of `method` while `f` runs (the worker has its own copy of the definitions). */
async function decodings<T>(method: string, f: () => Promise<T>): Promise<{ n: number; value: T }> {
  const m = (IpvxService.service as unknown as Def)[method]!;
  const original = m.requestDeserialize;
  let n = 0;
  m.requestDeserialize = (b) => { n++; return original(b); };
  try {
    return { value: await f(), n };
  } finally {
    m.requestDeserialize = original;
  }
}

const badServices = (n: number) => Array.from({ length: n }, (_, i) => ({ vip: '198.51.100.1', port: 1 + i, reals: [{ address: `192.0.2.${300 + i}` }] }));
const dupReals = { vip: '203.0.113.1', port: 80, reals: Array.from({ length: 2000 }, () => ({ address: '192.0.2.1' })) };

/** The same requests to a daemon that screens and to one that does not: the same answers. */
async function both<T>(f: (h: Harness) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  for (const minBytes of [SCREEN_BYTES, Infinity]) {
    const h = await harness({ limits: LIMITS, server: { screen: { minBytes } } });
    try { results.push(await f(h)); } finally { await h.close(); }
  }
  return results as [T, T];
}

test('a large request the screen refuses is never decoded on the main thread; its answer is the main thread\'s own', async () => {
  const bytes = requestType('ApplyConfig').encode(requestType('ApplyConfig').fromObject({ state: { services: badServices(2000) } })).finish().length;
  assert.ok(bytes >= SCREEN_BYTES, `${bytes} bytes`);
  const [screened, direct] = await both(async (h) => decodings('ApplyConfig', () => rejection(h.client.applyConfig({ services: badServices(2000) }))));
  assert.equal(screened.n, 0, 'decoded on the main thread');
  assert.equal(direct.n, 1);
  assert.equal(screened.value.code, INVALID_ARGUMENT);
  assert.match(screened.value.message, /^state\.services\[0\]\.reals\[0\]\.address: '192\.0\.2\.300' is not/);
  assert.deepEqual(screened.value, direct.value);
});

test('AddService and UpdateService refused by the screen read as the main thread\'s refusals (fields named service.*)', async () => {
  const [screened, direct] = await both(async (h) => {
    const added = await decodings('AddService', () => rejection(h.client.addService(dupReals)));
    await h.client.addService({ vip: '203.0.113.1', port: 80 });
    // UpdateService keeps the service's reals: those of the request are not judged, the service's fields are.
    const updated = await decodings('UpdateService', () => rejection(h.client.updateService({ ...dupReals, scheduler: 'nope' })));
    return { added, updated, services: (await h.client.getConfig()).services.length };
  });
  assert.equal(screened.added.n + screened.updated.n, 0);
  assert.match(screened.updated.value.message, /^service\.scheduler: /);
  assert.equal(screened.added.value.code, INVALID_ARGUMENT);
  assert.match(screened.added.value.message, /^service\.reals\[1\]: Destination already exists/);
  assert.deepEqual(screened.added.value, direct.added.value);
  assert.deepEqual(screened.updated.value, direct.updated.value);
  assert.equal(screened.services, 1, 'nothing else applied');
});

test('a large request valid by itself goes on to the main thread: applied, or refused for what the state says', async () => {
  const services = Array.from({ length: 2000 }, (_, i) => ({ vip: '198.51.100.1', port: 1 + i, reals: [{ address: '192.0.2.1' }] }));
  const [screened, direct] = await both(async (h) => {
    const applied = await decodings('ApplyConfig', () => h.client.applyConfig({ services }));
    const big = { vip: '203.0.113.9', port: 80, reals: Array.from({ length: 2000 }, (_, j) => ({ address: '192.0.2.1', port: 1 + j, method: 'nat' })) };
    await h.client.addService(big);
    const again = await decodings('AddService', () => rejection(h.client.addService(big)));
    // UpdateService keeps the service's reals: duplicates in the request's are not the screen's to refuse.
    const kept = await decodings('UpdateService', () => h.client.updateService({ ...big, reals: dupReals.reals, scheduler: 'rr' }));
    const after = (await h.client.getConfig()).services.find((x) => x.vip === '203.0.113.9')!;
    return { decoded: applied.n, services: (await h.client.getConfig()).services.length, again, updated: [kept.n, after.scheduler, after.reals.length] };
  });
  assert.equal(screened.decoded, 1);
  assert.equal(screened.services, 2001);
  assert.equal(screened.again.value.code, ALREADY_EXISTS);
  assert.equal(screened.again.n, 1);
  assert.deepEqual(screened.updated, [1, 'rr', 2000]);
  assert.deepEqual(screened, direct);
});

test('RequestScreen: a worker that ends lets its requests through (the main thread judges them); an idle worker ends', async () => {
  const s = new RequestScreen(LIMITS, { idleMs: 50 });
  const bytes = Buffer.from(requestType('ApplyConfig').encode(requestType('ApplyConfig').fromObject({ state: { services: badServices(2000) } })).finish());
  const pending = s.check('ApplyConfig', bytes);
  await s.close();
  assert.equal(await pending, undefined);
  assert.match((await s.check('ApplyConfig', bytes))!, /^state\.services\[0\]\.reals\[0\]\.address: /, 'a new worker after one ended');
  assert.equal(s.running, true);
  // Below the main thread, which answers GetStatus meanwhile.
  assert.ok(threadNices().includes(10), `thread nice values: ${threadNices().join(' ')}`);
  await until('the idle worker ends', () => !s.running);
  assert.equal(s.wants('ApplyConfig', SCREEN_BYTES), true);
  assert.equal(s.wants('GetStatus', 1 << 20), false);
  assert.equal(s.wants('AddService', SCREEN_BYTES - 1), false);
});
