// Byte layouts of the C structs in bpf/include/structs.h, declared once and used
// both to encode/decode map keys and values and (in a test) to check against the
// BTF of the compiled object, so C and TypeScript cannot silently disagree.

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'be16' | 'be32' | 'addr' | 'mac';

export interface FieldDef {
  name: string;
  type: FieldType;
  offset: number;
}

export interface StructDef<T> {
  /** The C struct's name (for the BTF check). */
  cName: string;
  size: number;
  fields: readonly FieldDef[];
  encode(v: T): Uint8Array;
  /** encode() into `out` at `offset` (size bytes, every byte written): no array per entry. */
  encodeInto(v: T, out: Uint8Array, offset?: number): void;
  decode(b: Uint8Array): T;
}

const FIELD_SIZE: Record<FieldType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, be16: 2, be32: 4, addr: 16, mac: 6 };

type FieldValue = number | bigint | Uint8Array;

/** Little-endian host order for uN (x86_64), network order for beN; addr/mac are raw bytes. */
export function defineStruct<T extends Record<string, FieldValue>>(
  cName: string,
  size: number,
  fields: { [K in keyof T]: [FieldType, number] },
): StructDef<T> {
  const defs: FieldDef[] = Object.entries(fields).map(([name, [type, offset]]) => ({ name, type, offset }));
  for (const f of defs) {
    if (f.offset + FIELD_SIZE[f.type] > size) throw new Error(`${cName}.${f.name} past the end of ${size} bytes`);
  }
  function encodeInto(v: T, out: Uint8Array, offset = 0): void {
    if (offset + size > out.length) throw new Error(`${cName}: ${out.length - offset} bytes left, need ${size}`);
    out.fill(0, offset, offset + size); // fields left out (and padding) are zero, as in a fresh array
    const dv = new DataView(out.buffer, out.byteOffset + offset, size);
    for (const f of defs) {
      const x = v[f.name as keyof T] as FieldValue | undefined;
      if (x === undefined) continue;
      switch (f.type) {
        case 'u8': dv.setUint8(f.offset, Number(x)); break;
        case 'u16': dv.setUint16(f.offset, Number(x), true); break;
        case 'u32': dv.setUint32(f.offset, Number(x) >>> 0, true); break;
        case 'u64': dv.setBigUint64(f.offset, BigInt(x as number | bigint), true); break;
        case 'be16': dv.setUint16(f.offset, Number(x), false); break;
        case 'be32': dv.setUint32(f.offset, Number(x) >>> 0, false); break;
        case 'addr': case 'mac': {
          const b = x as Uint8Array;
          if (b.length > FIELD_SIZE[f.type]) throw new Error(`${cName}.${f.name}: ${b.length} bytes`);
          out.set(b, offset + f.offset);
          break;
        }
      }
    }
  }
  return {
    cName,
    size,
    fields: defs,
    encode(v: T): Uint8Array {
      const out = new Uint8Array(size);
      encodeInto(v, out, 0);
      return out;
    },
    encodeInto,
    decode(b: Uint8Array): T {
      if (b.length < size) throw new Error(`${cName}: ${b.length} bytes, expected ${size}`);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const out: Record<string, FieldValue> = {};
      for (const f of defs) {
        switch (f.type) {
          case 'u8': out[f.name] = dv.getUint8(f.offset); break;
          case 'u16': out[f.name] = dv.getUint16(f.offset, true); break;
          case 'u32': out[f.name] = dv.getUint32(f.offset, true); break;
          case 'u64': out[f.name] = dv.getBigUint64(f.offset, true); break;
          case 'be16': out[f.name] = dv.getUint16(f.offset, false); break;
          case 'be32': out[f.name] = dv.getUint32(f.offset, false); break;
          case 'addr': case 'mac': out[f.name] = b.slice(f.offset, f.offset + FIELD_SIZE[f.type]); break;
        }
      }
      return out as T;
    },
  };
}

export const u32Key = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};
/** A u16 map key in host order (decap_gue_ports). */
export const u16Key = (n: number): Uint8Array => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
};
export const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
export const readU64 = (b: Uint8Array, off = 0): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
