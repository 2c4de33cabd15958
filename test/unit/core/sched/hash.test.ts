import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ip } from '../../../../src/core/addr.js';
import { addrFold, fmix32, fnv1a32, keyHash, mhBucket, shBucket } from '../../../../src/core/sched/hash.js';

// Bucket = high bits of (key * 0x61C88647 mod 2^32), key = ntohl(fold) + port.

test('sh bucket of tiny keys: the top byte of k * 0x61C88647', () => {
  // 1 * 0x61C88647 = 0x61C88647 -> 0x61 = 97
  assert.equal(shBucket(ip('0.0.0.1').bytes, 0, false), 97);
  // 2 * 0x61C88647 = 0xC3910C8E -> 0xC3 = 195
  assert.equal(shBucket(ip('0.0.0.2').bytes, 0, false), 195);
  // 3 * 0x61C88647 = 0x1_2559_92D5 -> 0x255992D5 -> 0x25 = 37
  assert.equal(shBucket(ip('0.0.0.3').bytes, 0, false), 37);
});

test('sh bucket of 192.0.2.1, with and without the port', () => {
  // key 0xC0000201. 0xC0000000 * G mod 2^32 = ((3G) & 3) << 30 = 0x40000000;
  // 0x201 * G = (G << 9) + G = 0xC3910C8E00 + 0x61C88647 -> 0xF2D51447 (mod 2^32);
  // sum 0x32D51447 -> bucket 0x32 = 50.
  const a = ip('192.0.2.1').bytes;
  assert.equal(shBucket(a, 12345, false), 50);
  // + port 12345: 12345 * G = 20252361700815 = 4715 * 2^32 + 0x5ED335CF;
  // 0x32D51447 + 0x5ED335CF = 0x91A84A16 -> 0x91 = 145.
  assert.equal(shBucket(a, 12345, true), 145);
});

test('IPv6 folds the four words with XOR', () => {
  // 2001:db8::1 -> 0x20010db8 ^ 0 ^ 0 ^ 1 = 0x20010db9.
  assert.equal(addrFold(ip('2001:db8::1').bytes), 0x20010db9);
  // 0x20010db9 * G mod 2^32 = 0x3F01A44F (computed separately) -> 63.
  assert.equal(shBucket(ip('2001:db8::1').bytes, 0, false), 63);
});

test('IPv4 in the 16-byte map form folds to the same key', () => {
  const b16 = new Uint8Array(16);
  b16.set([192, 0, 2, 1]);
  assert.equal(addrFold(b16), 0xc0000201);
  assert.equal(shBucket(b16, 0, false), 50);
});

test('key wraps mod 2^32: 255.255.255.255 + port 1 hashes as 0', () => {
  assert.equal(shBucket(ip('255.255.255.255').bytes, 1, true), 0);
});

test('mh bucket maps onto a prime size by the high bits', () => {
  // h = 0x61C88647 = 1640531527; 1640531527 * 4093 / 2^32 = 0.381966 * 4093 = 1563.4
  assert.equal(mhBucket(ip('0.0.0.1').bytes, 0, false, 4093), 1563);
});

test('65536 consecutive IPv6 clients spread evenly over 256 sh buckets', () => {
  // Fibonacci hashing of consecutive keys is near-perfectly even; allow +-10% of 256.
  const counts = new Array<number>(256).fill(0);
  const a = ip('2001:db8::').bytes;
  for (let i = 0; i < 65536; i++) {
    a[14] = i >> 8;
    a[15] = i & 0xff;
    counts[shBucket(a, 0, false)]!++;
  }
  assert.ok(Math.min(...counts) >= 230, `min ${Math.min(...counts)}`);
  assert.ok(Math.max(...counts) <= 282, `max ${Math.max(...counts)}`);
});

test('FNV-1a 32 published vectors, murmur3 fmix32(1)', () => {
  const enc = new TextEncoder();
  assert.equal(fnv1a32(enc.encode('')), 0x811c9dc5);
  assert.equal(fnv1a32(enc.encode('a')), 0xe40c292c);
  assert.equal(fnv1a32(enc.encode('foobar')), 0xbf9cf968);
  assert.equal(fmix32(1), 0x514e28b7);
  assert.equal(fmix32(0), 0);
});

test('keyHash = fmix32(fnv1a32(key) ^ seed)', () => {
  // fnv1a32("192.0.2.1|80") = 0x9E1175A4; fmix32 of it = 0xE12991F8;
  // fmix32(0x9E1175A4 ^ 0x9E3779B9) = 0x4F483784 (computed with an independent script).
  assert.equal(keyHash('192.0.2.1|80', 0), 0xe12991f8);
  assert.equal(keyHash('192.0.2.1|80', 0x9e3779b9), 0x4f483784);
});
