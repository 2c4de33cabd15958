// Requests are checked on their bytes before they are decoded (src/api/admission.ts):
// element counts against the data plane's limits, string sizes, broken encodings. The
// request of the attack (AddService with ~2.1 million empty reals in 4 MB) made the daemon
// decode 2.1 million objects (tens of seconds, gigabytes, never given back) and answer
// with a 34 MB message; now it is refused from a walk over its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { harness } from './harness.js';
import { checkRequest, requestBounds, requestType, RequestRefused, MAX_REQUEST_BYTES } from '../../../src/api/admission.js';
import { PROTO_PATH } from '../../../src/api/proto.js';
import { lengthDelimited as field, emptyRealsRequest as emptyReals } from '../../lib/proto-bytes.js';

const LIMITS = { services: 3, realsPerService: 4, reals: 6 };
const root = protobuf.loadSync(PROTO_PATH);
const encode = (method: string, msg: object) => requestType(method).encode(requestType(method).fromObject(msg)).finish();

function refusal(method: string, bytes: Uint8Array, limits = LIMITS): string {
  try {
    checkRequest(requestType(method), bytes, requestBounds(limits));
  } catch (e) {
    assert.ok(e instanceof RequestRefused, String(e));
    return e.message;
  }
  return 'accepted';
}

const real = (i: number) => ({ address: `192.0.2.${i}`, weight: 1 });
const svc = (i: number, n: number) => ({ vip: `203.0.113.${i}`, port: 80, reals: Array.from({ length: n }, (_, j) => real(j + 1)) });

test('checkRequest: requests at the limits pass; one element more is refused naming the field', () => {
  assert.equal(root.lookupType('ipvx.v1.ApplyConfigRequest').name, 'ApplyConfigRequest');
  assert.equal(refusal('ApplyConfig', encode('ApplyConfig', { state: { services: [svc(1, 4), svc(2, 2), svc(3, 0)] } })), 'accepted');
  assert.equal(refusal('ApplyConfig', encode('ApplyConfig', { state: { services: [svc(1, 1), svc(2, 1), svc(3, 1), svc(4, 1)] } })),
    'state.services: more than 3 services; the data plane holds at most 3 (refused before decoding)');
  assert.equal(refusal('ApplyConfig', encode('ApplyConfig', { state: { services: [svc(1, 2), svc(2, 5)] } })),
    'state.services[1].reals: more than 4 reals; a service holds at most 4 (refused before decoding)');
  assert.equal(refusal('ApplyConfig', encode('ApplyConfig', { state: { services: [svc(1, 4), svc(2, 2), svc(3, 1)] } })),
    'state.services[2].reals[0]: more than 6 reals in all; the data plane holds at most 6 (refused before decoding)');
  assert.equal(refusal('AddService', encode('AddService', { service: svc(1, 5) })), 'service.reals: more than 4 reals; a service holds at most 4 (refused before decoding)');
  assert.equal(refusal('AddService', encode('AddService', { service: { ...svc(1, 1), flags: Array(65).fill('sh-port') } })),
    'service.flags: more than 64 elements; at most 64 (refused before decoding)');
  assert.equal(refusal('ApplyConfig', encode('ApplyConfig', { state: { ha: { vips: Array.from({ length: 4097 }, () => ({ address: '203.0.113.1' })) } } })),
    'state.ha.vips: more than 4096 addresses; at most 4096 (refused before decoding)');
  assert.equal(refusal('AddReal', encode('AddReal', { service: { vip: '203.0.113.1' }, real: { address: 'x'.repeat(4097) } })),
    'real.address: 4097 bytes; at most 4096 (refused before decoding)');
  assert.equal(refusal('AddService', encode('AddService', { service: { ...svc(1, 0), flags: ['a', 'x'.repeat(5000)] } })),
    'service.flags[1]: 5000 bytes; at most 4096 (refused before decoding)');
});

test('checkRequest: broken encodings and floods of fields are refused, not decoded', () => {
  const good = encode('AddService', { service: svc(1, 2) });
  assert.equal(refusal('AddService', good.subarray(0, good.length - 3)), 'not a valid protobuf message (broken at byte 2)');
  // Inside the service: a vip of 5 bytes with 1 there.
  assert.equal(refusal('AddService', field(1, Buffer.from([0x0a, 0x05, 0x61]))), 'service: not a valid protobuf message (broken at byte 4)');
  assert.match(refusal('AddService', Buffer.from([0x08])), /^not a valid protobuf message/);
  assert.match(refusal('AddService', Buffer.from([0x0b, 0x0c])), /^not a valid protobuf message/, 'groups are not proto3');
  // 300 unknown varint fields in one message: a flood of nothing.
  const unknown = Buffer.concat(Array.from({ length: 300 }, () => Buffer.from([(99 << 3) & 0x7f | 0x80, 99 >> 4, 1])));
  assert.equal(refusal('GetStatus', unknown), 'more than 256 fields in one message (refused before decoding)');
  // A few unknown fields are what a newer client sends: ignored.
  assert.equal(refusal('GetStatus', unknown.subarray(0, 30)), 'accepted');
});

test('the attack: AddService with 2.1 million empty reals (4 MB) is refused from its bytes, without decoding', async () => {
  const bytes = emptyReals(2_097_000);
  assert.ok(bytes.length < 4 * 1024 * 1024);
  const h = await harness({ limits: { services: 16384, realsPerService: 4096, reals: 131072 } });
  const raw = new grpc.Client(`unix:${h.socket}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  try {
    const heapBefore = process.memoryUsage().heapUsed;
    const answer = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest('/ipvx.v1.Ipvx/AddService', (x: Buffer) => x, (x: Buffer) => x, bytes, (e) => resolve(e));
    });
    assert.equal(answer?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(answer?.details, 'service.reals: more than 4096 reals; a service holds at most 4096 (refused before decoding)');
    // Decoded, 2.1 million reals took gigabytes of heap; refused, the heap barely moves.
    const grew = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grew < 64 * 1024 * 1024, `heap grew by ${Math.round(grew / 1048576)} MB`);
    assert.equal((await h.client.getStatus()).services, 0);
    // Over the size limit: refused by gRPC from the length prefix.
    const huge = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest('/ipvx.v1.Ipvx/GetStatus', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(MAX_REQUEST_BYTES + 1), (e) => resolve(e));
    });
    assert.equal(huge?.code, grpc.status.RESOURCE_EXHAUSTED);
  } finally {
    raw.close();
    await h.close();
  }
});

test('a request refused before decoding is reported to onRefused with its size (the daemon releases memory after large ones)', async () => {
  const sizes: number[] = [];
  const h = await harness({ limits: LIMITS, server: { onRefused: (n) => sizes.push(n) } });
  try {
    await assert.rejects(h.client.addService(svc(1, 5)), /service\.reals: more than 4 reals/);
    assert.equal(sizes.length, 1);
    assert.ok(sizes[0]! > 50);
    await h.client.addService(svc(1, 4));
    assert.equal(sizes.length, 1);
  } finally { await h.close(); }
});
