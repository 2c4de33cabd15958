// A BPF program by fd: pins, info, and BPF_PROG_TEST_RUN (also with live frames).
import { F, TEST_RUN_OPTS_SIZE } from './libbpf.js';
import { BpfError, check } from './errors.js';
import { closeOnCollect, forget } from './fds.js';
import { unpinPath } from './map.js';

/** Run on the CPU given as `cpu` (flags of BPF_PROG_TEST_RUN). */
export const BPF_F_TEST_RUN_ON_CPU = 1 << 0;
/**
 * XDP only: the frames really go where the program sends them (XDP_TX out of
 * ctxIn's ingress_ifindex, XDP_REDIRECT, XDP_PASS up the stack); no output data.
 */
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;

export interface TestRunOptions {
  data: Uint8Array;
  repeat?: number;
  /** struct xdp_md, e.g. to set ingress_ifindex (offset 12). */
  ctxIn?: Uint8Array;
  /** BPF_F_TEST_XDP_LIVE_FRAMES and/or BPF_F_TEST_RUN_ON_CPU. */
  flags?: number;
  /** With BPF_F_TEST_RUN_ON_CPU. */
  cpu?: number;
  /** Live frames: frames per batch (kernel default 64). */
  batchSize?: number;
  /** Room for the output frame (default: input + 256). */
  dataSizeOut?: number;
}

/** retval: the program's return (an XDP action); data: the frame after the run (empty with live frames); durationNs: mean per repetition. */
export interface TestRunResult { retval: number; data: Uint8Array; durationNs: number }

/** struct xdp_md with ingress_ifindex set (and rx_queue_index 0). */
export function xdpMd(ingressIfindex: number): Uint8Array {
  const md = new Uint8Array(24);
  new DataView(md.buffer).setUint32(12, ingressIfindex, true);
  return md;
}

export interface ProgInfo { id: number; type: number; name: string; tag: string }

/** From bpf_obj_get_info_by_fd: the kernel's id, the program type (6 = XDP), the name (15 chars at most), the tag in hex. */
export function progInfo(fd: number): ProgInfo {
  const buf = new Uint8Array(256);
  const len = [buf.length];
  check('bpf_obj_get_info_by_fd', F.objInfo(fd, buf, len));
  const dv = new DataView(buf.buffer);
  const name = Buffer.from(buf.subarray(64, 80));
  return {
    type: dv.getUint32(0, true), id: dv.getUint32(4, true),
    tag: Buffer.from(buf.subarray(8, 16)).toString('hex'),
    name: name.subarray(0, name.indexOf(0) < 0 ? 16 : name.indexOf(0)).toString(),
  };
}

/** A new fd for a loaded program (bpf_prog_get_fd_by_id); the caller closes it. */
export function programFdById(id: number): number {
  return check('bpf_prog_get_fd_by_id', F.progFdById(id) as number, `program id ${id}`);
}

export class BpfProgram {
  private closed = false;

  /** `owned`: close() closes the fd (programs of a BpfObject are closed by the object). */
  constructor(readonly fd: number, readonly name: string, private readonly owned = false) {
    if (owned) closeOnCollect(this, fd);
  }

  /** A program pinned at `path` (bpf_obj_get); close() it when done. */
  static openPinned(path: string): BpfProgram {
    return BpfProgram.owning(check('bpf_obj_get', F.objGet(path) as number, path));
  }

  /** A loaded program by id, e.g. the one queryXdp reports attached; close() it when done. */
  static openById(id: number): BpfProgram {
    return BpfProgram.owning(programFdById(id));
  }

  private static owning(fd: number): BpfProgram {
    try {
      return new BpfProgram(fd, progInfo(fd).name, true);
    } catch (e) {
      F.close(fd);
      throw e;
    }
  }

  /** Pins the program at `path` on a bpffs (bpf_obj_pin). */
  pin(path: string): void {
    check('bpf_obj_pin', F.objPin(this.fd, path), `program ${this.name} at ${path}`);
  }

  unpin(path: string): void {
    unpinPath(path);
  }

  info(): ProgInfo {
    return progInfo(this.fd);
  }

  testRun(o: TestRunOptions): TestRunResult {
    // The kernel wants xdp_md.data_end to be the frame's length when a context is given.
    let ctx = o.ctxIn;
    if (ctx && ctx.length >= 8 && new DataView(ctx.buffer, ctx.byteOffset).getUint32(4, true) === 0) {
      ctx = Uint8Array.from(ctx);
      new DataView(ctx.buffer).setUint32(4, o.data.length, true);
    }
    // Live frames take no output buffers (the kernel rejects them).
    const live = ((o.flags ?? 0) & BPF_F_TEST_XDP_LIVE_FRAMES) !== 0;
    const out = new Uint8Array(live ? 0 : o.dataSizeOut ?? o.data.length + 256);
    const opts = {
      sz: TEST_RUN_OPTS_SIZE, data_in: o.data, data_out: live ? null : out,
      data_size_in: o.data.length, data_size_out: out.length,
      ctx_in: ctx ?? null, ctx_out: null, ctx_size_in: ctx?.length ?? 0, ctx_size_out: 0,
      retval: 0, repeat: o.repeat ?? 1, duration: 0, flags: o.flags ?? 0, cpu: o.cpu ?? 0, batch_size: o.batchSize ?? 0,
    };
    check('bpf_prog_test_run_opts', F.testRun(this.fd, opts), `program ${this.name}`);
    return { retval: opts.retval, data: out.slice(0, opts.data_size_out), durationNs: opts.duration };
  }

  /** Closes the fd if this handle owns it (openPinned, openById); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) { forget(this); F.close(this.fd); }
  }
}
