// Every RPC through a real grpc-js client and server on a unix socket, over a MemoryDataplane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { harness, rejection } from './harness.js';
import { IpvxClient, DaemonUnavailable } from '../../../src/api/client.js';
import { startServer } from '../../../src/api/server.js';
import type { Service } from '../../../src/api/gen/ipvx/v1/Service.js';

const { INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, INTERNAL } = grpc.status;
const KEY = { vip: '203.0.113.10', port: 80, protocol: 'tcp' };
const SVC: Service = { ...KEY, scheduler: 'wrr', reals: [{ address: '192.0.2.1', weight: 1 }] };

test('GetStatus; the socket is mode 0600', async () => {
  const h = await harness();
  try {
    const s = await h.client.getStatus();
    assert.equal(s.version, 'test');
    assert.deepEqual(s.interfaces, ['memory0']);
    assert.equal(s.services, 0);
    assert.equal(s.role, 'standalone');
    assert.equal(s.pid, process.pid);
    h.dp.fakeGlobal = { drop_bad_header: 3n };
    assert.deepEqual((await h.client.getStatus()).globalCounters, { drop_bad_header: '3' });
    assert.equal(statSync(h.socket).mode & 0o777, 0o600);
  } finally { await h.close(); }
});

test('AddService / GetConfig / UpdateService / DeleteService and their errors', async () => {
  const h = await harness();
  try {
    await h.client.addService(SVC);
    const cfg = await h.client.getConfig();
    assert.equal(cfg.services.length, 1);
    assert.equal(cfg.services[0]!.scheduler, 'wrr');
    assert.deepEqual(cfg.services[0]!.reals.map((r) => [r.address, r.port, r.method, r.weight]), [['192.0.2.1', 80, 'dr', 1]]);
    assert.deepEqual(h.dp.applied!.services.map((s) => s.vip), ['203.0.113.10']);
    assert.equal(h.saved.length, 1);

    assert.deepEqual(await rejection(h.client.addService(SVC)), { code: ALREADY_EXISTS, message: 'service: Service already exists' });
    const bad = await rejection(h.client.addService({ ...SVC, port: 81, scheduler: 'fastest' }));
    assert.equal(bad.code, INVALID_ARGUMENT);
    assert.match(bad.message, /^service\.scheduler: 'fastest' is not a scheduler/);
    const bad2 = await rejection(h.client.addService({ vip: '203.0.113.300', port: 80 }));
    assert.deepEqual(bad2, { code: INVALID_ARGUMENT, message: "service.vip: '203.0.113.300' is not an IPv4 or IPv6 address" });
    const bad3 = await rejection(h.client.addService({ ...SVC, port: 82, reals: [{ address: '2001:db8::1', method: 'nat' }] }));
    assert.equal(bad3.code, INVALID_ARGUMENT);
    assert.match(bad3.message, /^service\.reals\[0\]\.address: NAT needs an IPv4 address/);
    const zero = await rejection(h.client.addService({ vip: '203.0.113.10', port: 0 }));
    assert.deepEqual(zero, { code: INVALID_ARGUMENT, message: 'service.port: Zero port specified for non-persistent service' });

    await h.client.updateService({ ...KEY, scheduler: 'sh', flags: ['sh-port'] });
    const after = await h.client.getConfig();
    assert.equal(after.services[0]!.scheduler, 'sh');
    assert.equal(after.services[0]!.reals.length, 1, 'reals stay on -E');
    assert.deepEqual(await rejection(h.client.updateService({ ...KEY, port: 81 })), { code: NOT_FOUND, message: 'service: No such service' });
    assert.equal((await rejection(h.client.updateService({ ...KEY, scheduler: 'wrr', flags: ['sh-port'] }))).code, INVALID_ARGUMENT);

    assert.deepEqual(await rejection(h.client.deleteService({ ...KEY, protocol: 'udp' })), { code: NOT_FOUND, message: 'service: No such service' });
    assert.deepEqual(await rejection(h.client.deleteService({ ...KEY, vip: 'nope' })), { code: INVALID_ARGUMENT, message: "service.vip: 'nope' is not an IPv4 or IPv6 address" });
    await h.client.deleteService(KEY);
    assert.deepEqual((await h.client.getConfig()).services, []);
    assert.deepEqual(h.dp.applied!.services, []);
  } finally { await h.close(); }
});

test('AddReal / UpdateReal / DeleteReal and their errors; weight 0 is kept (quiesced)', async () => {
  const h = await harness();
  try {
    await h.client.addService({ ...KEY, scheduler: 'wlc' });
    await h.client.addReal(KEY, { address: '192.0.2.1', weight: 0 });
    await h.client.addReal(KEY, { address: '192.0.2.2' });
    let reals = (await h.client.getConfig()).services[0]!.reals;
    assert.deepEqual(reals.map((r) => [r.address, r.weight]), [['192.0.2.1', 0], ['192.0.2.2', 1]]);

    assert.deepEqual(await rejection(h.client.addReal(KEY, { address: '192.0.2.1' })), { code: ALREADY_EXISTS, message: 'real: Destination already exists' });
    assert.deepEqual(await rejection(h.client.addReal({ ...KEY, port: 81 }, { address: '192.0.2.3' })), { code: NOT_FOUND, message: 'service: Service not defined' });
    assert.deepEqual(await rejection(h.client.addReal(KEY, { address: '192.0.2.3', weight: 70000 })), { code: INVALID_ARGUMENT, message: 'real.weight: 70000 is not a weight (0-65535)' });
    assert.deepEqual(await rejection(h.client.addReal(KEY, { address: '192.0.2.3', upperThreshold: 5, lowerThreshold: 9 })),
      { code: INVALID_ARGUMENT, message: 'real.lowerThreshold: 9 is above the upper threshold 5' });
    assert.deepEqual(await rejection(h.client.addReal(KEY, { address: '2001:db8::1', method: 'dr' })),
      { code: INVALID_ARGUMENT, message: 'real.address: DR needs an IPv4 address like the VIP; only TUN can cross families' });
    assert.equal((await rejection(h.client.addReal(KEY, { address: '' }))).code, INVALID_ARGUMENT);

    await h.client.updateReal(KEY, { address: '192.0.2.1', weight: 5 });
    reals = (await h.client.getConfig()).services[0]!.reals;
    assert.equal(reals[0]!.weight, 5);
    assert.deepEqual(await rejection(h.client.updateReal(KEY, { address: '192.0.2.9' })), { code: NOT_FOUND, message: 'real: No such destination' });

    await h.client.deleteReal(KEY, { address: '192.0.2.1' });
    assert.deepEqual(await rejection(h.client.deleteReal(KEY, { address: '192.0.2.1' })), { code: NOT_FOUND, message: 'real: No such destination' });
    assert.deepEqual(h.dp.applied!.services[0]!.reals.map((r) => r.address), ['192.0.2.2']);
  } finally { await h.close(); }
});

test('Clear, SetTimeouts (0 = unchanged), ZeroCounters, GetStats', async () => {
  const h = await harness();
  try {
    await h.client.addService(SVC);
    const sid = 'tcp|203.0.113.10|80';
    h.dp.fakeCounters.set(sid, { conns: 7n, pktsIn: 70n, pktsOut: 60n, bytesIn: 2n ** 40n, bytesOut: 1n });
    h.dp.fakeCounters.set(`${sid}#192.0.2.1|80`, { conns: 7n, pktsIn: 70n, pktsOut: 60n, bytesIn: 2n ** 40n, bytesOut: 1n });
    h.dp.fakeGlobal = { pass_not_service: 12n };
    const st = await h.client.getStats();
    assert.equal(st.services[0]!.service, sid);
    assert.equal(st.services[0]!.counters!.bytesIn, String(2n ** 40n));
    assert.equal(st.services[0]!.reals[0]!.counters!.conns, '7');
    assert.equal(st.services[0]!.reals[0]!.effectiveWeight, 1);
    assert.equal(st.services[0]!.reals[0]!.health, 'unchecked');
    assert.deepEqual(st.global, { pass_not_service: '12' });

    assert.deepEqual(await rejection(h.client.zeroCounters({ ...KEY, port: 99 })), { code: NOT_FOUND, message: 'service: No such service' });
    await h.client.zeroCounters(KEY);
    assert.equal((await h.client.getStats()).services[0]!.counters!.conns, '0');

    const t = await h.client.setTimeouts({ tcp: 600, tcpFin: 0, udp: 0 });
    assert.deepEqual(t, { tcp: 600, tcpFin: 120, udp: 300 });
    assert.deepEqual(h.dp.timeouts, { tcp: 600, tcpFin: 120, udp: 300 });
    assert.deepEqual((await h.client.getConfig()).timeouts, { tcp: 600, tcpFin: 120, udp: 300 });

    // The flood defence: settings given change, the rest stay; 0 is a value (off), not "unchanged".
    const pick = (x: { newFlowRate?: number; dropEntry?: number; secureTcp?: number; synTimeout?: number } | null | undefined) =>
      ({ newFlowRate: x?.newFlowRate, dropEntry: x?.dropEntry, secureTcp: x?.secureTcp, synTimeout: x?.synTimeout });
    const d = pick(await h.client.setDefense({ dropEntry: 0, newFlowRate: 0 }));
    assert.deepEqual(d, { newFlowRate: 0, dropEntry: 0, secureTcp: 0, synTimeout: 10 });
    assert.deepEqual(pick((await h.client.getConfig()).defense), d);
    assert.deepEqual(pick(h.dp.applied?.defense), d, 'written to the data plane with the state');
    assert.deepEqual(pick((await h.client.getStatus()).defense?.settings), d);
    await assert.rejects(h.client.setDefense({ secureTcp: 9 as never }), /defense\.secureTcp: 9 is not a defence mode/);

    await h.client.clear();
    const cfg = await h.client.getConfig();
    assert.deepEqual(cfg.services, []);
    assert.equal(cfg.timeouts!.tcp, 600, 'clear keeps the timeouts');
  } finally { await h.close(); }
});

test('ListConnections streams the flow table with filters', async () => {
  const h = await harness();
  try {
    await h.client.addService(SVC);
    const flow = (client: string, real: string, vport = 80) => ({ protocol: 'tcp' as const, client, clientPort: 40000, vip: '203.0.113.10', vport, real, rport: 80, state: 'ESTABLISHED', expiresIn: 899 });
    h.dp.fakeFlows = [flow('198.51.100.1', '192.0.2.1'), flow('198.51.100.2', '192.0.2.2'), flow('198.51.100.1', '192.0.2.2', 443)];
    const list = async (f: object) => { const out = []; for await (const c of h.client.listConnections(f)) out.push(`${c.client}>${c.real}:${c.vport}`); return out; };
    assert.deepEqual(await list({}), ['198.51.100.1>192.0.2.1:80', '198.51.100.2>192.0.2.2:80', '198.51.100.1>192.0.2.2:443']);
    assert.deepEqual(await list({ service: KEY }), ['198.51.100.1>192.0.2.1:80', '198.51.100.2>192.0.2.2:80']);
    assert.deepEqual(await list({ client: '198.51.100.1' }), ['198.51.100.1>192.0.2.1:80', '198.51.100.1>192.0.2.2:443']);
    assert.deepEqual(await list({ real: '192.0.2.2:80', service: KEY }), ['198.51.100.2>192.0.2.2:80']);
    const c0 = (await (async () => { for await (const c of h.client.listConnections({})) return c; })())!;
    assert.deepEqual({ ...c0 }, { protocol: 'tcp', client: '198.51.100.1', clientPort: 40000, vip: '203.0.113.10', vport: 80, real: '192.0.2.1', rport: 80, state: 'ESTABLISHED', expiresIn: 899 });
    await assert.rejects(list({ service: { vip: 'bad' } }), (e: Error & { code: number }) => e.code === INVALID_ARGUMENT && /service\.vip/.test(e.message));
  } finally { await h.close(); }
});

test('ApplyConfig: dry run returns the diff and changes nothing; invalid names the field', async () => {
  const h = await harness();
  try {
    await h.client.addService(SVC);
    const applies = h.dp.applies, saves = h.saved.length;
    const next = { services: [{ ...SVC, reals: [{ address: '192.0.2.1', weight: 3 }, { address: '192.0.2.2' }] }, { vip: '2001:db8::10', port: 443, scheduler: 'mh' }] };
    const dry = await h.client.applyConfig(next, true);
    assert.equal(dry.applied, false);
    assert.deepEqual(dry.changes.map((c) => `${c.op} ${c.kind} ${c.detail}`), [
      '~ real tcp 203.0.113.10:80 -> 192.0.2.1:80 weight 1 -> 3',
      '+ real tcp 203.0.113.10:80 -> 192.0.2.2:80 dr weight 1',
      '+ service tcp [2001:db8::10]:443 mh',
    ]);
    assert.deepEqual(dry.changes[0]!.fields.map((f) => ({ ...f })), [{ field: 'weight', from: '1', to: '3' }]);
    assert.equal(h.dp.applies, applies);
    assert.equal(h.saved.length, saves);
    assert.equal((await h.client.getConfig()).services.length, 1);

    const bad = await rejection(h.client.applyConfig({ services: [SVC, { ...SVC, port: 81, reals: [{ address: '192.0.2.1', weight: 100000 }] }] }));
    assert.deepEqual(bad, { code: INVALID_ARGUMENT, message: 'state.services[1].reals[0].weight: 100000 is not a weight (0-65535)' });
    const dup = await rejection(h.client.applyConfig({ services: [SVC, SVC] }));
    assert.equal(dup.code, INVALID_ARGUMENT);
    assert.match(dup.message, /^state\.services\[1\]: Service already exists/);

    const real = await h.client.applyConfig(next);
    assert.equal(real.applied, true);
    assert.equal(real.changes.length, 3);
    assert.equal((await h.client.getConfig()).services.length, 2);
    assert.equal(h.dp.applied!.services.length, 2);
    assert.equal(h.saved.at(-1)!.services.length, 2);
    // The same state again: nothing to do.
    assert.deepEqual(await h.client.applyConfig(next), { changes: [], applied: false, changesOmitted: 0, serial: (await h.client.getConfig()).serial });
  } finally { await h.close(); }
});

test('a change whose data plane apply throws leaves the previous state (config, data plane, disk)', async () => {
  const h = await harness();
  try {
    await h.client.addService(SVC);
    const before = await h.client.getConfig();
    const dpBefore = structuredClone(h.dp.applied);
    const saves = h.saved.length;
    h.dp.failNext = new Error('map update failed: E2BIG');
    const r = await rejection(h.client.applyConfig({ services: [{ vip: '203.0.113.99', port: 53, protocol: 'udp' }] }));
    assert.equal(r.code, INTERNAL);
    assert.match(r.message, /not applied \(the previous state stays\): map update failed: E2BIG/);
    assert.deepEqual(await h.client.getConfig(), before);
    assert.deepEqual(h.dp.applied, dpBefore, 'the data plane got the previous state back');
    assert.equal(h.saved.length, saves);
    // And it still works afterwards.
    await h.client.addReal(KEY, { address: '192.0.2.5' });
    assert.equal(h.dp.applied!.services[0]!.reals.length, 2);
  } finally { await h.close(); }
});

test('a change that cannot be saved is rolled back too', async () => {
  let failing = false;
  const h = await harness({ failSave: () => failing });
  try {
    await h.client.addService(SVC);
    failing = true;
    const r = await rejection(h.client.addReal(KEY, { address: '192.0.2.9' }));
    assert.equal(r.code, INTERNAL);
    assert.match(r.message, /disk full/);
    assert.equal((await h.client.getConfig()).services[0]!.reals.length, 1);
    assert.equal(h.dp.applied!.services[0]!.reals.length, 1);
  } finally { await h.close(); }
});

test('Watch receives config changes and role changes', async () => {
  const h = await harness();
  try {
    const w = h.client.watch();
    await w.subscribed;
    await h.client.addService(SVC);
    await assert.rejects(h.client.addService(SVC)); // rejected: no event
    await h.client.updateReal(KEY, { address: '192.0.2.1', weight: 2 });
    h.controller.setRole('active', 'peer dead');
    const got: string[] = [];
    for await (const e of w.events) {
      got.push(e.kind === 'config' ? `config ${e.changes.map((c) => `${c.op}${c.kind}`).join(',')}` : `${e.kind} ${e.from}->${e.to} ${e.reason}`);
      if (got.length === 3) break;
    }
    w.cancel();
    assert.deepEqual(got, ['config +service,+real', 'config ~real', 'role standalone->active peer dead']);
  } finally { await h.close(); }
});

test('grpc.health.v1 Check says SERVING, for the server and for ipvx.v1.Ipvx', async () => {
  const h = await harness();
  try {
    const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
    const Health = (grpc.loadPackageDefinition(def) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor;
    const c = new Health(`unix:${h.socket}`, grpc.credentials.createInsecure()) as any;
    const check = (service: string) => new Promise<string>((res, rej) => c.Check({ service }, (e: Error | null, r: { status: string }) => (e ? rej(e) : res(r.status))));
    assert.equal(await check(''), 'SERVING');
    assert.equal(await check('ipvx.v1.Ipvx'), 'SERVING');
    await assert.rejects(check('nope.v1.Nope'), (e: { code: number }) => e.code === NOT_FOUND);
    c.close();
  } finally { await h.close(); }
});

for (const version of ['v1', 'v1alpha']) {
  test(`server reflection (${version}) lists every service served (ipvx, health, reflection) and describes each`, async () => {
    const h = await harness();
    try {
      const path = join(process.cwd(), `node_modules/@grpc/reflection/build/proto/grpc/reflection/${version}/reflection.proto`);
      const def = protoLoader.loadSync(path, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
      const R = (grpc.loadPackageDefinition(def) as any).grpc.reflection[version].ServerReflection as grpc.ServiceClientConstructor;
      const c = new R(`unix:${h.socket}`, grpc.credentials.createInsecure()) as any;
      const ask = (req: object) => new Promise<any>((res, rej) => {
        const s = c.ServerReflectionInfo();
        s.on('data', (d: unknown) => { res(d); s.end(); });
        s.on('error', rej);
        s.write(req);
      });
      const list = await ask({ list_services: '' });
      const names = list.list_services_response.service.map((s: { name: string }) => s.name).sort();
      assert.deepEqual(names, ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'ipvx.v1.Ipvx']);
      // What `grpcurl describe NAME` asks: the file that declares it.
      for (const name of names) {
        const file = await ask({ file_containing_symbol: name });
        assert.ok(file.file_descriptor_response?.file_descriptor_proto.length >= 1, `${name}: ${JSON.stringify(file.error_response)}`);
      }
      c.close();
    } finally { await h.close(); }
  });
}

test('client: no socket -> says the daemon is not running and how to start it', () => {
  assert.throws(() => IpvxClient.local('/nonexistent/ipvx/123.sock'), (e: Error) => e instanceof DaemonUnavailable
    && e.message === 'ipvx daemon is not running in this network namespace (no socket at /nonexistent/ipvx/123.sock); start it with: ipvx daemon start');
});

test('TCP: plaintext only on loopback with the explicit flag; otherwise a clear refusal', async () => {
  const h = await harness();
  try {
    const base = { controller: h.controller, socketPath: join(h.dir, 'second.sock') };
    await assert.rejects(startServer({ ...base, tcp: '127.0.0.1:0' }), /refusing plaintext TCP on 127\.0\.0\.1:0: give --tls-cert and --tls-key .*--insecure-loopback/);
    await assert.rejects(startServer({ ...base, tcp: '0.0.0.0:0', insecureLoopback: true }), /--insecure-loopback only allows a loopback address/);
    const s = await startServer({ ...base, tcp: '127.0.0.1:0', insecureLoopback: true });
    try {
      assert.ok(s.tcpPort! > 0);
      const c = new IpvxClient(`127.0.0.1:${s.tcpPort}`);
      assert.equal((await c.getStatus()).interfaces[0], 'memory0');
      c.close();
    } finally { await s.close(); }
  } finally { await h.close(); }
});

test('a second server refuses a socket that is still served', async () => {
  const h = await harness();
  try {
    await assert.rejects(startServer({ controller: h.controller, socketPath: h.socket }), /another ipvx daemon serves .*ipvx\.sock/);
    assert.equal((await h.client.getStatus()).version, 'test', 'the first one still answers');
  } finally { await h.close(); }
});
