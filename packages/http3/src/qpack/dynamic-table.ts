// RFC 9204 §3.2: the dynamic table, a FIFO of field lines addressed by absolute index (§3.2.4).

/** RFC 9204 §3.2.1: an entry's size is its name and value lengths in bytes plus 32. */
export const ENTRY_OVERHEAD = 32;

/** RFC 9204 §3.2.1: the size of an entry (field strings are byte strings, so length = octets). */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + ENTRY_OVERHEAD;
}

/** RFC 9204 §4.5.1.1: MaxEntries = floor(MaxTableCapacity / 32). */
export function maxEntries(maxTableCapacity: number): number {
  return Math.floor(maxTableCapacity / ENTRY_OVERHEAD);
}

/** One entry as tests and diagnostics see it. */
export interface DynamicTableEntry {
  /** Absolute index (RFC 9204 §3.2.4). */
  readonly index: number;
  readonly name: string;
  readonly value: string;
}

/**
 * The entries both sides keep: a ring buffer over absolute indices `[dropped, insertCount)`, grown in powers of two
 * (it never holds more than capacity / 32 entries). Insertion evicts from the old end exactly as RFC 9204 §3.2.2
 * says; whether an eviction is allowed is the encoder's business (`QpackEncoder`), not the table's.
 */
export class DynamicTable {
  protected names: string[];
  protected values: string[];
  protected mask: number;
  /** Total number of insertions (and duplications): the absolute index the next entry gets (§3.2.4). */
  insertCount = 0;
  /** Absolute index of the oldest entry still in the table (= number of entries evicted so far). */
  dropped = 0;
  /** Sum of the entry sizes (§3.2.1). */
  size = 0;
  /** Current capacity, set by Set Dynamic Table Capacity (§3.2.2); initially 0. */
  capacity = 0;

  constructor(initialSlots = 16) {
    let n = 4;
    while (n < initialSlots) n <<= 1;
    this.names = new Array(n);
    this.values = new Array(n);
    this.mask = n - 1;
  }

  /** Number of entries in the table. */
  get length(): number {
    return this.insertCount - this.dropped;
  }

  /** Whether absolute index `abs` is in the table (inserted and not yet evicted). */
  has(abs: number): boolean {
    return abs >= this.dropped && abs < this.insertCount;
  }

  /** Name of the entry at absolute index `abs` (the caller has checked `has(abs)`). */
  name(abs: number): string {
    return this.names[abs & this.mask];
  }

  /** Value of the entry at absolute index `abs` (the caller has checked `has(abs)`). */
  value(abs: number): string {
    return this.values[abs & this.mask];
  }

  /** Size (§3.2.1) of the entry at absolute index `abs`. */
  sizeOf(abs: number): number {
    const slot = abs & this.mask;
    return this.names[slot].length + this.values[slot].length + ENTRY_OVERHEAD;
  }

  /**
   * Inserts (name, value), first evicting from the old end until the table has room (§3.2.2). The caller has
   * checked that the entry fits the capacity at all. Returns the new entry's absolute index.
   */
  insert(name: string, value: string): number {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.evictUntil(this.capacity - size);
    if (this.length > this.mask) this.grow();
    const abs = this.insertCount++;
    const slot = abs & this.mask;
    this.names[slot] = name;
    this.values[slot] = value;
    this.size += size;
    return abs;
  }

  /** Sets the capacity, evicting from the old end until the size fits (§3.2.2, §4.3.1). */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
    this.evictUntil(capacity);
  }

  /** A copy of the entries, oldest first. */
  entries(): DynamicTableEntry[] {
    const out: DynamicTableEntry[] = [];
    for (let abs = this.dropped; abs < this.insertCount; abs++) {
      out.push({ index: abs, name: this.name(abs), value: this.value(abs) });
    }
    return out;
  }

  /** Evicts the oldest entries until `size <= limit`. */
  protected evictUntil(limit: number): void {
    while (this.size > limit && this.dropped < this.insertCount) this.evictOldest();
  }

  protected evictOldest(): void {
    const abs = this.dropped++;
    const slot = abs & this.mask;
    this.size -= this.names[slot].length + this.values[slot].length + ENTRY_OVERHEAD;
    this.onEvict(abs, slot);
    this.names[slot] = '';
    this.values[slot] = '';
  }

  /** Hook for subclasses: entry `abs` (at ring `slot`) is about to be dropped. */
  protected onEvict(_abs: number, _slot: number): void {}

  /** Hook for subclasses: the ring doubled; entries moved to `abs & newMask`. */
  protected onGrow(_oldMask: number, _newMask: number): void {}

  private grow(): void {
    const oldMask = this.mask;
    const n = (oldMask + 1) * 2;
    const names: string[] = new Array(n);
    const values: string[] = new Array(n);
    for (let abs = this.dropped; abs < this.insertCount; abs++) {
      names[abs & (n - 1)] = this.names[abs & oldMask];
      values[abs & (n - 1)] = this.values[abs & oldMask];
    }
    this.names = names;
    this.values = values;
    this.mask = n - 1;
    this.onGrow(oldMask, this.mask);
  }
}
