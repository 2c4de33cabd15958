// Fixed-size records by small integer id (a map's array index) in one growable buffer.
// The writer keeps the value it last wrote for every real here: 100,000 reals held as
// one 68-byte Uint8Array each were 100,000 malloc'd backing stores (plus a typed array
// and an ArrayBuffer object per real) that stayed in RSS; this is one allocation.

export class RecordsById {
  private buf = new Uint8Array(0);
  private present = new Uint8Array(0);

  /** `size` bytes per record, ids in [0, capacity). */
  constructor(readonly size: number, readonly capacity: number) {}

  has(id: number): boolean {
    return id < this.present.length && this.present[id] === 1;
  }

  /** The record of `id` as a view into the buffer (valid until the next set; copy to keep it), or undefined. */
  get(id: number): Uint8Array | undefined {
    return this.has(id) ? this.buf.subarray(id * this.size, (id + 1) * this.size) : undefined;
  }

  /** True when `id` holds exactly the `size` bytes of `rec` from `offset`. */
  equals(id: number, rec: Uint8Array, offset = 0): boolean {
    if (!this.has(id)) return false;
    const at = id * this.size;
    for (let i = 0; i < this.size; i++) if (this.buf[at + i] !== rec[offset + i]) return false;
    return true;
  }

  /** Keep the `size` bytes of `rec` from `offset` as the record of `id`. */
  set(id: number, rec: Uint8Array, offset = 0): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.capacity) throw new Error(`record id ${id} outside [0, ${this.capacity})`);
    if (rec.length - offset < this.size) throw new Error(`record of ${rec.length - offset} bytes, expected ${this.size}`);
    if (id >= this.present.length) this.grow(id + 1);
    this.buf.set(rec.subarray(offset, offset + this.size), id * this.size);
    this.present[id] = 1;
  }

  delete(id: number): void {
    if (id < this.present.length) this.present[id] = 0;
  }

  /** Ids with a record, ascending. */
  *ids(): Iterable<number> {
    for (let i = 0; i < this.present.length; i++) if (this.present[i] === 1) yield i;
  }

  /** Doubling, capped at capacity: a few copies over a daemon's life. */
  private grow(need: number): void {
    const n = Math.min(this.capacity, Math.max(need, this.present.length * 2, 1024));
    const buf = new Uint8Array(n * this.size);
    buf.set(this.buf);
    const present = new Uint8Array(n);
    present.set(this.present);
    this.buf = buf;
    this.present = present;
  }
}
