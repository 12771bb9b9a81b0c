/** RFC 9000 §13.2.3: a receiver limits the ACK Ranges it remembers. Default bound on the ranges kept. */
export const DEFAULT_MAX_ACK_RANGES_TRACKED = 32;

/**
 * The received packet numbers of one packet number space as a bounded set of disjoint, non-adjacent ranges
 * (RFC 9000 §13.2.3). When a new range would exceed the bound, the oldest (lowest) range is dropped and a floor
 * rises past it: numbers below the floor are reported as covered, so a late packet there counts as a duplicate —
 * "maintaining a minimum packet number that increases as ranges are discarded" (§13.2.3) keeps duplicate
 * detection sound (§12.3) with bounded state.
 *
 * Storage is two typed arrays of `maxRanges + 1` entries in ascending order. Adding the next packet number in
 * sequence is O(1); other insertions shift at most `maxRanges` entries.
 */
export class PacketRangeSet {
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private count = 0;
  private floorValue = 0;

  constructor(readonly maxRanges: number = DEFAULT_MAX_ACK_RANGES_TRACKED) {
    if (!(Number.isInteger(maxRanges) && maxRanges >= 1)) throw new RangeError(`maxRanges ${maxRanges} < 1`);
    this.lo = new Float64Array(maxRanges + 1);
    this.hi = new Float64Array(maxRanges + 1);
  }

  /** Number of ranges held. */
  get rangeCount(): number {
    return this.count;
  }

  /** Packet numbers below this are treated as already received (dropped ranges or acknowledged ACKs). */
  get floor(): number {
    return this.floorValue;
  }

  /** Largest packet number held, or -1 when empty. */
  get largest(): number {
    return this.count === 0 ? -1 : this.hi[this.count - 1];
  }

  /** Largest end of range `i`, counting from the highest range (i = 0) down. */
  largestAt(i: number): number {
    return this.hi[this.count - 1 - i];
  }

  /** Smallest end of range `i`, counting from the highest range (i = 0) down. */
  smallestAt(i: number): number {
    return this.lo[this.count - 1 - i];
  }

  /** Whether `pn` is in a range or below the floor (a packet with that number must be treated as a duplicate). */
  covers(pn: number): boolean {
    if (pn < this.floorValue) return true;
    for (let j = this.count - 1; j >= 0; j--) {
      if (pn > this.hi[j]) return false;
      if (pn >= this.lo[j]) return true;
    }
    return false;
  }

  /** Smallest packet number of the range holding `pn`, or -1 when `pn` is in no range. */
  smallestOfRangeWith(pn: number): number {
    for (let j = this.count - 1; j >= 0; j--) {
      if (pn > this.hi[j]) return -1;
      if (pn >= this.lo[j]) return this.lo[j];
    }
    return -1;
  }

  /**
   * Adds `pn`. Returns false when it is already covered (a duplicate). Scans from the highest range, where almost
   * every packet lands.
   */
  add(pn: number): boolean {
    if (pn < this.floorValue) return false;
    const lo = this.lo;
    const hi = this.hi;
    let j = this.count - 1;
    while (j >= 0 && lo[j] > pn) j--;
    if (j >= 0 && pn <= hi[j]) return false;
    // Here hi[j] < pn (or j = -1) and pn < lo[j + 1] (or j + 1 = count).
    const joinsBelow = j >= 0 && hi[j] === pn - 1;
    const joinsAbove = j + 1 < this.count && lo[j + 1] === pn + 1;
    if (joinsBelow && joinsAbove) {
      hi[j] = hi[j + 1];
      lo.copyWithin(j + 1, j + 2, this.count);
      hi.copyWithin(j + 1, j + 2, this.count);
      this.count--;
    } else if (joinsBelow) {
      hi[j] = pn;
    } else if (joinsAbove) {
      lo[j + 1] = pn;
    } else {
      const at = j + 1;
      lo.copyWithin(at + 1, at, this.count);
      hi.copyWithin(at + 1, at, this.count);
      lo[at] = pn;
      hi[at] = pn;
      this.count++;
      if (this.count > this.maxRanges) this.dropOldest();
    }
    return true;
  }

  /**
   * Stops tracking every packet number ≤ `pn` (RFC 9000 §13.2.4: an ACK frame with that Largest Acknowledged was
   * itself acknowledged) and raises the floor past it so those numbers stay duplicates.
   */
  removeUpTo(pn: number): void {
    if (pn < this.floorValue) return;
    const lo = this.lo;
    const hi = this.hi;
    let drop = 0;
    while (drop < this.count && hi[drop] <= pn) drop++;
    if (drop > 0) {
      lo.copyWithin(0, drop, this.count);
      hi.copyWithin(0, drop, this.count);
      this.count -= drop;
    }
    if (this.count > 0 && lo[0] <= pn) lo[0] = pn + 1;
    this.floorValue = pn + 1;
  }

  /** Empties the set; the floor stays. */
  clear(): void {
    this.count = 0;
  }

  private dropOldest(): void {
    this.floorValue = this.hi[0] + 1;
    this.lo.copyWithin(0, 1, this.count);
    this.hi.copyWithin(0, 1, this.count);
    this.count--;
  }
}
