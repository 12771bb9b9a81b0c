// The encoder's view of the dynamic table (RFC 9204 §2.1): the entries plus, per entry, the number of
// unacknowledged field sections referencing it, the Known Received Count, and name / name+value lookups.

import { DynamicTable } from './dynamic-table.js';

/** The dynamic entries sharing one name: the newest such entry and, per value, the newest entry with it. */
interface NameEntries {
  newest: number;
  count: number;
  readonly values: Map<string, number>;
}

export class EncoderTable extends DynamicTable {
  /** Per ring slot: outstanding field sections referencing the entry (RFC 9204 §2.1.1). */
  private refs: Int32Array;
  /** Per ring slot: serial number of the last field section that referenced the entry (dedupes refs). */
  private marks: Int32Array;
  /** Per ring slot: use credit for second-chance ("generalised clock") eviction; see QpackEncoder.makeRoom. */
  private credits: Uint8Array;
  /** Per ring slot: the previous (older) entry with the same name and value, or -1. */
  private prevSame: Int32Array;
  /** Per ring slot: the previous (older) entry with the same name, or -1. */
  private prevName: Int32Array;
  /** RFC 9204 §2.1.4: insertions the decoder has acknowledged. */
  knownReceivedCount = 0;
  private readonly byName = new Map<string, NameEntries>();

  constructor() {
    super(16);
    this.refs = new Int32Array(this.mask + 1);
    this.marks = new Int32Array(this.mask + 1);
    this.credits = new Uint8Array(this.mask + 1);
    this.prevSame = new Int32Array(this.mask + 1);
    this.prevName = new Int32Array(this.mask + 1);
  }

  /**
   * The newest entry with (name, value) whose absolute index is below `limit` (e.g. the Known Received Count, for an
   * acknowledged copy), or -1.
   */
  findExactBelow(name: string, value: string, limit: number): number {
    let abs = this.findExact(name, value);
    while (abs >= limit) abs = this.prevSame[abs & this.mask];
    return abs >= this.dropped ? abs : -1;
  }

  /** The newest entry named `name` whose absolute index is below `limit`, or -1. */
  findNameBelow(name: string, limit: number): number {
    let abs = this.findName(name);
    while (abs >= limit) abs = this.prevName[abs & this.mask];
    return abs >= this.dropped ? abs : -1;
  }

  /** The entry's use credit: how many more times eviction will move it to the head instead (0-3). */
  credit(abs: number): number {
    return this.credits[abs & this.mask];
  }

  setCredit(abs: number, credit: number): void {
    this.credits[abs & this.mask] = credit;
  }

  /** The newest entry with exactly (name, value), or -1. */
  findExact(name: string, value: string): number {
    return this.byName.get(name)?.values.get(value) ?? -1;
  }

  /** The newest entry named `name`, or -1. */
  findName(name: string): number {
    return this.byName.get(name)?.newest ?? -1;
  }

  refCount(abs: number): number {
    return this.refs[abs & this.mask];
  }

  /**
   * Counts a reference from the field section `serial` (once per section); returns true when it was new.
   */
  addRef(abs: number, serial: number): boolean {
    const slot = abs & this.mask;
    if (this.marks[slot] === serial) return false;
    this.marks[slot] = serial;
    this.refs[slot]++;
    return true;
  }

  releaseRef(abs: number): void {
    this.refs[abs & this.mask]--;
  }

  /**
   * RFC 9204 §2.1.1: an entry is evictable once its insertion is acknowledged and no unacknowledged field section
   * references it.
   */
  isEvictable(abs: number): boolean {
    return abs < this.knownReceivedCount && this.refs[abs & this.mask] === 0;
  }

  /**
   * Whether an entry of `size` bytes can be inserted now: it fits the capacity and every entry its insertion would
   * evict (§3.2.2) is evictable (§2.1.1).
   */
  canInsert(size: number): boolean {
    if (size > this.capacity) return false;
    let free = this.capacity - this.size;
    for (let abs = this.dropped; free < size; abs++) {
      if (abs >= this.insertCount || !this.isEvictable(abs)) return false;
      free += this.sizeOf(abs);
    }
    return true;
  }

  /** Whether lowering the capacity to `capacity` would evict only evictable entries (§4.3.1). */
  canShrinkTo(capacity: number): boolean {
    let size = this.size;
    for (let abs = this.dropped; size > capacity; abs++) {
      if (!this.isEvictable(abs)) return false;
      size -= this.sizeOf(abs);
    }
    return true;
  }

  /** Inserts (name, value) with no references yet, evicting as `DynamicTable.insert` does. */
  override insert(name: string, value: string): number {
    const abs = super.insert(name, value);
    const slot = abs & this.mask;
    this.refs[slot] = 0;
    this.marks[slot] = 0;
    this.credits[slot] = 0;
    let e = this.byName.get(name);
    if (e === undefined) {
      e = { newest: abs, count: 1, values: new Map() };
      this.byName.set(name, e);
      this.prevName[slot] = -1;
      this.prevSame[slot] = -1;
    } else {
      this.prevName[slot] = e.newest;
      this.prevSame[slot] = e.values.get(value) ?? -1;
      e.newest = abs;
      e.count++;
    }
    e.values.set(value, abs);
    return abs;
  }

  protected override onEvict(abs: number, slot: number): void {
    const name = this.names[slot];
    const e = this.byName.get(name);
    if (e === undefined) return;
    if (--e.count === 0) {
      this.byName.delete(name);
      return;
    }
    const value = this.values[slot];
    if (e.values.get(value) === abs) e.values.delete(value);
  }

  protected override onGrow(oldMask: number, newMask: number): void {
    const refs = new Int32Array(newMask + 1);
    const marks = new Int32Array(newMask + 1);
    const credits = new Uint8Array(newMask + 1);
    const prevSame = new Int32Array(newMask + 1);
    const prevName = new Int32Array(newMask + 1);
    for (let abs = this.dropped; abs < this.insertCount; abs++) {
      const from = abs & oldMask;
      const to = abs & newMask;
      refs[to] = this.refs[from];
      marks[to] = this.marks[from];
      credits[to] = this.credits[from];
      prevSame[to] = this.prevSame[from];
      prevName[to] = this.prevName[from];
    }
    this.refs = refs;
    this.marks = marks;
    this.credits = credits;
    this.prevSame = prevSame;
    this.prevName = prevName;
  }
}
