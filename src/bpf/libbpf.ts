// libbpf 1.x through koffi: only the functions ipvx uses, declared once. Pointers to
// bytes are passed as Uint8Array (koffi hands C the array's own memory).
import koffi from 'koffi';

export const lib = koffi.load('libbpf.so.1');
const libc = koffi.load('libc.so.6');

koffi.opaque('bpf_object');
koffi.opaque('bpf_map');
koffi.opaque('bpf_program');

export const testRunOpts = koffi.struct('bpf_test_run_opts', {
  sz: 'size_t', data_in: 'void *', data_out: 'void *', data_size_in: 'uint32_t', data_size_out: 'uint32_t',
  ctx_in: 'void *', ctx_out: 'void *', ctx_size_in: 'uint32_t', ctx_size_out: 'uint32_t', retval: 'uint32_t',
  repeat: 'int', duration: 'uint32_t', flags: 'uint32_t', cpu: 'uint32_t', batch_size: 'uint32_t',
});

export const batchOpts = koffi.struct('bpf_map_batch_opts', { sz: 'size_t', elem_flags: 'uint64_t', flags: 'uint64_t' });

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
  numPossibleCpus: lib.func('int libbpf_num_possible_cpus(void)'),
  xdpAttach: lib.func('int bpf_xdp_attach(int ifindex, int prog_fd, uint32_t flags, void *opts)'),
  xdpDetach: lib.func('int bpf_xdp_detach(int ifindex, uint32_t flags, void *opts)'),
  xdpQueryId: lib.func('int bpf_xdp_query_id(int ifindex, int flags, _Out_ uint32_t *prog_id)'),
  testRun: lib.func('int bpf_prog_test_run_opts(int fd, _Inout_ bpf_test_run_opts *opts)'),
  setPrint: lib.func('void *libbpf_set_print(ipvx_libbpf_print_fn *fn)'),
  strerror: lib.func('int libbpf_strerror(int err, _Out_ uint8_t *buf, size_t size)'),
  close: libc.func('int close(int fd)'),
  vsnprintf: libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t n, void *fmt, void *ap)'),
};

/** libbpf's recent log lines (warnings and info), kept for error messages: a failed load's verifier log. */
export const recentLog: string[] = [];
const LOG_KEEP = 200;

// libbpf hands a va_list; on x86_64 that is a pointer, so libc's vsnprintf can format it.
const printer = koffi.register((level: number, fmt: unknown, ap: unknown) => {
  if (level > 1 && !process.env.IPVX_LIBBPF_DEBUG) return 0; // 0 warn, 1 info, 2 debug
  const buf = new Uint8Array(4096);
  const n = F.vsnprintf(buf, buf.length, fmt, ap) as number;
  const text = Buffer.from(buf.subarray(0, Math.max(0, Math.min(n, buf.length - 1)))).toString().trimEnd();
  for (const line of text.split('\n')) recentLog.push(line);
  if (recentLog.length > LOG_KEEP) recentLog.splice(0, recentLog.length - LOG_KEEP);
  return 0;
}, koffi.pointer(printFn));
F.setPrint(printer);

export const errno = (): number => koffi.errno();
