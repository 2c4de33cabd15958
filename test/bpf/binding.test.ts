// The libbpf binding on a small object of its own: load, maps (CRUD, iteration, batch,
// per-CPU, LRU), pins, test runs, errors, and XDP attach/query/detach and live frames
// on veth pairs inside network namespaces this test creates and removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, existsSync, openSync, closeSync, statSync } from 'node:fs';
import koffi from 'koffi';
import {
  BpfObject, BpfMap, BpfProgram, BpfError, attachXdp, detachXdp, queryXdp, numPossibleCpus, xdpMd,
  BPF_F_TEST_XDP_LIVE_FRAMES, MAP_TYPE, ENOTSUPP,
} from '../../src/bpf/index.js';

const OBJ = 'build/bpf/binding_test.bpf.o';
const XDP_DROP = 1, XDP_PASS = 2;
const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const readU32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const readU64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const sum = (values: Uint8Array[]) => values.reduce((s, v) => s + readU64(v), 0n);
/** 64 bytes whose first 4 are `first` (little-endian), EtherType IPv4. */
const frame = (first: number) => { const f = new Uint8Array(64); f.set(u32(first), 0); f[12] = 0x08; return f; };

function load(): BpfObject {
  const o = BpfObject.open(OBJ);
  o.load();
  return o;
}

// ---- network namespaces: named ipvxbind<pid><tag>, entered by this thread with setns, always removed

const libc = koffi.load('libc.so.6');
const setns = libc.func('int setns(int fd, int nstype)');
const CLONE_NEWNET = 0x40000000;
const netnsInode = () => statSync('/proc/thread-self/ns/net').ino;

/** Runs `fn` with this (the main) thread inside a fresh named netns; comes back and deletes it, also on failure. */
function inNetns<T>(tag: string, fn: (ns: string) => T): T {
  const ns = `ipvxbind${process.pid}${tag}`;
  const home = openSync('/proc/thread-self/ns/net', 'r');
  const homeInode = netnsInode();
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const nsFd = openSync(`/run/netns/${ns}`, 'r');
    try {
      if (setns(nsFd, CLONE_NEWNET) !== 0) throw new Error(`setns into ${ns} failed`);
    } finally {
      closeSync(nsFd);
    }
    try {
      // Never touch the root namespace: stop unless we really are in the new one.
      assert.equal(netnsInode(), statSync(`/run/netns/${ns}`).ino, `this thread is in ${ns}`);
      assert.notEqual(netnsInode(), homeInode);
      return fn(ns);
    } finally {
      if (setns(home, CLONE_NEWNET) !== 0) throw new Error('setns back home failed');
    }
  } finally {
    closeSync(home);
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

/** A veth pair in `ns`, without IPv6 (no router solicitations to count), up. */
function veth(ns: string, a: string, b: string): { a: number; b: number } {
  const ipn = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  ipn('link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', b);
  for (const n of [a, b]) {
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${n}.disable_ipv6=1`]);
    ipn('link', 'set', n, 'up');
  }
  const ifindex = (n: string) => (JSON.parse(ipn('-j', 'link', 'show', n)) as { ifindex: number }[])[0]!.ifindex;
  return { a: ifindex(a), b: ifindex(b) };
}

// ---- objects, programs, maps

test('an object lists its maps and programs, and test runs return the action and the rewritten frame', () => {
  const o = load();
  try {
    assert.deepEqual(o.maps().filter((m) => !m.startsWith('.')).sort(), ['deny', 'recent', 'seen']);
    assert.deepEqual(o.programs().sort(), ['count_and_filter', 'tx_all']);
    const p = o.program('count_and_filter');
    const pass = p.testRun({ data: frame(7) });
    assert.equal(pass.retval, XDP_PASS);
    assert.equal(pass.data.length, 64);
    assert.equal(pass.data[0], 0xaa, 'the program rewrote byte 0');
    assert.deepEqual(pass.data.subarray(1), frame(7).subarray(1));
    o.map('deny').update(u32(7), u32(1));
    const drop = p.testRun({ data: frame(7) });
    assert.equal(drop.retval, XDP_DROP);
    assert.equal(drop.data[0], 7, 'a dropped frame is left as it was');
    assert.equal(p.testRun({ data: frame(8) }).retval, XDP_PASS, 'only the denied key drops');
    const info = p.info();
    assert.equal(info.name, 'count_and_filter'.slice(0, 15), 'the kernel keeps 15 characters');
    assert.equal(info.type, 6 /* BPF_PROG_TYPE_XDP */);
    assert.ok(info.id > 0);
    assert.throws(() => o.map('nope'), (e: unknown) => e instanceof BpfError && e.errno === 2 && /no map 'nope'/.test(e.message));
    assert.throws(() => o.program('nope'), (e: unknown) => e instanceof BpfError && e.errno === 2);
  } finally {
    o.close();
  }
  assert.throws(() => o.map('deny'), (e: unknown) => e instanceof BpfError && /closed/.test(e.message));
});

test('setMaxEntries before load sizes a map; maps are not handed out before load', () => {
  const o = BpfObject.open(OBJ);
  try {
    assert.throws(() => o.map('deny'), /not loaded yet/);
    o.setMaxEntries('deny', 77);
    o.load();
    const m = o.map('deny');
    assert.equal(m.maxEntries, 77);
    assert.equal(m.name, 'deny');
    assert.equal(m.type, MAP_TYPE.hash);
    assert.equal(m.keySize, 4);
    assert.equal(m.valueSize, 4);
  } finally {
    o.close();
  }
});

test('hash map: update flags, lookup, delete, iteration, batch operations', () => {
  const o = load();
  try {
    const m = o.map('deny');
    assert.equal(m.maxEntries, 1024);
    assert.equal(m.lookup(u32(1)), undefined);
    m.update(u32(1), u32(10), 'noexist');
    assert.throws(() => m.update(u32(1), u32(11), 'noexist'), (e: unknown) => e instanceof BpfError && e.errno === 17);
    assert.throws(() => m.update(u32(2), u32(11), 'exist'), (e: unknown) => e instanceof BpfError && e.errno === 2);
    m.update(u32(1), u32(12), 'exist');
    assert.deepEqual(m.lookup(u32(1)), u32(12));
    assert.equal(m.delete(u32(1)), true);
    assert.equal(m.delete(u32(1)), false);
    assert.equal([...m.keys()].length, 0);

    const keys = Array.from({ length: 300 }, (_, i) => u32(i + 100));
    m.updateBatch(keys, keys.map((k) => u32(readU32(k) * 2)));
    const iterated = [...m.keys()].map(readU32).sort((a, b) => a - b);
    assert.deepEqual(iterated, keys.map(readU32));
    const all = m.lookupBatch(64);
    assert.equal(all.keys.length, 300);
    assert.equal(new Set(all.keys.map(readU32)).size, 300, 'no key twice across chunks');
    for (const [i, k] of all.keys.entries()) assert.equal(readU32(all.values[i]!), readU32(k) * 2);
    assert.equal(m.deleteBatch(keys.slice(0, 100)), 100);
    assert.equal([...m.keys()].length, 200);
    assert.equal(m.lookup(u32(150)), undefined);
    assert.deepEqual(m.lookup(u32(250)), u32(500));
    assert.throws(() => m.lookup(new Uint8Array(3)), /key of 3 bytes, expected 4/);
    assert.throws(() => m.update(u32(1), new Uint8Array(5)), /value of 5 bytes, expected 4/);
  } finally {
    o.close();
  }
});

test('LRU hash: never holds more than max_entries and keeps the newest key', () => {
  const o = load();
  try {
    const m = o.map('recent');
    assert.equal(m.type, MAP_TYPE.lruHash);
    for (let i = 0; i < 100; i++) m.update(u32(i), new Uint8Array(8).fill(i));
    const held = [...m.keys()];
    assert.ok(held.length > 0 && held.length <= m.maxEntries, `${held.length} keys in an LRU of ${m.maxEntries}`);
    assert.deepEqual(m.lookup(u32(99)), new Uint8Array(8).fill(99));
    assert.equal(m.lookup(u32(0)), undefined, 'the oldest key was evicted');
  } finally {
    o.close();
  }
});

test('per-CPU array: one value per possible CPU, summing to the number of runs; batch delete is refused plainly', () => {
  const o = load();
  try {
    const seen = o.map('seen');
    assert.ok(seen.perCpu);
    assert.equal(seen.type, MAP_TYPE.percpuArray);
    for (let i = 0; i < 5; i++) o.program('count_and_filter').testRun({ data: frame(1) });
    const values = seen.lookupPerCpu(u32(0));
    assert.equal(values.length, numPossibleCpus());
    assert.equal(sum(values), 5n);
    const batch = seen.lookupBatch();
    assert.equal(batch.keys.length, 1);
    assert.equal(sum(seen.splitPerCpu(batch.values[0]!)), 5n, 'lookupBatch returns whole per-CPU elements');
    const n = numPossibleCpus();
    seen.updatePerCpu(u32(0), values.map((_, i) => { const v = new Uint8Array(8); new DataView(v.buffer).setUint32(0, i + 1, true); return v; }));
    assert.equal(sum(seen.lookupPerCpu(u32(0))), BigInt((n * (n + 1)) / 2), 'each CPU got its own value');
    assert.throws(() => seen.updatePerCpu(u32(0), Array.from({ length: n + 1 }, () => new Uint8Array(8))), /values for \d+ CPUs/);
    assert.throws(() => seen.deleteBatch([u32(0)]), (e: unknown) =>
      e instanceof BpfError && e.errno === ENOTSUPP && e.op === 'bpf_map_delete_batch' && /no batch operations/.test(e.message));
    assert.throws(() => o.map('deny').lookupPerCpu(u32(0)), /not a per-CPU map/);
  } finally {
    o.close();
  }
});

// ---- pins

test('pins: openPinned sees the same map; setPinPath makes a second object adopt it with its contents; unpin', () => {
  const dir = `/sys/fs/bpf/ipvx-bindtest-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  try {
    const a = BpfObject.open(OBJ);
    a.setPinPath('deny', `${dir}/deny`);
    a.load();
    a.map('deny').update(u32(42), u32(4242));
    assert.ok(existsSync(`${dir}/deny`), 'libbpf pinned the new map');
    const pinned = BpfMap.openPinned(`${dir}/deny`);
    assert.equal(pinned.id, a.map('deny').id, 'the same kernel map');
    assert.deepEqual(pinned.lookup(u32(42)), u32(4242));
    pinned.update(u32(43), u32(4343));
    assert.deepEqual(a.map('deny').lookup(u32(43)), u32(4343), 'writes through the pin show in the object');
    pinned.close();
    pinned.close(); // idempotent
    a.close();

    const b = BpfObject.open(OBJ);
    b.setPinPath('deny', `${dir}/deny`);
    b.load();
    assert.deepEqual(b.map('deny').lookup(u32(42)), u32(4242), 'contents survive the first object');
    assert.equal(b.program('count_and_filter').testRun({ data: frame(42) }).retval, XDP_DROP, 'the program uses the adopted map');
    assert.equal(b.program('count_and_filter').testRun({ data: frame(44) }).retval, XDP_PASS);

    b.program('count_and_filter').pin(`${dir}/prog`);
    const p = BpfProgram.openPinned(`${dir}/prog`);
    assert.equal(p.info().id, b.program('count_and_filter').info().id);
    assert.equal(p.testRun({ data: frame(42) }).retval, XDP_DROP);
    p.unpin(`${dir}/prog`);
    assert.ok(!existsSync(`${dir}/prog`));
    p.close();

    const byId = BpfMap.openById(b.map('deny').id);
    assert.deepEqual(byId.lookup(u32(43)), u32(4343));
    byId.unpin(`${dir}/deny`);
    assert.ok(!existsSync(`${dir}/deny`));
    assert.deepEqual(byId.lookup(u32(43)), u32(4343), 'an unpinned map lives while it is held');
    byId.close();
    b.close();
    assert.throws(() => BpfMap.openPinned(`${dir}/deny`), (e: unknown) => e instanceof BpfError && e.errno === 2 && e.op === 'bpf_obj_get');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pinned map that does not match the object is refused at load, with libbpf saying why', () => {
  const dir = `/sys/fs/bpf/ipvx-bindtest-${process.pid}-mismatch`;
  mkdirSync(dir, { recursive: true });
  try {
    const a = BpfObject.open(OBJ);
    a.setPinPath('deny', `${dir}/deny`);
    a.load();
    a.close();
    const b = BpfObject.open(OBJ);
    b.setMaxEntries('deny', 10);
    b.setPinPath('deny', `${dir}/deny`);
    assert.throws(() => b.load(), (e: unknown) => {
      assert.ok(e instanceof BpfError);
      assert.equal(e.op, 'bpf_object__load');
      assert.ok(e.errno > 0);
      assert.ok(e.log.some((l) => /pinned map|reuse/i.test(l)), e.log.join('\n'));
      return true;
    });
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- failures

test('failures throw BpfError with errno, the call and libbpf\'s log (the whole verifier log)', () => {
  assert.throws(() => BpfObject.open('build/bpf/no-such-object.o'), (e: unknown) =>
    e instanceof BpfError && e.errno === 2 && e.op === 'bpf_object__open_file' && /no-such-object/.test(e.message));
  const bad = BpfObject.open('build/bpf/binding_bad.bpf.o');
  try {
    assert.throws(() => bad.load(), (e: unknown) => {
      assert.ok(e instanceof BpfError);
      assert.equal(e.op, 'bpf_object__load');
      assert.equal(e.errno, 13 /* EACCES: the verifier said no */);
      assert.match(e.message, /invalid access to packet/, 'the verifier log is in the message');
      assert.ok(e.log.some((l) => /END PROG LOAD LOG/.test(l)), 'the log is complete up to its end');
      assert.ok(e.log.join('\n').length > 4096, 'a log longer than one 4 KiB message is kept whole');
      return true;
    });
  } finally {
    bad.close();
  }
  assert.throws(() => BpfMap.openPinned('/sys/fs/bpf/ipvx-no-such-pin'), (e: unknown) => e instanceof BpfError && e.errno === 2);
  assert.throws(() => BpfProgram.openById(0x7fffffff), (e: unknown) => e instanceof BpfError && e.errno === 2 && e.op === 'bpf_prog_get_fd_by_id');
});

// ---- XDP on interfaces, inside namespaces

test('XDP attach, query, replace, adopt by id and detach, native and generic (own netns)', () => {
  const o = load();
  try {
    inNetns('a', (ns) => {
      const { a } = veth(ns, 'bt0', 'bt1');
      const count = o.program('count_and_filter'), tx = o.program('tx_all');
      assert.deepEqual(queryXdp(a), {});

      attachXdp(a, count.fd, 'native');
      assert.deepEqual(queryXdp(a), { progId: count.info().id, mode: 'native', nativeProgId: count.info().id });
      assert.match(execFileSync('ip', ['-n', ns, 'link', 'show', 'bt0'], { encoding: 'utf8' }), /xdp[^g]/, 'ip sees it (in the namespace)');
      assert.throws(() => attachXdp(a, tx.fd, 'native', { replace: false }), (e: unknown) =>
        e instanceof BpfError && e.errno === 16 && e.op === 'bpf_xdp_attach');
      attachXdp(a, tx.fd, 'native');
      assert.equal(queryXdp(a).progId, tx.info().id, 'replaced atomically');

      // A restarted daemon finds the attached program by id.
      const adopted = BpfProgram.openById(queryXdp(a).progId!);
      assert.equal(adopted.name, 'tx_all');
      assert.equal(adopted.testRun({ data: frame(1) }).retval, 3 /* XDP_TX */);
      adopted.close();

      detachXdp(a, 'native');
      assert.deepEqual(queryXdp(a), {});

      attachXdp(a, count.fd, 'generic');
      assert.deepEqual(queryXdp(a), { progId: count.info().id, mode: 'generic', genericProgId: count.info().id });
      assert.throws(() => attachXdp(a, tx.fd, 'native'), BpfError, 'native and generic cannot both be attached');
      detachXdp(a, 'generic');
      assert.deepEqual(queryXdp(a), {});
    });
  } finally {
    o.close();
  }
  assert.throws(() => execFileSync('ip', ['netns', 'pids', `ipvxbind${process.pid}a`], { stdio: 'pipe' }), 'the namespace is gone');
});

test('live frames: frames sent with BPF_F_TEST_XDP_LIVE_FRAMES arrive at the veth peer and are counted there', () => {
  const sender = load(), receiver = load();
  try {
    inNetns('b', (ns) => {
      const { a, b } = veth(ns, 'lf0', 'lf1');
      attachXdp(b, receiver.program('count_and_filter').fd, 'native');
      const counted = () => sum(receiver.map('seen').lookupPerCpu(u32(0)));
      const before = counted();
      const f = frame(0);
      f.set([0x02, 0, 0, 0, 0, 1], 0); // unicast destination
      f.set([0x02, 0, 0, 0, 0, 2], 6);
      const r = sender.program('tx_all').testRun({
        data: f, repeat: 100, ctxIn: xdpMd(a), flags: BPF_F_TEST_XDP_LIVE_FRAMES, batchSize: 16,
      });
      assert.equal(r.data.length, 0, 'live frames return no data');
      assert.equal(counted() - before, 100n, 'every frame reached the peer');
      assert.equal(sum(sender.map('seen').lookupPerCpu(u32(0))), 0n, 'the sender counted nothing itself');
    });
  } finally {
    sender.close();
    receiver.close();
  }
});
