// The libbpf binding on a small object of its own: load, maps (CRUD, iteration, batch,
// per-CPU), pins, test runs, errors, and XDP attach/query/detach and live frames on a
// veth pair inside this process's own network namespace.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import {
  BpfObject, BpfMap, BpfProgram, BpfError, attachXdp, detachXdp, queryXdp, numPossibleCpus, xdpMd,
  BPF_F_TEST_XDP_LIVE_FRAMES, MAP_TYPE,
} from '../../src/bpf/index.js';
import { enterFreshNetns } from '../lib/lb-harness.js';

const OBJ = 'build/bpf/binding_test.bpf.o';
const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const u64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const frame = (first: number) => { const f = new Uint8Array(64); f.set(u32(first), 0); f[12] = 0x08; return f; };

before(() => enterFreshNetns());

function load(): BpfObject {
  const o = BpfObject.open(OBJ);
  o.load();
  return o;
}

test('an object lists its maps and programs and runs packets', () => {
  const o = load();
  try {
    assert.deepEqual(o.maps().filter((m) => !m.startsWith('.')).sort(), ['deny', 'recent', 'seen']);
    assert.deepEqual(o.programs().sort(), ['count_and_filter', 'tx_all']);
    const p = o.program('count_and_filter');
    const pass = p.testRun({ data: frame(7) });
    assert.equal(pass.retval, 2 /* XDP_PASS */);
    assert.equal(pass.data.length, 64);
    assert.equal(pass.data[0], 0xaa, 'the program rewrote byte 0');
    assert.deepEqual(pass.data.subarray(1), frame(7).subarray(1));
    o.map('deny').update(u32(7), u32(1));
    assert.equal(p.testRun({ data: frame(7) }).retval, 1 /* XDP_DROP */);
    assert.equal(p.info().name, 'count_and_filter'.slice(0, 15), 'the kernel keeps 15 characters');
  } finally {
    o.close();
  }
});

test('hash map: update flags, lookup, delete, iteration, batch operations', () => {
  const o = load();
  try {
    const m = o.map('deny');
    assert.equal(m.type, MAP_TYPE.hash);
    assert.equal(m.keySize, 4);
    assert.equal(m.maxEntries, 1024);
    assert.equal(m.lookup(u32(1)), undefined);
    m.update(u32(1), u32(10), 'noexist');
    assert.throws(() => m.update(u32(1), u32(11), 'noexist'), (e: unknown) => e instanceof BpfError && e.errno === 17);
    assert.throws(() => m.update(u32(2), u32(11), 'exist'), (e: unknown) => e instanceof BpfError && e.errno === 2);
    m.update(u32(1), u32(12), 'exist');
    assert.deepEqual(m.lookup(u32(1)), u32(12));
    assert.equal(m.delete(u32(1)), true);
    assert.equal(m.delete(u32(1)), false);
    const keys = Array.from({ length: 300 }, (_, i) => u32(i + 100));
    m.updateBatch(keys, keys.map((k) => u32(new DataView(k.buffer).getUint32(0, true) * 2)));
    assert.equal([...m.keys()].length, 300);
    const all = m.lookupBatch(64);
    assert.equal(all.keys.length, 300);
    for (const [i, k] of all.keys.entries()) {
      assert.equal(new DataView(all.values[i]!.buffer).getUint32(0, true), new DataView(k.buffer).getUint32(0, true) * 2);
    }
    assert.equal(m.deleteBatch(keys.slice(0, 100)), 100);
    assert.equal([...m.keys()].length, 200);
    assert.throws(() => m.lookup(new Uint8Array(3)), /key of 3 bytes, expected 4/);
  } finally {
    o.close();
  }
});

test('per-CPU values: one per possible CPU, summing to the number of runs', () => {
  const o = load();
  try {
    const seen = o.map('seen');
    assert.ok(seen.perCpu);
    for (let i = 0; i < 5; i++) o.program('count_and_filter').testRun({ data: frame(1) });
    const values = seen.lookupPerCpu(u32(0));
    assert.equal(values.length, numPossibleCpus());
    assert.equal(values.reduce((s, v) => s + u64(v), 0n), 5n);
    seen.updatePerCpu(u32(0), values.map(() => new Uint8Array(8)));
    assert.equal(seen.lookupPerCpu(u32(0)).reduce((s, v) => s + u64(v), 0n), 0n);
  } finally {
    o.close();
  }
});

test('pins: openPinned sees the same map; a second object adopts a pinned map with its contents', () => {
  const dir = `/sys/fs/bpf/ipvx-bindtest-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  try {
    const a = BpfObject.open(OBJ);
    a.setPinPath('deny', `${dir}/deny`);
    a.load();
    a.map('deny').update(u32(42), u32(4242));
    assert.ok(existsSync(`${dir}/deny`));
    const pinned = BpfMap.openPinned(`${dir}/deny`);
    assert.deepEqual(pinned.lookup(u32(42)), u32(4242));
    pinned.close();
    a.close();
    const b = BpfObject.open(OBJ);
    b.setPinPath('deny', `${dir}/deny`);
    b.load();
    assert.deepEqual(b.map('deny').lookup(u32(42)), u32(4242), 'contents survive the first object');
    assert.equal(b.program('count_and_filter').testRun({ data: frame(42) }).retval, 1);
    b.program('count_and_filter').pin(`${dir}/prog`);
    const p = BpfProgram.openPinned(`${dir}/prog`);
    assert.equal(p.info().name, 'count_and_filter'.slice(0, 15), 'the kernel keeps 15 characters');
    p.close();
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('failures throw BpfError with errno, the call and libbpf\'s log', () => {
  assert.throws(() => BpfObject.open('build/bpf/no-such-object.o'), (e: unknown) =>
    e instanceof BpfError && e.errno === 2 && /bpf_object__open_file/.test(e.message));
  const bad = BpfObject.open('build/bpf/binding_bad.bpf.o');
  assert.throws(() => bad.load(), (e: unknown) => {
    assert.ok(e instanceof BpfError);
    assert.equal(e.op, 'bpf_object__load');
    assert.ok(e.errno > 0);
    assert.match(e.message, /invalid access to packet|R\d+ /, 'the verifier log is attached');
    return true;
  });
  bad.close();
  assert.throws(() => BpfMap.openPinned('/sys/fs/bpf/ipvx-no-such-pin'), (e: unknown) => e instanceof BpfError && e.errno === 2);
});

function veth(a: string, b: string) {
  execFileSync('ip', ['link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', b]);
  for (const n of [a, b]) execFileSync('ip', ['link', 'set', n, 'up']);
  const ifindex = (n: string) => JSON.parse(execFileSync('ip', ['-j', 'link', 'show', n], { encoding: 'utf8' }))[0].ifindex as number;
  return { a: ifindex(a), b: ifindex(b) };
}

test('XDP attach, query, replace and detach in native and generic mode (own netns)', () => {
  const o = load();
  try {
    const { a } = veth('bt0', 'bt1');
    const prog = o.program('count_and_filter');
    const id = prog.info().id;
    assert.equal(queryXdp(a, 'native'), 0);
    attachXdp(a, prog.fd, 'native');
    assert.equal(queryXdp(a, 'native'), id);
    assert.throws(() => attachXdp(a, o.program('tx_all').fd, 'native', { replace: false }), (e: unknown) => e instanceof BpfError && e.errno === 16);
    attachXdp(a, o.program('tx_all').fd, 'native');
    assert.equal(queryXdp(a, 'native'), o.program('tx_all').info().id, 'replaced atomically');
    detachXdp(a, 'native');
    assert.equal(queryXdp(a, 'native'), 0);
    attachXdp(a, prog.fd, 'generic');
    assert.equal(queryXdp(a, 'generic'), id);
    detachXdp(a, 'generic');
    assert.equal(queryXdp(a, 'generic'), 0);
  } finally {
    execFileSync('ip', ['link', 'del', 'bt0']);
    o.close();
  }
});

test('live frames: frames sent with BPF_F_TEST_XDP_LIVE_FRAMES arrive at the veth peer', () => {
  const o = load();
  try {
    const { a, b } = veth('lf0', 'lf1');
    attachXdp(b, o.program('count_and_filter').fd, 'native'); // the receiver counts
    // Nothing else may arrive: no IPv6 on these links (router solicitations), counter zeroed.
    for (const n of ['lf0', 'lf1']) execFileSync('sysctl', ['-qw', `net.ipv6.conf.${n}.disable_ipv6=1`]);
    o.map('seen').updatePerCpu(u32(0), Array.from({ length: numPossibleCpus() }, () => new Uint8Array(8)));
    const f = frame(9);
    f.set([0x02, 0, 0, 0, 0, 1], 0); // unicast destination
    f.set([0x02, 0, 0, 0, 0, 2], 6);
    o.program('tx_all').testRun({ data: f, repeat: 100, ctxIn: xdpMd(a), flags: BPF_F_TEST_XDP_LIVE_FRAMES, batchSize: 16 });
    const got = o.map('seen').lookupPerCpu(u32(0)).reduce((s, v) => s + u64(v), 0n);
    assert.equal(got, 100n, 'every frame reached the peer');
  } finally {
    execFileSync('ip', ['link', 'del', 'lf0']);
    o.close();
  }
});
