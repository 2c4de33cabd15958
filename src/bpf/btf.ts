// The BTF of an object file, through libbpf (btf__parse): what the control plane
// reads from a compiled object without loading it (no privileges needed).
import koffi from 'koffi';
import { F } from './libbpf.js';
import { BpfError, check, checkPtr, logMark } from './errors.js';

/** linux/btf.h */
const BTF_KIND_ENUM = 6;
/** struct btf_type: name_off, info (vlen in bits 0-15, kind_flag in bit 31), size; then vlen x struct btf_enum { name_off; val }. */
const TYPE_SIZE = 12, ENUM_SIZE = 8;

/** The constants of `enum name` in the object at `path`, by name. */
export function btfEnum(path: string, name: string): Map<string, number> {
  const btf = checkPtr('btf__parse', F.btfParse(path, null), path, logMark());
  try {
    const id = F.btfFindByNameKind(btf, name, BTF_KIND_ENUM) as number;
    if (id === -2) throw new BpfError('btf__find_by_name_kind', 2, `no enum ${name} in the BTF of ${path}`);
    check('btf__find_by_name_kind', id, `enum ${name} in ${path}`);
    const t = F.btfTypeById(btf, id);
    const info = new DataView(koffi.view(t, TYPE_SIZE)).getUint32(4, true);
    const vlen = info & 0xffff, unsigned = info >>> 31 === 1;
    const dv = new DataView(koffi.view(t, TYPE_SIZE + ENUM_SIZE * vlen));
    const out = new Map<string, number>();
    for (let i = 0, at = TYPE_SIZE; i < vlen; i++, at += ENUM_SIZE) {
      const constant = F.btfNameByOffset(btf, dv.getUint32(at, true)) as string;
      out.set(constant, unsigned ? dv.getUint32(at + 4, true) : dv.getInt32(at + 4, true));
    }
    return out;
  } finally {
    F.btfFree(btf);
  }
}
