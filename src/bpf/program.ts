// A BPF program by fd: pins, info, and BPF_PROG_TEST_RUN (also with live frames).
import { F } from './libbpf.js';
import { BpfError, check } from './errors.js';

/** Send the frames for real out of ctx's ingress interface (kernel >= 5.18). */
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;

export interface TestRunOptions {
  data: Uint8Array;
  repeat?: number;
  /** struct xdp_md, e.g. to set ingress_ifindex (offset 12). */
  ctxIn?: Uint8Array;
  flags?: number;
  batchSize?: number;
  /** Room for the output frame (default: input + 256). */
  dataSizeOut?: number;
}

export interface TestRunResult { retval: number; data: Uint8Array; durationNs: number }

/** struct xdp_md with ingress_ifindex set (and rx_queue_index 0). */
export function xdpMd(ingressIfindex: number): Uint8Array {
  const md = new Uint8Array(24);
  new DataView(md.buffer).setUint32(12, ingressIfindex, true);
  return md;
}

export function progInfo(fd: number): { id: number; type: number; name: string; tag: string } {
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

export function programFdById(id: number): number {
  const fd = F.progFdById(id) as number;
  if (fd < 0) throw new BpfError('bpf_prog_get_fd_by_id', -fd, `program id ${id}`);
  return fd;
}

export class BpfProgram {
  constructor(readonly fd: number, readonly name: string, private readonly owned = false) {}

  static openPinned(path: string): BpfProgram {
    const fd = F.objGet(path) as number;
    if (fd < 0) throw new BpfError('bpf_obj_get', -fd, path);
    return new BpfProgram(fd, progInfo(fd).name, true);
  }

  pin(path: string): void {
    check(`pin ${this.name}`, F.objPin(this.fd, path), path);
  }

  info() {
    return progInfo(this.fd);
  }

  testRun(o: TestRunOptions): TestRunResult {
    // The kernel wants xdp_md.data_end to be the frame's length when a context is given.
    let ctx = o.ctxIn;
    if (ctx && ctx.length >= 8 && new DataView(ctx.buffer, ctx.byteOffset).getUint32(4, true) === 0) {
      ctx = Uint8Array.from(ctx);
      new DataView(ctx.buffer).setUint32(4, o.data.length, true);
    }
    const out = new Uint8Array(o.dataSizeOut ?? o.data.length + 256);
    const opts = {
      sz: 80, data_in: o.data, data_out: o.flags && o.flags & BPF_F_TEST_XDP_LIVE_FRAMES ? null : out,
      data_size_in: o.data.length, data_size_out: o.flags && o.flags & BPF_F_TEST_XDP_LIVE_FRAMES ? 0 : out.length,
      ctx_in: ctx ?? null, ctx_out: null, ctx_size_in: ctx?.length ?? 0, ctx_size_out: 0,
      retval: 0, repeat: o.repeat ?? 1, duration: 0, flags: o.flags ?? 0, cpu: 0, batch_size: o.batchSize ?? 0,
    };
    check(`test_run ${this.name}`, F.testRun(this.fd, opts));
    return { retval: opts.retval, data: out.slice(0, opts.data_size_out), durationNs: opts.duration };
  }

  close(): void {
    if (this.owned) F.close(this.fd);
  }
}
