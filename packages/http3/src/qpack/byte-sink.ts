import type { QpackCursor } from './prefixed-int.js';

/**
 * A growable output buffer for the encoder and decoder streams. `take()` hands the written bytes to the caller
 * (a view of the current buffer, which the sink then forgets) so nothing is copied and the caller may keep the
 * bytes as long as it likes; the next write starts a fresh buffer.
 */
export class ByteSink {
  buf: Uint8Array;
  len = 0;
  private readonly initialSize: number;

  constructor(initialSize = 128) {
    this.initialSize = initialSize;
    this.buf = new Uint8Array(0);
  }

  /** Makes room for `n` more bytes at `len`; afterwards `buf` may be a different array. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = Math.max(this.initialSize, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** The bytes written since the last take, now owned by the caller; undefined when there are none. */
  take(): Uint8Array | undefined {
    if (this.len === 0) return undefined;
    const out = this.buf.subarray(0, this.len);
    this.buf = new Uint8Array(0);
    this.len = 0;
    return out;
  }
}

/**
 * Input bytes of an unframed instruction stream that arrive in chunks (RFC 9204 §4.2): an instruction may be split
 * across chunks, so the unparsed tail is kept until more arrives. Appends are amortised O(1) and the tail is only
 * compacted when it has moved past half the buffer, so a long instruction delivered byte by byte costs linear time.
 */
export class PendingInput {
  buf: Uint8Array = new Uint8Array(0);
  /** Unparsed bytes are `buf[start, end)`. */
  start = 0;
  end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** Appends `chunk` after the unparsed bytes. */
  append(chunk: Uint8Array): void {
    const n = chunk.length;
    if (this.end + n > this.buf.length) {
      const live = this.end - this.start;
      if (live + n <= this.buf.length && this.start >= this.buf.length >>> 1) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let size = Math.max(64, this.buf.length);
        while (size < live + n) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /** Marks everything before `pos` as parsed. */
  consume(pos: number): void {
    this.start = pos;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  /** Keeps `chunk[from, to)` as the unparsed tail (used when the pending buffer was empty). */
  keep(chunk: Uint8Array, from: number, to: number): void {
    this.start = 0;
    this.end = 0;
    this.append(chunk.subarray(from, to));
  }

  /**
   * Points `c` at the bytes to parse now: `chunk` itself when nothing is pending (no copy), otherwise the pending
   * tail with `chunk` appended. Parse from `c`, then call {@link settle}.
   */
  open(chunk: Uint8Array, c: QpackCursor): void {
    if (this.length === 0) {
      c.buf = chunk;
      c.pos = 0;
      c.end = chunk.length;
    } else {
      this.append(chunk);
      c.buf = this.buf;
      c.pos = this.start;
      c.end = this.end;
    }
  }

  /** Keeps what the parser left unread in `c` (opened with {@link open}) for the next chunk, and clears `c.buf`. */
  settle(c: QpackCursor): void {
    if (c.buf === this.buf) this.consume(c.pos);
    else if (c.pos < c.end) this.keep(c.buf, c.pos, c.end);
    c.buf = EMPTY_BYTES;
  }
}

const EMPTY_BYTES = new Uint8Array(0);
