// Protobuf requests written byte by byte: malformed ones, and ones too large to build as
// objects first (millions of elements).

/** Field `id` as a length-delimited field around `body`. */
export function lengthDelimited(id: number, body: Uint8Array): Buffer {
  const head = [(id << 3) | 2];
  for (let n = body.length; ; n = Math.floor(n / 128)) {
    if (n < 128) { head.push(n); break; }
    head.push((n & 127) | 128);
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** ServiceRequest{ service: { vip 203.0.113.1, port 80, `n` empty reals } } (2 bytes a real). */
export function emptyRealsRequest(n: number): Buffer {
  const reals = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) { reals[2 * i] = (9 << 3) | 2; reals[2 * i + 1] = 0; }
  return lengthDelimited(1, Buffer.concat([lengthDelimited(1, Buffer.from('203.0.113.1')), Buffer.from([2 << 3, 80]), reals]));
}
