// libbpf 1.x through koffi: only the functions ipvx uses, declared once. Pointers to
// bytes are passed as Uint8Array (koffi hands C the array's own memory).
import koffi from 'koffi';

export const lib = koffi.load('libbpf.so.1');
const libc = koffi.load('libc.so.6');

koffi.opaque('bpf_object');
koffi.opaque('bpf_map');
koffi.opaque('bpf_program');
koffi.opaque('btf');

export const testRunOpts = koffi.struct('bpf_test_run_opts', {
  sz: 'size_t', data_in: 'void *', data_out: 'void *', data_size_in: 'uint32_t', data_size_out: 'uint32_t',
  ctx_in: 'void *', ctx_out: 'void *', ctx_size_in: 'uint32_t', ctx_size_out: 'uint32_t', retval: 'uint32_t',
  repeat: 'int', duration: 'uint32_t', flags: 'uint32_t', cpu: 'uint32_t', batch_size: 'uint32_t',
});

/** libbpf 1.1's layout: 4 x u32 ids, a u8 mode, padded to 8 (sz = 32). */
export const xdpQueryOpts = koffi.struct('bpf_xdp_query_opts', {
  sz: 'size_t', prog_id: 'uint32_t', drv_prog_id: 'uint32_t', hw_prog_id: 'uint32_t', skb_prog_id: 'uint32_t', attach_mode: 'uint8_t',
});

export const batchOpts = koffi.struct('bpf_map_batch_opts', { sz: 'size_t', elem_flags: 'uint64_t', flags: 'uint64_t' });

/** The `sz` each opts struct declares: this libbpf's (1.1) size, so it reads every field we set. */
export const TEST_RUN_OPTS_SIZE = koffi.sizeof(testRunOpts); // 80
export const BATCH_OPTS_SIZE = koffi.sizeof(batchOpts); // 24
export const XDP_QUERY_OPTS_SIZE = koffi.sizeof(xdpQueryOpts); // 32

const printFn = koffi.proto('int ipvx_libbpf_print_fn(int level, void *fmt, void *ap)');

export const F = {
  objectOpen: lib.func('bpf_object *bpf_object__open_file(const char *path, void *opts)'),
  objectLoad: lib.func('int bpf_object__load(bpf_object *obj)'),
  objectClose: lib.func('void bpf_object__close(bpf_object *obj)'),
  objectNextMap: lib.func('bpf_map *bpf_object__next_map(bpf_object *obj, bpf_map *prev)'),
  objectNextProgram: lib.func('bpf_program *bpf_object__next_program(bpf_object *obj, bpf_program *prev)'),
  findMap: lib.func('bpf_map *bpf_object__find_map_by_name(bpf_object *obj, const char *name)'),
  findProgram: lib.func('bpf_program *bpf_object__find_program_by_name(bpf_object *obj, const char *name)'),
  mapFd: lib.func('int bpf_map__fd(bpf_map *map)'),
  mapName: lib.func('const char *bpf_map__name(bpf_map *map)'),
  mapSetMaxEntries: lib.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t n)'),
  mapSetPinPath: lib.func('int bpf_map__set_pin_path(bpf_map *map, const char *path)'),
  mapType: lib.func('int bpf_map__type(bpf_map *map)'),
  mapKeySize: lib.func('uint32_t bpf_map__key_size(bpf_map *map)'),
  mapValueSize: lib.func('uint32_t bpf_map__value_size(bpf_map *map)'),
  mapMaxEntries: lib.func('uint32_t bpf_map__max_entries(bpf_map *map)'),
  mapReuseFd: lib.func('int bpf_map__reuse_fd(bpf_map *map, int fd)'),
  programFd: lib.func('int bpf_program__fd(bpf_program *prog)'),
  programName: lib.func('const char *bpf_program__name(bpf_program *prog)'),
  lookup: lib.func('int bpf_map_lookup_elem(int fd, const void *key, void *value)'),
  update: lib.func('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
  delete: lib.func('int bpf_map_delete_elem(int fd, const void *key)'),
  nextKey: lib.func('int bpf_map_get_next_key(int fd, const void *key, void *next)'),
  lookupBatch: lib.func('int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)'),
  updateBatch: lib.func('int bpf_map_update_batch(int fd, const void *keys, const void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)'),
  deleteBatch: lib.func('int bpf_map_delete_batch(int fd, const void *keys, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)'),
  objPin: lib.func('int bpf_obj_pin(int fd, const char *path)'),
  objGet: lib.func('int bpf_obj_get(const char *path)'),
  objInfo: lib.func('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)'),
  progFdById: lib.func('int bpf_prog_get_fd_by_id(uint32_t id)'),
  mapFdById: lib.func('int bpf_map_get_fd_by_id(uint32_t id)'),
  mapCreate: lib.func('int bpf_map_create(int map_type, const char *name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, void *opts)'),
  numPossibleCpus: lib.func('int libbpf_num_possible_cpus(void)'),
  xdpAttach: lib.func('int bpf_xdp_attach(int ifindex, int prog_fd, uint32_t flags, void *opts)'),
  xdpDetach: lib.func('int bpf_xdp_detach(int ifindex, uint32_t flags, void *opts)'),
  xdpQuery: lib.func('int bpf_xdp_query(int ifindex, int flags, _Inout_ bpf_xdp_query_opts *opts)'),
  testRun: lib.func('int bpf_prog_test_run_opts(int fd, _Inout_ bpf_test_run_opts *opts)'),
  btfParse: lib.func('btf *btf__parse(const char *path, void *btf_ext)'),
  btfFree: lib.func('void btf__free(btf *btf)'),
  btfFindByNameKind: lib.func('int btf__find_by_name_kind(btf *btf, const char *name, uint32_t kind)'),
  btfTypeById: lib.func('const void *btf__type_by_id(btf *btf, uint32_t id)'),
  btfNameByOffset: lib.func('const char *btf__name_by_offset(btf *btf, uint32_t offset)'),
  setPrint: lib.func('void *libbpf_set_print(ipvx_libbpf_print_fn *fn)'),
  strerror: lib.func('int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)'),
  close: libc.func('int close(int fd)'),
  vsnprintf: libc.func('int vsnprintf(void *buf, size_t n, void *fmt, void *ap)'),
};

/**
 * libbpf's recent log lines (warnings and info), a bounded ring: a failed load's
 * verifier log goes into the error. `logSeq` counts every line ever kept, so a
 * caller can ask for the lines printed since a mark even after the ring wrapped.
 */
const LOG_KEEP = 500;
const ring: string[] = [];
let logSeq = 0;

export function logPosition(): number {
  return logSeq;
}

export function logSince(mark: number): string[] {
  const n = Math.min(logSeq - mark, ring.length);
  return n > 0 ? ring.slice(ring.length - n) : [];
}

function keep(text: string): void {
  for (const line of text.split('\n')) {
    ring.push(line);
    logSeq++;
  }
  if (ring.length > LOG_KEEP) ring.splice(0, ring.length - LOG_KEEP);
}

// A va_list is a pointer to a 24-byte struct on x86_64; vsnprintf consumes it, so
// measure with a copy (a hand-made va_copy) and format with the original.
const VA_LIST_SIZE = 24;
const MAX_MESSAGE = 4 << 20;
const printer = koffi.register((level: number, fmt: unknown, ap: unknown) => {
  if (level > 1 && !process.env.IPVX_LIBBPF_DEBUG) return 0; // 0 warn, 1 info, 2 debug
  const apCopy = new Uint8Array(koffi.view(ap, VA_LIST_SIZE)).slice();
  const need = F.vsnprintf(null, 0, fmt, apCopy) as number;
  if (need <= 0) return 0;
  const buf = new Uint8Array(Math.min(need, MAX_MESSAGE) + 1);
  const n = Math.min(F.vsnprintf(buf, buf.length, fmt, ap) as number, buf.length - 1);
  keep(Buffer.from(buf.subarray(0, Math.max(0, n))).toString().trimEnd());
  return 0;
}, koffi.pointer(printFn));
F.setPrint(printer);

export const errno = (): number => koffi.errno();
