// RFC 9114 §7.1: an incremental reader of the frame sequence on a stream. Frames arrive split at arbitrary chunk
// boundaries (QUIC delivers a byte stream, RFC 9114 §6); DATA payloads are handed out as views of the input chunks
// as they arrive, other frames are buffered whole (up to a bound the caller checks at the frame header) or skipped.
// No per-frame allocation except when a buffered payload spans chunks (then it is copied once into a reused buffer).

/** What `FrameReader.poll()` found. */
export const FrameReadEvent = {
  /** The current chunk is used up: push the next one. */
  NEED_MORE: 0,
  /** A frame header was read: `frameType` and `frameLength` are set; call `accept(mode)` before polling again. */
  HEADER: 1,
  /** (STREAM mode) The next piece of the payload is in `view` (a view of the input chunk, never empty). */
  DATA: 2,
  /** (BUFFER mode) The whole payload is in `view`, valid until the next `push`/`poll`. The frame is complete. */
  PAYLOAD: 3,
  /** (STREAM and SKIP modes) The frame is complete. */
  END: 4,
} as const;
export type FrameReadEvent = (typeof FrameReadEvent)[keyof typeof FrameReadEvent];

/** How the payload of the frame just announced by HEADER is delivered. */
export const PayloadMode = {
  /** Discard it (unknown, reserved or refused frames). */
  SKIP: 0,
  /** Hand it out piece by piece as views (DATA). */
  STREAM: 1,
  /** Collect it and hand it out whole (HEADERS, SETTINGS, …). The caller bounds `frameLength` first. */
  BUFFER: 2,
} as const;
export type PayloadMode = (typeof PayloadMode)[keyof typeof PayloadMode];

const READ_TYPE = 0;
const READ_LENGTH = 1;
const AWAIT_MODE = 2;
const PAYLOAD = 3;

const EMPTY = new Uint8Array(0);
/** Buffers up to this size are kept for the next frame; larger ones are dropped after use. */
const RETAINED_BUFFER_BYTES = 4096;

/** Reads HTTP/3 frames (and, first, the varints of a unidirectional stream header) from a chunked byte stream. */
export class FrameReader {
  /** Type of the current frame (valid from HEADER until the frame ends). */
  frameType = -1;
  /** Payload length of the current frame (valid from HEADER until the frame ends). */
  frameLength = 0;
  /** The bytes of the last DATA or PAYLOAD event. */
  view: Uint8Array = EMPTY;

  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  private state = READ_TYPE;
  private mode: PayloadMode = PayloadMode.SKIP;
  private remaining = 0;
  // a varint split across chunks (allocated on first use: most streams never split one)
  private vbuf: Uint8Array = EMPTY;
  private vlen = 0;
  private vneed = 0;
  // a buffered payload split across chunks
  private pbuf: Uint8Array = EMPTY;
  private plen = 0;

  /** Unconsumed bytes of the current chunk. */
  get pendingBytes(): number {
    return this.chunk.length - this.pos;
  }

  /**
   * RFC 9114 §7.1: whether the stream could end here cleanly (no frame, and no stream-header varint, half read).
   * A stream that ends (FIN) elsewhere ended with a truncated frame: H3_FRAME_ERROR.
   */
  get atFrameBoundary(): boolean {
    return this.state === READ_TYPE && this.vlen === 0;
  }

  /** True while a frame's payload is being delivered (after HEADER/accept, before PAYLOAD/END). */
  get inPayload(): boolean {
    return this.state === PAYLOAD;
  }

  /** Supplies the next chunk. The previous one must be used up (`pendingBytes === 0`). */
  push(chunk: Uint8Array): void {
    if (this.pos < this.chunk.length) throw new Error('FrameReader.push: the previous chunk is not consumed');
    this.chunk = chunk;
    this.pos = 0;
  }

  /**
   * The unconsumed rest of the current chunk as a view, marking it consumed. For streams that stop being framed
   * after their header (the QPACK encoder and decoder streams, RFC 9204 §4.2).
   */
  takeRest(): Uint8Array {
    const rest = this.pos === 0 ? this.chunk : this.chunk.subarray(this.pos);
    this.chunk = EMPTY;
    this.pos = 0;
    return rest;
  }

  /** Drops the rest of the current chunk (after an error, or when the stream is abandoned). */
  discard(): void {
    this.chunk = EMPTY;
    this.pos = 0;
  }

  /**
   * Reads one varint that is not part of a frame (a unidirectional stream's type, a push stream's push ID,
   * RFC 9114 §6.2). Returns -1 when the chunk ends first (the bytes read so far are kept).
   */
  readVarint(): number {
    return this.varint();
  }

  /** Chooses how the payload of the frame announced by HEADER is delivered. */
  accept(mode: PayloadMode): void {
    if (this.state !== AWAIT_MODE) throw new Error('FrameReader.accept: no frame header pending');
    this.mode = mode;
    this.remaining = this.frameLength;
    this.plen = 0;
    this.state = PAYLOAD;
  }

  /** Advances through the current chunk and reports the next event. */
  poll(): FrameReadEvent {
    for (;;) {
      switch (this.state) {
        case READ_TYPE: {
          const type = this.varint();
          if (type < 0) return FrameReadEvent.NEED_MORE;
          this.frameType = type;
          this.state = READ_LENGTH;
          break;
        }
        case READ_LENGTH: {
          const length = this.varint();
          if (length < 0) return FrameReadEvent.NEED_MORE;
          this.frameLength = length;
          this.state = AWAIT_MODE;
          return FrameReadEvent.HEADER;
        }
        case AWAIT_MODE:
          throw new Error('FrameReader.poll: accept() was not called after HEADER');
        default: {
          if (this.remaining === 0) return this.finishFrame();
          const avail = this.chunk.length - this.pos;
          if (avail === 0) return FrameReadEvent.NEED_MORE;
          const n = Math.min(avail, this.remaining);
          const p = this.pos;
          if (this.mode === PayloadMode.STREAM) {
            this.view = this.chunk.subarray(p, p + n);
            this.pos = p + n;
            this.remaining -= n;
            return FrameReadEvent.DATA;
          }
          if (this.mode === PayloadMode.BUFFER) {
            if (this.plen === 0 && n === this.remaining) {
              // the whole payload is in this chunk: hand out a view, no copy
              this.view = this.chunk.subarray(p, p + n);
              this.pos = p + n;
              this.remaining = 0;
              this.state = READ_TYPE;
              return FrameReadEvent.PAYLOAD;
            }
            if (this.pbuf.length < this.frameLength) this.pbuf = new Uint8Array(this.frameLength);
            this.pbuf.set(this.chunk.subarray(p, p + n), this.plen);
            this.plen += n;
          }
          this.pos = p + n;
          this.remaining -= n;
        }
      }
    }
  }

  private finishFrame(): FrameReadEvent {
    this.state = READ_TYPE;
    if (this.mode !== PayloadMode.BUFFER) return FrameReadEvent.END;
    if (this.plen === 0) {
      this.view = EMPTY;
    } else {
      this.view = this.pbuf.subarray(0, this.plen);
      if (this.pbuf.length > RETAINED_BUFFER_BYTES) this.pbuf = EMPTY;
      this.plen = 0;
    }
    return FrameReadEvent.PAYLOAD;
  }

  /** RFC 9000 §16 varint, possibly split across chunks; -1 when more bytes are needed. */
  private varint(): number {
    const chunk = this.chunk;
    let p = this.pos;
    if (this.vlen === 0) {
      if (p >= chunk.length) return -1;
      const first = chunk[p];
      const need = 1 << (first >> 6);
      if (p + need <= chunk.length) {
        this.pos = p + need;
        return decodeVarint(chunk, p, need);
      }
      this.vneed = need;
      if (this.vbuf.length === 0) this.vbuf = new Uint8Array(8);
    }
    while (this.vlen < this.vneed && p < chunk.length) this.vbuf[this.vlen++] = chunk[p++];
    this.pos = p;
    if (this.vlen < this.vneed) return -1;
    const v = decodeVarint(this.vbuf, 0, this.vneed);
    this.vlen = 0;
    return v;
  }
}

/** Decodes a varint of `length` bytes at `p` (the length bits are in the first byte). */
function decodeVarint(buf: Uint8Array, p: number, length: number): number {
  let v = buf[p] & 0x3f;
  for (let i = 1; i < length; i++) v = v * 256 + buf[p + i];
  return v;
}
