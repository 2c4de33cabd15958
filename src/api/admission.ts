// What a request may make the daemon do, bounded before it is decoded. protobufjs turns
// every element of a message into an object with every field filled in: 4 MB of empty
// reals (2 bytes each on the wire) became 2.1 million objects, ~9 s of work and gigabytes.
// Here the request's bytes are walked once, without building anything, against the
// schema: repeated fields counted (services, reals per service, reals in all: the data
// plane's limits; everything else a small fixed bound), strings measured, fields per
// message counted. Only a request inside every bound is decoded.
import protobuf from 'protobufjs';
import type { Limits } from '../core/validate.js';
import { MAX_HA_VIPS, MAX_BGP_PEERS } from '../core/model.js';
import { PROTO_PATH } from './proto.js';

/** Largest request accepted (grpc.max_receive_message_length); a maximal configuration with health checks per real fits. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** Bytes of one string field (a VIP, a health check's path, a BGP password...). */
const MAX_STRING_BYTES = 4096;
/** Elements of a repeated field without a bound of its own (scheduler flags...). */
const MAX_REPEATED = 64;
/** Occurrences of non-repeated fields in one message (known and unknown). */
const MAX_SINGLE_FIELDS = 256;

/** Why a request was refused before decoding: the field, in the request's terms, and what is wrong. */
export class RequestRefused extends Error {
  constructor(readonly field: string, readonly detail: string) {
    super(field ? `${field}: ${detail}` : detail);
    this.name = 'RequestRefused';
  }
}

/** How a refusal words a repeated field that has a bound of its own (as validation does). */
const TOO_MANY: Record<string, (n: number) => string> = {
  'DesiredState.services': (n) => `more than ${n} services; the data plane holds at most ${n}`,
  'Service.reals': (n) => `more than ${n} reals; a service holds at most ${n}`,
  'HaSettings.vips': (n) => `more than ${n} addresses; at most ${n}`,
  'BgpSettings.peers': (n) => `more than ${n} peers; at most ${n}`,
};

export interface RequestBounds {
  /** Elements at most per repeated field, by "Message.field" (others: MAX_REPEATED). */
  repeated: Record<string, number>;
  /** Reals in all the services of one request. */
  totalReals: number;
  stringBytes: number;
}

/** The bounds for a daemon whose data plane has `limits` (without: none beyond the fixed ones). */
export function requestBounds(limits?: Limits): RequestBounds {
  const n = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : 1_000_000);
  return {
    repeated: {
      'DesiredState.services': n(limits?.services),
      'Service.reals': n(limits?.realsPerService),
      'HaSettings.vips': MAX_HA_VIPS,
      'BgpSettings.peers': MAX_BGP_PEERS,
    },
    totalReals: n(limits?.reals),
    stringBytes: MAX_STRING_BYTES,
  };
}

let root: protobuf.Root | undefined;
function schema(): protobuf.Root {
  if (!root) {
    root = protobuf.loadSync(PROTO_PATH);
    root.resolveAll();
  }
  return root;
}

/** The request message type of an RPC of service ipvx.v1.Ipvx. */
export function requestType(method: string): protobuf.Type {
  const svc = schema().lookupService('ipvx.v1.Ipvx');
  const m = svc.methods[method];
  if (!m) throw new Error(`no method ${method}`);
  return m.resolvedRequestType ?? schema().lookupType(m.requestType);
}

const WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5;
const STRINGISH = new Set(['string', 'bytes']);

interface Walk {
  buf: Uint8Array;
  bounds: RequestBounds;
  reals: number;
  /** The path being walked, for the message of a refusal only (built then, not per field). */
  names: string[];
  indices: number[];
}

function pathOf(w: Walk, last?: string, index?: number): string {
  let s = '';
  for (let i = 0; i < w.names.length; i++) {
    s += `${s ? '.' : ''}${w.names[i]}`;
    if (w.indices[i]! >= 0) s += `[${w.indices[i]}]`;
  }
  if (last !== undefined) s += `${s ? '.' : ''}${last}${index !== undefined ? `[${index}]` : ''}`;
  return s;
}

function malformed(w: Walk, at: number): never {
  throw new RequestRefused(pathOf(w), `not a valid protobuf message (broken at byte ${at})`);
}

/** A varint at w.buf[pos]; returns [value, next position]. Values past 2^53 lose precision (lengths never get there). */
function varint(w: Walk, pos: number, end: number): [number, number] {
  let v = 0, mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) malformed(w, pos);
    const b = w.buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
  return malformed(w, pos);
}

function walkMessage(w: Walk, type: protobuf.Type, start: number, end: number): void {
  // Counts of repeated fields by field number (a message has few fields: an array is enough).
  const counts: number[] = [];
  let single = 0;
  let pos = start;
  while (pos < end) {
    let tag: number;
    [tag, pos] = varint(w, pos, end);
    const wire = tag & 7, id = Math.floor(tag / 8);
    if (id === 0) malformed(w, pos);
    const field = type.fieldsById[id];
    if (field?.repeated) {
      const n = (counts[id] = (counts[id] ?? 0) + 1);
      const key = `${type.name}.${field.name}`;
      const max = w.bounds.repeated[key] ?? MAX_REPEATED;
      if (n > max) throw new RequestRefused(pathOf(w, field.name), `${TOO_MANY[key]?.(max) ?? `more than ${max} elements; at most ${max}`} (refused before decoding)`);
      if (key === 'Service.reals' && ++w.reals > w.bounds.totalReals) {
        throw new RequestRefused(pathOf(w, field.name, n - 1), `more than ${w.bounds.totalReals} reals in all; the data plane holds at most ${w.bounds.totalReals} (refused before decoding)`);
      }
    } else if (++single > MAX_SINGLE_FIELDS) {
      throw new RequestRefused(pathOf(w), `more than ${MAX_SINGLE_FIELDS} fields in one message (refused before decoding)`);
    }
    switch (wire) {
      case WIRE_VARINT: [, pos] = varint(w, pos, end); break;
      case WIRE_I64: pos += 8; break;
      case WIRE_I32: pos += 4; break;
      case WIRE_LEN: {
        let len: number;
        [len, pos] = varint(w, pos, end);
        if (pos + len > end) malformed(w, pos);
        const sub = field?.resolvedType;
        if (field && sub instanceof protobuf.Type) {
          w.names.push(field.name);
          w.indices.push(field.repeated ? counts[id]! - 1 : -1);
          walkMessage(w, sub, pos, pos + len);
          w.names.pop();
          w.indices.pop();
        } else if (field && STRINGISH.has(field.type) && len > w.bounds.stringBytes) {
          throw new RequestRefused(pathOf(w, field.name, field.repeated ? counts[id]! - 1 : undefined), `${len} bytes; at most ${w.bounds.stringBytes} (refused before decoding)`);
        }
        pos += len;
        break;
      }
      default: malformed(w, pos); // groups (3, 4) are not proto3
    }
    if (pos > end) malformed(w, end);
  }
}

/**
 * Check a request's bytes against `bounds` without decoding them; throws RequestRefused
 * naming the field (as "state.services[3].reals", the request's own path).
 */
export function checkRequest(type: protobuf.Type, bytes: Uint8Array, bounds: RequestBounds): void {
  walkMessage({ buf: bytes, bounds, reals: 0, names: [], indices: [] }, type, 0, bytes.length);
}
