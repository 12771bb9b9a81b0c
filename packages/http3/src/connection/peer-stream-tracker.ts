/**
 * Remembers which peer-initiated streams of one type (RFC 9000 §2.1) the connection has already seen, so that a late
 * transport event for a stream whose state was released is not mistaken for a new stream. Streams are mostly seen
 * in ID order; the memory used is the out-of-order window, not the stream count.
 */
export class PeerStreamTracker {
  /** Every stream of this type with an index below this was seen. */
  private lowestUnseen = 0;
  private readonly seenAbove = new Set<number>();
  /** The highest stream index seen, or -1. */
  private highest = -1;

  /** Whether the stream with this index within its type (streamId >> 2) was seen before. */
  wasSeen(index: number): boolean {
    return index < this.lowestUnseen || this.seenAbove.has(index);
  }

  /** Records the stream as seen. */
  markSeen(index: number): void {
    if (index > this.highest) this.highest = index;
    if (index < this.lowestUnseen) return;
    if (index !== this.lowestUnseen) {
      this.seenAbove.add(index);
      return;
    }
    this.lowestUnseen++;
    while (this.seenAbove.delete(this.lowestUnseen)) this.lowestUnseen++;
  }

  /** The highest stream index seen, or -1 when none. */
  get highestSeen(): number {
    return this.highest;
  }
}
