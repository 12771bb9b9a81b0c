import { TransportError, TransportErrorCode } from '@fos/core';
import { RangeSet } from './range-set.js';

/** Options of a {@link ReassemblyBuffer}. */
export interface ReassemblyBufferOptions {
  /** Size of a storage page in bytes. Default 16384. */
  readonly pageSize?: number;
  /**
   * Most disjoint received ranges tolerated (RFC 9000 §21.7: limit the tracking structures against stream
   * fragmentation attacks); more is an INTERNAL_ERROR (the peer is not in violation of a rule, but we will not
   * track it). Default 4096.
   */
  readonly maxRanges?: number;
  /**
   * Allocates page storage. The bytes need not be zeroed: only received bytes are ever exposed through `read()`, so
   * a Node composition root can pass `Buffer.allocUnsafeSlow` (about 4× cheaper than a zero-filled array).
   * Called once per page, never per packet. Default: `new Uint8Array(bytes)`.
   */
  readonly allocatePage?: (bytes: number) => Uint8Array;
}

function zeroedPage(bytes: number): Uint8Array {
  return new Uint8Array(bytes);
}

const DEFAULT_PAGE_SIZE = 16384;
const DEFAULT_MAX_RANGES = 4096;
/** Small pages start at a multiple of this and double as they fill. */
const SMALL_ALLOC_GRANULE = 64;

/** A storage page: `bytes[i]` holds the stream byte at offset `base + i`. */
interface Page {
  base: number;
  bytes: Uint8Array;
}

/**
 * Receive-side reassembly of one stream (RFC 9000 §2.2): out-of-order, overlapping and duplicate STREAM data in,
 * contiguous in-order views out.
 *
 * Storage is a sparse array of pages indexed by `offset / pageSize`. Incoming data is a view into a packet buffer
 * that is reused after the call, so the bytes we keep are copied — only the bytes not already held (the received
 * offsets are tracked in a {@link RangeSet}; overlaps and duplicates are never stored twice). Reads return views into
 * the pages (no concatenation); a page is never written again below the read offset, so views stay valid.
 *
 * Memory: pages exist only between the read offset and the highest received offset, and the owner rejects data
 * beyond the flow-control limit before calling {@link insert}, so allocation stays within the window plus two pages.
 * A stream's first page starts small and doubles (a 100-byte request does not cost a 16 KiB page); once the stream
 * has gone past one page it is treated as bulk and gets whole pages.
 */
export class ReassemblyBuffer {
  /** Offset of the next byte the application will read. */
  readOffset = 0;
  /** Bytes currently allocated for pages. */
  allocatedBytes = 0;
  /** Total bytes copied in since creation: the number of distinct offsets stored (no byte is stored twice). */
  storedBytes = 0;
  private readonly pageSize: number;
  private readonly maxRanges: number;
  private readonly allocatePage: (bytes: number) => Uint8Array;
  private readonly received = new RangeSet();
  private pages: (Page | undefined)[] = [];
  /** Page number of `pages[0]`. */
  private firstPage = 0;
  private bulk = false;
  /** Reading was abandoned: received offsets are still tracked, bytes are not stored. */
  private abandoned = false;

  constructor(options: ReassemblyBufferOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.maxRanges = options.maxRanges ?? DEFAULT_MAX_RANGES;
    this.allocatePage = options.allocatePage ?? zeroedPage;
  }

  /** End of the contiguous data starting at offset 0 (everything below it has been received). */
  get contiguousEnd(): number {
    const r = this.received;
    return r.count > 0 && r.start(0) === 0 ? r.end(0) : 0;
  }

  /** Bytes that can be read now (contiguous from the read offset). */
  get readableBytes(): number {
    return this.contiguousEnd - this.readOffset;
  }

  /** Received but not yet read bytes (including those after a gap). */
  get bufferedBytes(): number {
    return this.storedBytes - this.readOffset;
  }

  /** Number of disjoint received ranges (1 when there is no gap). */
  get rangeCount(): number {
    return this.received.count;
  }

  /**
   * Stores the part of `data` (stream bytes at `offset`) not already held; returns how many bytes were newly stored.
   * `data` may be a view into a buffer that is reused after the call. The caller has checked flow control.
   */
  insert(offset: number, data: Uint8Array): number {
    const end = offset + data.length;
    let pos = Math.max(offset, this.readOffset);
    if (pos >= end) return 0;
    const start = pos;
    const received = this.received;
    let i = received.indexAfter(pos);
    let stored = 0;
    while (pos < end) {
      if (i < received.count && received.start(i) <= pos) {
        // Already held: skip it (RFC 9000 §2.2: data already received can be discarded).
        pos = received.end(i);
        i++;
        continue;
      }
      const gapEnd = i < received.count && received.start(i) < end ? received.start(i) : end;
      if (!this.abandoned) this.copyIn(pos, data, pos - offset, gapEnd - pos);
      stored += gapEnd - pos;
      pos = gapEnd;
    }
    if (stored === 0) return 0;
    received.add(start, end);
    if (received.count > this.maxRanges) {
      // RFC 9000 §21.7: bound the tracking structures.
      throw new TransportError(
        TransportErrorCode.INTERNAL_ERROR,
        `stream data fragmented into more than ${this.maxRanges} ranges`,
      );
    }
    if (this.abandoned) return 0;
    this.storedBytes += stored;
    if (end > this.pageSize) this.bulk = true;
    return stored;
  }

  /**
   * Returns the next contiguous bytes (at most `maxBytes`, and never across a page boundary) as a view, or
   * undefined when nothing is readable. The view stays valid after further calls.
   */
  read(maxBytes = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    const available = this.readableBytes;
    if (available <= 0 || maxBytes <= 0 || this.abandoned) return undefined;
    const pageSize = this.pageSize;
    const readOffset = this.readOffset;
    const pageNo = Math.floor(readOffset / pageSize);
    const page = this.pages[pageNo - this.firstPage]!;
    const pageEnd = (pageNo + 1) * pageSize;
    let n = pageEnd - readOffset;
    if (available < n) n = available;
    if (maxBytes < n) n = maxBytes;
    const at = readOffset - page.base;
    const view = page.bytes.subarray(at, at + n);
    this.readOffset = readOffset + n;
    if (this.readOffset === pageEnd) this.releasePagesBelow(this.readOffset);
    if (!this.bulk && this.storedBytes === this.readOffset) this.releaseAll();
    return view;
  }

  /**
   * The application gave up reading (STOP_SENDING): frees the pages; later inserts only record which offsets
   * arrived (so the owner still learns when all data is in), and reads return nothing.
   */
  abandon(): void {
    this.abandoned = true;
    this.releaseAll();
  }

  /** Drops all stored data, pages and tracking (RESET_STREAM received). */
  clear(): void {
    this.releaseAll();
    this.received.clear();
    this.storedBytes = this.readOffset;
    if (this.readOffset > 0) this.received.add(0, this.readOffset);
  }

  private copyIn(pos: number, src: Uint8Array, srcOffset: number, length: number): void {
    const pageSize = this.pageSize;
    while (length > 0) {
      const pageNo = Math.floor(pos / pageSize);
      const pageEnd = (pageNo + 1) * pageSize;
      const n = Math.min(length, pageEnd - pos);
      const page = this.pageFor(pageNo, pos + n);
      const chunk = srcOffset === 0 && n === src.length ? src : src.subarray(srcOffset, srcOffset + n);
      page.bytes.set(chunk, pos - page.base);
      pos += n;
      srcOffset += n;
      length -= n;
    }
  }

  /** The page `pageNo`, allocated or grown so that it covers offsets up to `needEnd`. */
  private pageFor(pageNo: number, needEnd: number): Page {
    const pages = this.pages;
    if (pages.length === 0) this.firstPage = pageNo;
    while (pageNo < this.firstPage) {
      pages.unshift(undefined);
      this.firstPage--;
    }
    const index = pageNo - this.firstPage;
    while (pages.length <= index) pages.push(undefined);
    const pageStart = pageNo * this.pageSize;
    const pageEnd = pageStart + this.pageSize;
    let page = pages[index];
    if (page === undefined) {
      // Nothing below the read offset is ever written, so the page can start there.
      const base = Math.max(pageStart, this.readOffset);
      const length = this.bulk ? pageEnd - base : this.smallLength(needEnd - base, pageEnd - base);
      page = { base, bytes: this.allocatePage(length) };
      pages[index] = page;
      this.allocatedBytes += length;
    } else if (needEnd - page.base > page.bytes.length) {
      const old = page.bytes;
      const full = pageEnd - page.base;
      const doubled = old.length * 2;
      let length = Math.max(needEnd - page.base, doubled);
      if (length > full) length = full;
      const bytes = this.allocatePage(length);
      bytes.set(old);
      page.bytes = bytes;
      this.allocatedBytes += length - old.length;
    }
    return page;
  }

  private smallLength(needed: number, full: number): number {
    const rounded = Math.ceil(needed / SMALL_ALLOC_GRANULE) * SMALL_ALLOC_GRANULE;
    return Math.min(rounded, full);
  }

  private releasePagesBelow(offset: number): void {
    const pages = this.pages;
    const pageSize = this.pageSize;
    let k = 0;
    while (k < pages.length && (this.firstPage + k + 1) * pageSize <= offset) {
      const page = pages[k];
      if (page !== undefined) this.allocatedBytes -= page.bytes.length;
      k++;
    }
    if (k > 0) {
      pages.splice(0, k);
      this.firstPage += k;
    }
  }

  private releaseAll(): void {
    this.pages.length = 0;
    this.allocatedBytes = 0;
  }
}
