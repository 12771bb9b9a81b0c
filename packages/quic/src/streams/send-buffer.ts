import { RangeSet } from './range-set.js';

/** Options of a {@link SendBuffer}. */
export interface SendBufferOptions {
  /**
   * Writes shorter than this are copied into a shared block so that many small writes still fill whole STREAM
   * frames; longer writes are kept by reference (zero copy). Default 1024.
   */
  readonly coalesceBelowBytes?: number;
  /** Largest block small writes are copied into (blocks start at 64 bytes and double up to this). Default 4096. */
  readonly blockBytes?: number;
}

/** Stream bytes `[offset, offset + length)` held in `bytes[0 .. length)`. */
interface Chunk {
  offset: number;
  bytes: Uint8Array;
  length: number;
  /** An internal block that later small writes may append to. */
  appendable: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * The send side's byte store for one stream: what the application wrote, until the peer acknowledges it.
 *
 * - `[0, sendOffset)` has been sent at least once; `[sendOffset, writeOffset)` is new data.
 * - Acknowledged ranges are tracked; chunks are freed as soon as the acknowledged prefix passes them.
 * - Lost ranges are queued for retransmission; acknowledged bytes are removed from them, so acked bytes are never
 *   sent again (RFC 9000 §13.3).
 * - Written arrays are kept by reference: the caller must not modify them after `write()`. Small writes are copied
 *   into shared blocks.
 * - Emitted data is a view into a chunk (never a concatenation copy).
 */
export class SendBuffer {
  /** Total bytes written by the application. */
  writeOffset = 0;
  /** Next byte never sent before (= highest offset sent). */
  sendOffset = 0;
  /** Every byte below this is acknowledged. */
  ackedOffset = 0;
  /** Acknowledged ranges at or above `ackedOffset`. */
  readonly acked = new RangeSet();
  /** Ranges declared lost and not acknowledged since: to retransmit. */
  readonly lost = new RangeSet();
  private readonly coalesceBelow: number;
  private readonly blockBytes: number;
  private nextBlockBytes = 64;
  private chunks: (Chunk | undefined)[] = [];
  /** Index of the first live chunk. */
  private head = 0;
  /** Index of the chunk holding `sendOffset` (or `chunks.length` when all written data was sent). */
  private cursor = 0;

  constructor(options: SendBufferOptions = {}) {
    this.coalesceBelow = options.coalesceBelowBytes ?? 1024;
    this.blockBytes = options.blockBytes ?? 4096;
  }

  /** Bytes held in memory (written and not yet freed by acknowledgement). */
  get heldBytes(): number {
    const first = this.chunks[this.head];
    return first === undefined ? 0 : this.writeOffset - first.offset;
  }

  /** Bytes written but never sent. */
  get unsentBytes(): number {
    return this.writeOffset - this.sendOffset;
  }

  /** Appends application data (kept by reference unless small; see the class notes). */
  write(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const chunks = this.chunks;
    if (n < this.coalesceBelow) {
      const tail = chunks.length > this.head ? chunks[chunks.length - 1] : undefined;
      if (tail?.appendable && tail.bytes.length - tail.length >= n) {
        tail.bytes.set(data, tail.length);
        tail.length += n;
        this.writeOffset += n;
        return;
      }
      // Blocks start small (a 20-byte control message costs 64 bytes) and double for streams that keep writing.
      let size = this.nextBlockBytes;
      while (size < n) size *= 2;
      if (this.nextBlockBytes < this.blockBytes) this.nextBlockBytes *= 2;
      const block = new Uint8Array(size);
      block.set(data);
      chunks.push({ offset: this.writeOffset, bytes: block, length: n, appendable: true });
    } else {
      chunks.push({ offset: this.writeOffset, bytes: data, length: n, appendable: false });
    }
    this.writeOffset += n;
  }

  /**
   * Takes up to `maxBytes` of new data starting at `sendOffset` (never crossing a chunk boundary) and marks it sent.
   * Returns an empty array when there is none.
   */
  takeNew(maxBytes: number): Uint8Array {
    if (maxBytes <= 0 || this.sendOffset >= this.writeOffset) return EMPTY;
    const chunks = this.chunks;
    let chunk = chunks[this.cursor]!;
    while (this.sendOffset >= chunk.offset + chunk.length) chunk = chunks[++this.cursor]!;
    const at = this.sendOffset - chunk.offset;
    let n = chunk.length - at;
    if (maxBytes < n) n = maxBytes;
    this.sendOffset += n;
    return chunk.bytes.subarray(at, at + n);
  }

  /**
   * Forgets what was sent and not acknowledged: `sendOffset` goes back to the acknowledged prefix and nothing is
   * queued as lost, so the data goes out again as new data (under flow control). For 0-RTT the server rejected
   * (RFC 9001 §4.6.2): it never saw those bytes.
   */
  rewind(): void {
    this.sendOffset = this.ackedOffset;
    this.cursor = this.head;
    this.lost.clear();
  }

  /** A view of up to `maxBytes` already-sent bytes starting at `offset` (for retransmission), within one chunk. */
  viewAt(offset: number, maxBytes: number): Uint8Array {
    const chunk = this.chunkAt(offset);
    if (chunk === undefined || maxBytes <= 0) return EMPTY;
    const at = offset - chunk.offset;
    let n = chunk.length - at;
    if (maxBytes < n) n = maxBytes;
    return chunk.bytes.subarray(at, at + n);
  }

  /**
   * `[offset, offset + length)` was acknowledged: record it, drop it from the lost set, advance the acknowledged
   * prefix and free the chunks below it.
   */
  onAcked(offset: number, length: number): void {
    const end = offset + length;
    if (end <= this.ackedOffset || length <= 0) return;
    if (!this.lost.isEmpty) this.lost.remove(offset, end);
    const acked = this.acked;
    if (offset > this.ackedOffset) {
      acked.add(offset, end);
      return;
    }
    // The acknowledged prefix grows (the common, in-order case touches no range set).
    let prefix = end;
    while (!acked.isEmpty && acked.start(0) <= prefix) {
      if (acked.end(0) > prefix) prefix = acked.end(0);
      acked.removeBelow(prefix);
    }
    this.ackedOffset = prefix;
    this.freeBelow(prefix);
  }

  /** `[offset, offset + length)` was declared lost: queue the parts not acknowledged since for retransmission. */
  onLost(offset: number, length: number): void {
    let end = offset + length;
    if (end > this.sendOffset) end = this.sendOffset;
    if (offset < this.ackedOffset) offset = this.ackedOffset;
    if (offset >= end) return;
    const acked = this.acked;
    if (acked.isEmpty) {
      this.lost.add(offset, end);
      return;
    }
    // Add only the gaps between acknowledged ranges.
    let i = acked.indexAfter(offset);
    let pos = offset;
    while (pos < end) {
      if (i < acked.count && acked.start(i) <= pos) {
        pos = acked.end(i);
        i++;
        continue;
      }
      const gapEnd = i < acked.count && acked.start(i) < end ? acked.start(i) : end;
      this.lost.add(pos, gapEnd);
      pos = gapEnd;
    }
  }

  /** Whether any data needs retransmission. */
  get hasLost(): boolean {
    return !this.lost.isEmpty;
  }

  /**
   * Takes up to `maxBytes` of the first lost range (never crossing a chunk boundary) and removes it from the lost
   * set; `out.offset` receives its offset. Returns an empty array when nothing is lost.
   */
  takeLost(maxBytes: number, out: { offset: number }): Uint8Array {
    const lost = this.lost;
    if (lost.isEmpty || maxBytes <= 0) return EMPTY;
    const start = lost.start(0);
    const end = lost.end(0);
    const view = this.viewAt(start, Math.min(end - start, maxBytes));
    lost.remove(start, start + view.length);
    out.offset = start;
    return view;
  }

  /** Drops everything (the stream was reset): frees all memory. */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.cursor = 0;
    this.acked.clear();
    this.lost.clear();
  }

  private chunkAt(offset: number): Chunk | undefined {
    const chunks = this.chunks;
    let lo = this.head;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      if (c.offset + c.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    const c = chunks[lo];
    return c !== undefined && c.offset <= offset ? c : undefined;
  }

  private freeBelow(offset: number): void {
    const chunks = this.chunks;
    let head = this.head;
    while (head < chunks.length) {
      const c = chunks[head]!;
      if (c.offset + c.length > offset) break;
      chunks[head] = undefined;
      head++;
    }
    this.head = head;
    if (this.cursor < head) this.cursor = head;
    // Compact occasionally so the array does not grow without bound on a long-lived stream.
    if (head > 64 && head * 2 > chunks.length) {
      chunks.splice(0, head);
      this.cursor -= head;
      this.head = 0;
    }
  }
}
