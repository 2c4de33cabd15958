// A BPF object file: open, size and pin maps before load, load, programs and maps by name.
import { F } from './libbpf.js';
import { BpfError, check, checkPtr, logMark } from './errors.js';
import { BpfMap } from './map.js';
import { BpfProgram } from './program.js';

type Ptr = unknown;

export class BpfObject {
  private loaded = false;
  private closed = false;
  private readonly mapCache = new Map<string, BpfMap>();
  private readonly progCache = new Map<string, BpfProgram>();

  private constructor(private readonly ptr: Ptr, readonly path: string) {}

  static open(path: string): BpfObject {
    const mark = logMark();
    return new BpfObject(checkPtr('bpf_object__open_file', F.objectOpen(path, null), path, mark), path);
  }

  private mustBeOpen(): void {
    if (this.closed) throw new BpfError(this.path, 9, 'object is closed');
  }

  private rawMap(name: string): Ptr {
    const m = F.findMap(this.ptr, name);
    if (!m) throw new BpfError('bpf_object__find_map_by_name', 2, `no map '${name}' in ${this.path}`);
    return m;
  }

  /** Before load: a map's size. */
  setMaxEntries(map: string, n: number): void {
    this.mustBeOpen();
    check('bpf_map__set_max_entries', F.mapSetMaxEntries(this.rawMap(map), n), map);
  }

  /** Before load: reuse the map pinned at `path` if there is one, else pin the new map there. */
  setPinPath(map: string, path: string): void {
    this.mustBeOpen();
    check('bpf_map__set_pin_path', F.mapSetPinPath(this.rawMap(map), path), map);
  }

  /** A map's definition as the object declares it (after any setMaxEntries). */
  mapSpec(map: string): { type: number; keySize: number; valueSize: number; maxEntries: number } {
    this.mustBeOpen();
    const m = this.rawMap(map);
    return { type: F.mapType(m) as number, keySize: F.mapKeySize(m) as number, valueSize: F.mapValueSize(m) as number, maxEntries: F.mapMaxEntries(m) as number };
  }

  /**
   * Before load: use an existing map (libbpf dups `fd`) without libbpf's compatibility
   * check. For maps whose flags the kernel changes at creation (devmaps gain
   * BPF_F_RDONLY_PROG), where setPinPath's check would refuse the pin.
   */
  reuseMapFd(map: string, fd: number): void {
    this.mustBeOpen();
    check('bpf_map__reuse_fd', F.mapReuseFd(this.rawMap(map), fd), map);
  }

  load(): void {
    this.mustBeOpen();
    const mark = logMark();
    check('bpf_object__load', F.objectLoad(this.ptr), this.path, mark);
    this.loaded = true;
  }

  private names(next: (obj: Ptr, prev: Ptr) => Ptr, name: (p: Ptr) => string): string[] {
    const out: string[] = [];
    for (let p = next(this.ptr, null); p; p = next(this.ptr, p)) out.push(name(p));
    return out;
  }

  maps(): string[] {
    this.mustBeOpen();
    return this.names((o, p) => F.objectNextMap(o, p), (p) => F.mapName(p) as string);
  }

  programs(): string[] {
    this.mustBeOpen();
    return this.names((o, p) => F.objectNextProgram(o, p), (p) => F.programName(p) as string);
  }

  map(name: string): BpfMap {
    this.mustBeLoaded();
    let m = this.mapCache.get(name);
    if (!m) this.mapCache.set(name, (m = new BpfMap(check('bpf_map__fd', F.mapFd(this.rawMap(name)), name), false, name)));
    return m;
  }

  program(name: string): BpfProgram {
    this.mustBeLoaded();
    let p = this.progCache.get(name);
    if (!p) {
      const raw = F.findProgram(this.ptr, name);
      if (!raw) throw new BpfError('bpf_object__find_program_by_name', 2, `no program '${name}' in ${this.path}`);
      this.progCache.set(name, (p = new BpfProgram(check('bpf_program__fd', F.programFd(raw), name), name)));
    }
    return p;
  }

  private mustBeLoaded(): void {
    this.mustBeOpen();
    if (!this.loaded) throw new BpfError(this.path, 22, 'object is not loaded yet');
  }

  /**
   * Frees the object's fds (and so those of the BpfMap/BpfProgram it handed out);
   * pinned maps and attached programs live on in the kernel.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    F.objectClose(this.ptr);
  }
}
