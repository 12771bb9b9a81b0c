import { TruncatedInputError } from '../errors.js';
import { readVarintAt, readVarintBigAt } from './varint.js';

const TWO_POW_24 = 0x100_0000;

/**
 * A zero-copy cursor over a byte range. `bytes(n)` returns a view (subarray) into the underlying buffer, never a
 * copy. Every read past `end` throws TruncatedInputError and leaves the position unchanged.
 * Reusable: `reset()` points it at another range without allocating.
 */
export class ByteReader {
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

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new TruncatedInputError(this.pos, n, this.end - this.pos);
  }

  peekU8(): number {
    this.need(1);
    return this.buf[this.pos];
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u24(): number {
    this.need(3);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p] * TWO_POW_24 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  u64Big(): bigint {
    this.need(8);
    const hi = BigInt(this.u32());
    return (hi << 32n) | BigInt(this.u32());
  }

  /** RFC 9000 §16 varint as a number (exact up to 2^53 - 1). */
  varint(): number {
    const v = readVarintAt(this.buf, this.pos, this.end);
    this.pos += 1 << (this.buf[this.pos] >> 6);
    return v;
  }

  /** RFC 9000 §16 varint, exact. */
  varintBig(): bigint {
    const v = readVarintBigAt(this.buf, this.pos, this.end);
    this.pos += 1 << (this.buf[this.pos] >> 6);
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    if (n < 0) throw new RangeError(`negative length ${n}`);
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /** A view of everything left (no copy); the reader ends up done. */
  rest(): Uint8Array {
    const p = this.pos;
    this.pos = this.end;
    return this.buf.subarray(p, this.end);
  }

  skip(n: number): void {
    if (n < 0) throw new RangeError(`negative length ${n}`);
    this.need(n);
    this.pos += n;
  }
}
