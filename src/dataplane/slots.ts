// Allocation of ranges in the shared sched_slots array and of ids in the
// services/reals arrays. Pure bookkeeping; the writer does the map I/O.

export interface Range { off: number; len: number }

/** First-fit range allocator over [0, capacity), merging neighbours on free. */
export class RangeAllocator {
  /** Free ranges, sorted by offset, never adjacent. */
  private free: Range[];

  constructor(readonly capacity: number) {
    this.free = capacity > 0 ? [{ off: 0, len: capacity }] : [];
  }

  alloc(len: number): number | undefined {
    if (len === 0) return 0;
    const i = this.free.findIndex((r) => r.len >= len);
    if (i < 0) return undefined;
    const r = this.free[i]!;
    const off = r.off;
    if (r.len === len) this.free.splice(i, 1);
    else this.free[i] = { off: r.off + len, len: r.len - len };
    return off;
  }

  /** Mark a range as used (recovering from pinned maps). Fails if any part is not free. */
  reserve(off: number, len: number): boolean {
    if (len === 0) return true;
    const i = this.free.findIndex((r) => r.off <= off && off + len <= r.off + r.len);
    if (i < 0) return false;
    const r = this.free[i]!;
    const parts: Range[] = [];
    if (off > r.off) parts.push({ off: r.off, len: off - r.off });
    if (off + len < r.off + r.len) parts.push({ off: off + len, len: r.off + r.len - off - len });
    this.free.splice(i, 1, ...parts);
    return true;
  }

  release(off: number, len: number): void {
    if (len === 0) return;
    let i = this.free.findIndex((r) => r.off > off);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { off, len });
    // Merge with the next and the previous range.
    const merge = (j: number) => {
      const a = this.free[j], b = this.free[j + 1];
      if (a && b && a.off + a.len === b.off) this.free.splice(j, 2, { off: a.off, len: a.len + b.len });
    };
    merge(i);
    if (i > 0) merge(i - 1);
  }

  get freeSlots(): number {
    return this.free.reduce((n, r) => n + r.len, 0);
  }
}

/** Ids 0..capacity-1, lowest free first, so ids stay dense. */
export class IdAllocator {
  private next = 0;
  private released: number[] = [];
  private used = new Set<number>();

  constructor(readonly capacity: number) {}

  alloc(): number | undefined {
    let id: number | undefined;
    while (this.released.length && id === undefined) {
      const c = this.released.pop()!;
      if (!this.used.has(c)) id = c;
    }
    if (id === undefined) {
      while (this.next < this.capacity && this.used.has(this.next)) this.next++;
      if (this.next >= this.capacity) return undefined;
      id = this.next++;
    }
    this.used.add(id);
    return id;
  }

  reserve(id: number): void {
    this.used.add(id);
  }

  release(id: number): void {
    if (this.used.delete(id)) this.released.push(id);
  }

  get inUse(): number {
    return this.used.size;
  }
}
