/**
 * A set of byte offsets stored as sorted, disjoint, non-adjacent half-open ranges `[start, end)`.
 *
 * Used for received data (reassembly), acknowledged and lost data (send buffer). Two parallel number arrays keep
 * it allocation-free: the common cases extend the last range, others shift elements in place (no `splice`).
 * Callers bound the number of ranges (see `maxRanges` in the reassembly buffer).
 */
export class RangeSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Number of disjoint ranges. */
  get count(): number {
    return this.starts.length;
  }

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Start of the `i`-th range (ascending). */
  start(i: number): number {
    return this.starts[i];
  }

  /** End (exclusive) of the `i`-th range. */
  end(i: number): number {
    return this.ends[i];
  }

  /** Total number of offsets in the set. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i] - this.starts[i];
    return n;
  }

  /** Index of the first range whose end is greater than `offset` (= count when none). Binary search. */
  indexAfter(offset: number): number {
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Whether every offset of `[start, end)` is in the set (true for an empty range). */
  covers(start: number, end: number): boolean {
    if (start >= end) return true;
    const i = this.indexAfter(start);
    return i < this.starts.length && this.starts[i] <= start && this.ends[i] >= end;
  }

  /** Whether `offset` is in the set. */
  has(offset: number): boolean {
    return this.covers(offset, offset + 1);
  }

  /** Adds `[start, end)`, merging with overlapping or adjacent ranges. */
  add(start: number, end: number): void {
    if (start >= end) return;
    const starts = this.starts;
    const ends = this.ends;
    const n = starts.length;
    // Fast paths: in-order growth at the tail, or a new range after the last one.
    if (n === 0 || start > ends[n - 1]) {
      starts.push(start);
      ends.push(end);
      return;
    }
    if (start >= starts[n - 1]) {
      if (end > ends[n - 1]) ends[n - 1] = end;
      return;
    }
    // First range that overlaps or touches [start, end): ends[i] >= start.
    const i = this.indexAfter(start - 1);
    if (i === n || starts[i] > end) {
      this.insertAt(i, start, end);
      return;
    }
    // Merge ranges i..j-1 (all with starts <= end) into one.
    let j = i;
    let mergedEnd = end;
    while (j < n && starts[j] <= end) {
      if (ends[j] > mergedEnd) mergedEnd = ends[j];
      j++;
    }
    if (starts[i] < start) start = starts[i];
    starts[i] = start;
    ends[i] = mergedEnd;
    if (j - i > 1) this.deleteAt(i + 1, j - i - 1);
  }

  /** Removes `[start, end)` from the set (splitting a range when needed). */
  remove(start: number, end: number): void {
    if (start >= end) return;
    const starts = this.starts;
    const ends = this.ends;
    let i = this.indexAfter(start);
    while (i < starts.length && starts[i] < end) {
      const s = starts[i];
      const e = ends[i];
      if (s < start && e > end) {
        // Split into [s, start) and [end, e).
        ends[i] = start;
        this.insertAt(i + 1, end, e);
        return;
      }
      if (s < start) {
        ends[i] = start;
        i++;
      } else if (e > end) {
        starts[i] = end;
        return;
      } else {
        this.deleteAt(i, 1);
      }
    }
  }

  /** Removes every offset below `offset`. */
  removeBelow(offset: number): void {
    const starts = this.starts;
    const ends = this.ends;
    let k = 0;
    while (k < starts.length && ends[k] <= offset) k++;
    if (k > 0) this.deleteAt(0, k);
    if (starts.length > 0 && starts[0] < offset) starts[0] = offset;
  }

  // Manual moves instead of Array.prototype.splice, which allocates the array of removed elements.
  private insertAt(i: number, start: number, end: number): void {
    const starts = this.starts;
    const ends = this.ends;
    starts.push(0);
    ends.push(0);
    for (let j = starts.length - 1; j > i; j--) {
      starts[j] = starts[j - 1];
      ends[j] = ends[j - 1];
    }
    starts[i] = start;
    ends[i] = end;
  }

  private deleteAt(i: number, count: number): void {
    const starts = this.starts;
    const ends = this.ends;
    const n = starts.length - count;
    for (let j = i; j < n; j++) {
      starts[j] = starts[j + count];
      ends[j] = ends[j + count];
    }
    starts.length = n;
    ends.length = n;
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
  }

  /** The ranges as `[start, end]` pairs (for tests and debugging; allocates). */
  toArray(): [number, number][] {
    return this.starts.map((s, i) => [s, this.ends[i]]);
  }
}
