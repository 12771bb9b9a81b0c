import { BufferOverflowError } from '../errors.js';
import { varintLength, writeVarintAt, writeVarintBigAt } from './varint.js';

/**
 * A cursor that writes into a caller-supplied buffer (typically a pooled packet buffer) between `pos` and `end`.
 * Every write that would pass `end` throws BufferOverflowError and writes nothing.
 * Reusable: `reset()` points it at another buffer without allocating.
 */
export class ByteWriter {
  buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, offset = 0, end: number = buf.length) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  reset(buf: Uint8Array, offset = 0, end: number = buf.length): this {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new BufferOverflowError(n, this.end - this.pos);
  }

  u8(v: number): this {
    this.need(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.need(2);
    const b = this.buf;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.need(3);
    const b = this.buf;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.need(4);
    const b = this.buf;
    b[this.pos++] = (v >>> 24) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
    return this;
  }

  u64Big(v: bigint): this {
    this.need(8);
    this.u32(Number((v >> 32n) & 0xffff_ffffn));
    return this.u32(Number(v & 0xffff_ffffn));
  }

  /** RFC 9000 §16 varint, minimal length unless `length` is given. */
  varint(v: number, length?: 1 | 2 | 4 | 8): this {
    const n = length ?? varintLength(v);
    this.need(n);
    this.pos = writeVarintAt(this.buf, this.pos, v, n);
    return this;
  }

  varintBig(v: bigint): this {
    const n = v < 0x40n ? 1 : v < 0x4000n ? 2 : v < 0x4000_0000n ? 4 : 8;
    this.need(n);
    this.pos = writeVarintBigAt(this.buf, this.pos, v);
    return this;
  }

  /** Copies `src` in. */
  bytes(src: Uint8Array): this {
    this.need(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /** Writes `n` copies of `value` (e.g. PADDING frames). */
  fill(value: number, n: number): this {
    this.need(n);
    this.buf.fill(value, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Skips `n` bytes and returns where they start, to be patched later (e.g. a length field). */
  reserve(n: number): number {
    this.need(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Fills a varint into a region obtained from `reserve(length)`. */
  patchVarint(at: number, value: number, length: 1 | 2 | 4 | 8): void {
    writeVarintAt(this.buf, at, value, length);
  }

  /** A view of what was written from `start` to the current position. */
  written(start = 0): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }
}
