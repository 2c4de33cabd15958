// A BPF map by fd: element operations, iteration, batch operations, per-CPU values, pins.
import { F } from './libbpf.js';
import { BpfError, check } from './errors.js';

export const MAP_TYPE = { hash: 1, array: 2, percpuHash: 5, percpuArray: 6, lruHash: 9, lruPercpuHash: 10, devmapHash: 25 } as const;
const PERCPU = new Set<number>([MAP_TYPE.percpuHash, MAP_TYPE.percpuArray, MAP_TYPE.lruPercpuHash, 21]);
const UPDATE_FLAGS = { any: 0, noexist: 1, exist: 2 } as const;
const ENOENT = 2;

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

  constructor(readonly fd: number, private readonly owned = false) {
    const info = mapInfo(fd);
    this.type = info.type; this.id = info.id; this.keySize = info.keySize; this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries; this.name = info.name;
    this.perCpu = PERCPU.has(info.type);
    this.elemSize = this.perCpu ? Math.ceil(info.valueSize / 8) * 8 * numPossibleCpus() : info.valueSize;
  }

  /** A map pinned at `path` (bpf_obj_get). */
  static openPinned(path: string): BpfMap {
    const fd = F.objGet(path) as number;
    if (fd < 0) throw new BpfError('bpf_obj_get', -fd, path);
    return new BpfMap(fd, true);
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

  lookup(key: Uint8Array): Uint8Array | undefined {
    const v = this.raw(key);
    return v && (this.perCpu ? v.subarray(0, this.valueSize) : v);
  }

  update(key: Uint8Array, value: Uint8Array, flags: keyof typeof UPDATE_FLAGS = 'any'): void {
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

  /** Keys in the kernel's order; a key deleted meanwhile restarts nothing (get_next_key semantics). */
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

  lookupPerCpu(key: Uint8Array): Uint8Array[] {
    if (!this.perCpu) throw new BpfError(`map ${this.name}`, 22, 'not a per-CPU map');
    const v = this.raw(key);
    const stride = Math.ceil(this.valueSize / 8) * 8;
    return Array.from({ length: numPossibleCpus() }, (_, i) =>
      v ? v.slice(i * stride, i * stride + this.valueSize) : new Uint8Array(this.valueSize));
  }

  updatePerCpu(key: Uint8Array, values: Uint8Array[], flags: keyof typeof UPDATE_FLAGS = 'any'): void {
    if (!this.perCpu) throw new BpfError(`map ${this.name}`, 22, 'not a per-CPU map');
    if (values.length !== numPossibleCpus()) throw new BpfError(`map ${this.name}`, 22, `${values.length} values for ${numPossibleCpus()} CPUs`);
    const stride = Math.ceil(this.valueSize / 8) * 8;
    const buf = new Uint8Array(this.elemSize);
    values.forEach((v, i) => buf.set(v.subarray(0, this.valueSize), i * stride));
    check(`update in ${this.name}`, F.update(this.fd, key, buf, UPDATE_FLAGS[flags]));
  }

  /** Every element, `chunk` at a time (bpf_map_lookup_batch). Values are whole elements (per-CPU: all CPUs). */
  lookupBatch(chunk = 1024): { keys: Uint8Array[]; values: Uint8Array[] } {
    const keys: Uint8Array[] = [], values: Uint8Array[] = [];
    const tokenSize = Math.max(this.keySize, 8);
    let inBatch: Uint8Array | null = null;
    for (;;) {
      const outBatch = new Uint8Array(tokenSize);
      const kb = new Uint8Array(chunk * this.keySize), vb = new Uint8Array(chunk * this.elemSize);
      const count = [chunk];
      const rc = F.lookupBatch(this.fd, inBatch, outBatch, kb, vb, count, { sz: 24, elem_flags: 0, flags: 0 }) as number;
      if (rc < 0 && rc !== -ENOENT) check(`lookup_batch in ${this.name}`, rc);
      for (let i = 0; i < count[0]!; i++) {
        keys.push(kb.slice(i * this.keySize, (i + 1) * this.keySize));
        values.push(vb.slice(i * this.elemSize, (i + 1) * this.elemSize));
      }
      if (rc === -ENOENT) return { keys, values };
      inBatch = outBatch;
    }
  }

  updateBatch(keys: Uint8Array[], values: Uint8Array[]): void {
    if (keys.length !== values.length) throw new BpfError(`map ${this.name}`, 22, 'keys and values differ in number');
    if (keys.length === 0) return;
    const kb = new Uint8Array(keys.length * this.keySize), vb = new Uint8Array(keys.length * this.elemSize);
    keys.forEach((k, i) => { this.checkKey(k); kb.set(k, i * this.keySize); });
    values.forEach((v, i) => vb.set(v.subarray(0, this.elemSize), i * this.elemSize));
    const count = [keys.length];
    check(`update_batch in ${this.name}`, F.updateBatch(this.fd, kb, vb, count, { sz: 24, elem_flags: 0, flags: 0 }));
  }

  deleteBatch(keys: Uint8Array[]): number {
    if (keys.length === 0) return 0;
    const kb = new Uint8Array(keys.length * this.keySize);
    keys.forEach((k, i) => { this.checkKey(k); kb.set(k, i * this.keySize); });
    const count = [keys.length];
    const rc = F.deleteBatch(this.fd, kb, count, { sz: 24, elem_flags: 0, flags: 0 }) as number;
    if (rc < 0 && rc !== -ENOENT) check(`delete_batch in ${this.name}`, rc);
    return count[0]!;
  }

  pin(path: string): void {
    check(`pin ${this.name}`, F.objPin(this.fd, path), path);
  }

  close(): void {
    if (this.owned) F.close(this.fd);
  }
}
