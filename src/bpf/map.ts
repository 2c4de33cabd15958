// A BPF map by fd: element operations, iteration, batch operations, per-CPU values, pins.
import { unlinkSync } from 'node:fs';
import { F, BATCH_OPTS_SIZE } from './libbpf.js';
import { BpfError, ENOTSUPP, check } from './errors.js';
import { closeOnCollect, forget } from './fds.js';

/** enum bpf_map_type (the ones worth naming here). */
export const MAP_TYPE = {
  hash: 1, array: 2, progArray: 3, perfEventArray: 4, percpuHash: 5, percpuArray: 6, stackTrace: 7,
  cgroupArray: 8, lruHash: 9, lruPercpuHash: 10, lpmTrie: 11, arrayOfMaps: 12, hashOfMaps: 13, devmap: 14,
  sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, percpuCgroupStorage: 21, queue: 22, stack: 23,
  devmapHash: 25, ringbuf: 27,
} as const;
const PERCPU = new Set<number>([MAP_TYPE.percpuHash, MAP_TYPE.percpuArray, MAP_TYPE.lruPercpuHash, MAP_TYPE.percpuCgroupStorage]);
const typeName = (t: number) => Object.entries(MAP_TYPE).find(([, v]) => v === t)?.[0] ?? `type ${t}`;

export type UpdateFlag = 'any' | 'noexist' | 'exist';
const UPDATE_FLAGS: Record<UpdateFlag, number> = { any: 0, noexist: 1, exist: 2 };
const BATCH_OPTS = { sz: BATCH_OPTS_SIZE, elem_flags: 0, flags: 0 };
const ENOENT = 2, ENOSPC = 28, EOPNOTSUPP = 95;

export interface MapInfo { type: number; id: number; keySize: number; valueSize: number; maxEntries: number; name: string }

export function mapInfo(fd: number): MapInfo {
  const buf = new Uint8Array(96);
  const len = [buf.length];
  check('bpf_obj_get_info_by_fd', F.objInfo(fd, buf, len));
  const dv = new DataView(buf.buffer);
  const name = Buffer.from(buf.subarray(24, 40));
  return {
    type: dv.getUint32(0, true), id: dv.getUint32(4, true), keySize: dv.getUint32(8, true),
    valueSize: dv.getUint32(12, true), maxEntries: dv.getUint32(16, true),
    name: name.subarray(0, name.indexOf(0) < 0 ? 16 : name.indexOf(0)).toString(),
  };
}

let cpus: number | undefined;
/** Possible CPUs: the number of values in a per-CPU map's element. */
export function numPossibleCpus(): number {
  return (cpus ??= check('libbpf_num_possible_cpus', F.numPossibleCpus()));
}

export class BpfMap {
  readonly type: number;
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly name: string;
  readonly perCpu: boolean;
  /** Bytes of one element as the syscalls read and write it (per-CPU: rounded to 8, times CPUs). */
  private readonly elemSize: number;

  /** Bytes one CPU's value takes in a per-CPU element. */
  private readonly stride: number;
  private closed = false;

  /**
   * @param fd    a map fd
   * @param owned close() closes the fd (maps of a BpfObject are closed by the object)
   * @param name  the full name (the kernel keeps only 15 characters)
   */
  constructor(readonly fd: number, private readonly owned = false, name?: string) {
    const info = mapInfo(fd);
    this.type = info.type; this.id = info.id; this.keySize = info.keySize; this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries; this.name = name ?? info.name;
    this.perCpu = PERCPU.has(info.type);
    this.stride = Math.ceil(info.valueSize / 8) * 8;
    this.elemSize = this.perCpu ? this.stride * numPossibleCpus() : info.valueSize;
    if (owned) closeOnCollect(this, fd);
  }

  /** A map pinned at `path` (bpf_obj_get); close() it when done. */
  static openPinned(path: string): BpfMap {
    const fd = check('bpf_obj_get', F.objGet(path) as number, path);
    try {
      return new BpfMap(fd, true);
    } catch (e) {
      F.close(fd);
      throw e;
    }
  }

  /** A new map outside any object (bpf_map_create), e.g. an inner map of a map-in-map; close() it when done. */
  static create(type: number, keySize: number, valueSize: number, maxEntries: number, name = ''): BpfMap {
    const fd = check('bpf_map_create', F.mapCreate(type, name || null, keySize, valueSize, maxEntries, null) as number, name || `map type ${type}`);
    try {
      return new BpfMap(fd, true, name || undefined);
    } catch (e) {
      F.close(fd);
      throw e;
    }
  }

  /** A loaded map by its id (bpf_map_get_fd_by_id); close() it when done. */
  static openById(id: number): BpfMap {
    const fd = check('bpf_map_get_fd_by_id', F.mapFdById(id) as number, `map id ${id}`);
    try {
      return new BpfMap(fd, true);
    } catch (e) {
      F.close(fd);
      throw e;
    }
  }

  private checkKey(key: Uint8Array): void {
    if (key.length !== this.keySize) throw new BpfError(`map ${this.name}`, 22, `key of ${key.length} bytes, expected ${this.keySize}`);
  }

  private raw(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const out = new Uint8Array(this.elemSize);
    const rc = F.lookup(this.fd, key, out) as number;
    if (rc === -ENOENT) return undefined;
    check(`lookup in ${this.name}`, rc);
    return out;
  }

  /** The value; on a per-CPU map, CPU 0's value (see lookupPerCpu). */
  lookup(key: Uint8Array): Uint8Array | undefined {
    const v = this.raw(key);
    return v && (this.perCpu ? v.subarray(0, this.valueSize) : v);
  }

  /** On a per-CPU map, `value` goes to every CPU. */
  update(key: Uint8Array, value: Uint8Array, flags: UpdateFlag = 'any'): void {
    this.checkKey(key);
    if (this.perCpu) return this.updatePerCpu(key, Array.from({ length: numPossibleCpus() }, () => value), flags);
    if (value.length !== this.valueSize) throw new BpfError(`map ${this.name}`, 22, `value of ${value.length} bytes, expected ${this.valueSize}`);
    check(`update in ${this.name}`, F.update(this.fd, key, value, UPDATE_FLAGS[flags]));
  }

  delete(key: Uint8Array): boolean {
    this.checkKey(key);
    const rc = F.delete(this.fd, key) as number;
    if (rc === -ENOENT) return false;
    check(`delete in ${this.name}`, rc);
    return true;
  }

  /** Keys in the kernel's order (bpf_map_get_next_key). Deleting the current key while iterating makes a hash restart from its first key: collect first ([...keys()]), then delete. */
  *keys(): Iterable<Uint8Array> {
    let prev: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.keySize);
      const rc = F.nextKey(this.fd, prev, next) as number;
      if (rc === -ENOENT) return;
      check(`get_next_key in ${this.name}`, rc);
      yield next;
      prev = next;
    }
  }

  /** One value per possible CPU; zeros for a key that is absent (a per-CPU hash). */
  lookupPerCpu(key: Uint8Array): Uint8Array[] {
    this.mustBePerCpu();
    return this.splitPerCpu(this.raw(key) ?? new Uint8Array(this.elemSize));
  }

  /** A whole per-CPU element (as lookupBatch returns it) as one value per CPU. */
  splitPerCpu(element: Uint8Array): Uint8Array[] {
    this.mustBePerCpu();
    if (element.length !== this.elemSize) throw new BpfError(`map ${this.name}`, 22, `element of ${element.length} bytes, expected ${this.elemSize}`);
    return Array.from({ length: numPossibleCpus() }, (_, i) => element.slice(i * this.stride, i * this.stride + this.valueSize));
  }

  updatePerCpu(key: Uint8Array, values: Uint8Array[], flags: UpdateFlag = 'any'): void {
    this.mustBePerCpu();
    this.checkKey(key);
    check(`update in ${this.name}`, F.update(this.fd, key, this.joinPerCpu(values), UPDATE_FLAGS[flags]));
  }

  private mustBePerCpu(): void {
    if (!this.perCpu) throw new BpfError(`map ${this.name}`, 22, `not a per-CPU map (${typeName(this.type)})`);
  }

  /** Batch calls fail with ENOTSUPP/EOPNOTSUPP on map types without them: say so plainly. */
  private checkBatch(op: string, rc: number): void {
    if (rc === -ENOTSUPP || rc === -EOPNOTSUPP) {
      throw new BpfError(op, -rc, `map ${this.name} (${typeName(this.type)}) has no batch operations; use keys(), lookup(), update() and delete()`);
    }
    check(`${op} in ${this.name}`, rc);
  }

  /**
   * Every element, `chunk` at a time (bpf_map_lookup_batch). A value is the whole
   * element: on a per-CPU map all CPUs' values (split it with splitPerCpu).
   */
  lookupBatch(chunk = 1024): { keys: Uint8Array[]; values: Uint8Array[] } {
    const keys: Uint8Array[] = [], values: Uint8Array[] = [];
    const tokenSize = Math.max(this.keySize, 8); // hash maps use a bucket index, arrays a key
    let inBatch: Uint8Array | null = null;
    for (;;) {
      const outBatch = new Uint8Array(tokenSize);
      const kb = new Uint8Array(chunk * this.keySize), vb = new Uint8Array(chunk * this.elemSize);
      const count = [chunk];
      const rc = F.lookupBatch(this.fd, inBatch, outBatch, kb, vb, count, BATCH_OPTS) as number;
      // A hash bucket holding more than `chunk` elements: ask again with more room.
      if (rc === -ENOSPC && count[0] === 0) { chunk *= 2; continue; }
      if (rc < 0 && rc !== -ENOENT) this.checkBatch('bpf_map_lookup_batch', rc);
      for (let i = 0; i < count[0]!; i++) {
        keys.push(kb.slice(i * this.keySize, (i + 1) * this.keySize));
        values.push(vb.slice(i * this.elemSize, (i + 1) * this.elemSize));
      }
      if (rc === -ENOENT) return { keys, values };
      inBatch = outBatch;
    }
  }

  /** Bytes of one whole element as batch calls read and write it (per-CPU: every CPU's value, each rounded up to 8). */
  get elementSize(): number {
    return this.elemSize;
  }

  /** One per-CPU element (as updateBatch takes it) from one value per CPU: the inverse of splitPerCpu. */
  joinPerCpu(values: Uint8Array[]): Uint8Array {
    this.mustBePerCpu();
    if (values.length !== numPossibleCpus()) throw new BpfError(`map ${this.name}`, 22, `${values.length} values for ${numPossibleCpus()} CPUs`);
    const buf = new Uint8Array(this.elemSize);
    values.forEach((v, i) => {
      if (v.length !== this.valueSize) throw new BpfError(`map ${this.name}`, 22, `value of ${v.length} bytes, expected ${this.valueSize}`);
      buf.set(v, i * this.stride);
    });
    return buf;
  }

  /**
   * The elements at indexes [0, n) of an array map in one flat buffer (index i at
   * i * elementSize), read with a few bpf_map_lookup_batch calls instead of n lookups
   * and without an object per element. Per-CPU: a CPU's value at i * elementSize + cpu * 8-aligned stride.
   */
  readArrayPrefix(n: number, chunk = 8192): Uint8Array {
    if (this.type !== MAP_TYPE.array && this.type !== MAP_TYPE.percpuArray) throw new BpfError(`map ${this.name}`, 22, `not an array map (${typeName(this.type)})`);
    n = Math.min(n, this.maxEntries);
    const out = new Uint8Array(n * this.elemSize);
    const kb = new Uint8Array(chunk * this.keySize);
    let inBatch: Uint8Array | null = null;
    let done = 0;
    while (done < n) {
      const want = Math.min(chunk, n - done);
      const outBatch = new Uint8Array(Math.max(this.keySize, 8));
      const count = [want];
      const rc = F.lookupBatch(this.fd, inBatch, outBatch, kb, out.subarray(done * this.elemSize, (done + want) * this.elemSize), count, BATCH_OPTS) as number;
      if (rc < 0 && rc !== -ENOENT) this.checkBatch('bpf_map_lookup_batch', rc);
      const got = count[0]!;
      done += got;
      if (rc === -ENOENT || got === 0) break;
      inBatch = outBatch;
    }
    return out;
  }

  /** The stride of one CPU's value inside a per-CPU element (the value size rounded up to 8). */
  get perCpuStride(): number {
    return this.stride;
  }

  /** Writes every pair in one call (bpf_map_update_batch); per-CPU values are whole elements. */
  updateBatch(keys: Uint8Array[], values: Uint8Array[]): void {
    if (keys.length !== values.length) throw new BpfError(`map ${this.name}`, 22, 'keys and values differ in number');
    if (keys.length === 0) return;
    const kb = new Uint8Array(keys.length * this.keySize), vb = new Uint8Array(keys.length * this.elemSize);
    keys.forEach((k, i) => { this.checkKey(k); kb.set(k, i * this.keySize); });
    values.forEach((v, i) => {
      if (v.length !== this.elemSize) throw new BpfError(`map ${this.name}`, 22, `value of ${v.length} bytes, expected ${this.elemSize}`);
      vb.set(v, i * this.elemSize);
    });
    const count = [keys.length];
    this.checkBatch('bpf_map_update_batch', F.updateBatch(this.fd, kb, vb, count, BATCH_OPTS));
  }

  /** updateBatch with `count` keys and values packed back to back (no per-entry arrays). */
  updateBatchFlat(keys: Uint8Array, values: Uint8Array, count: number): void {
    if (count === 0) return;
    if (keys.length !== count * this.keySize) throw new BpfError(`map ${this.name}`, 22, `keys of ${keys.length} bytes for ${count} entries of ${this.keySize}`);
    if (values.length !== count * this.elemSize) throw new BpfError(`map ${this.name}`, 22, `values of ${values.length} bytes for ${count} entries of ${this.elemSize}`);
    const c = [count];
    this.checkBatch('bpf_map_update_batch', F.updateBatch(this.fd, keys, values, c, BATCH_OPTS));
  }

  /** deleteBatch with `count` keys packed back to back. */
  deleteBatchFlat(keys: Uint8Array, count: number): number {
    if (count === 0) return 0;
    if (keys.length !== count * this.keySize) throw new BpfError(`map ${this.name}`, 22, `keys of ${keys.length} bytes for ${count} entries of ${this.keySize}`);
    const c = [count];
    const rc = F.deleteBatch(this.fd, keys, c, BATCH_OPTS) as number;
    if (rc < 0 && rc !== -ENOENT) this.checkBatch('bpf_map_delete_batch', rc);
    return c[0]!;
  }

  /** Deletes the keys in one call (bpf_map_delete_batch); stops at the first absent key. Returns how many went. */
  deleteBatch(keys: Uint8Array[]): number {
    if (keys.length === 0) return 0;
    const kb = new Uint8Array(keys.length * this.keySize);
    keys.forEach((k, i) => { this.checkKey(k); kb.set(k, i * this.keySize); });
    const count = [keys.length];
    const rc = F.deleteBatch(this.fd, kb, count, BATCH_OPTS) as number;
    if (rc < 0 && rc !== -ENOENT) this.checkBatch('bpf_map_delete_batch', rc);
    return count[0]!;
  }

  /** Pins the map at `path` on a bpffs (bpf_obj_pin); the directory must exist. */
  pin(path: string): void {
    check('bpf_obj_pin', F.objPin(this.fd, path), `map ${this.name} at ${path}`);
  }

  /** Removes the pin at `path` (the map lives on while anything holds it). */
  unpin(path: string): void {
    unpinPath(path);
  }

  /** Closes the fd if this handle owns it (openPinned, openById); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) { forget(this); F.close(this.fd); }
  }
}

/** A pin is a file on the bpffs: unpinning is unlinking it. */
export function unpinPath(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BpfError('unlink', typeof err.errno === 'number' ? -err.errno : 5, path);
  }
}
