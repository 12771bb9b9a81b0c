import { TruncatedInputError, VarintRangeError } from '../errors.js';

// RFC 9000 §16: variable-length integer encoding. The two most significant bits of the first byte give the
// length (1, 2, 4 or 8 bytes); the remaining 6, 14, 30 or 62 bits carry the value, big-endian.

/** 2^62, the exclusive upper bound of varint values (RFC 9000 §16); as a double, compare with `<`. */
export const VARINT_LIMIT = 2 ** 62;
/** 2^62 - 1 as a bigint (exact). */
export const MAX_VARINT_BIG = (1n << 62n) - 1n;

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_24 = 0x100_0000;

/** Length in bytes of the minimal encoding of `value` (RFC 9000 §16 Table 4). Throws VarintRangeError. */
export function varintLength(value: number): 1 | 2 | 4 | 8 {
  if (value >= 0 && Number.isInteger(value)) {
    if (value < 0x40) return 1;
    if (value < 0x4000) return 2;
    if (value < 0x4000_0000) return 4;
    if (value < VARINT_LIMIT) return 8;
  }
  throw new VarintRangeError(value);
}

/** Length in bytes of the varint whose first byte is `firstByte`. */
export function varintLengthFromFirstByte(firstByte: number): 1 | 2 | 4 | 8 {
  return (1 << (firstByte >> 6)) as 1 | 2 | 4 | 8;
}

/**
 * Writes `value` at `offset` using exactly `length` bytes (a non-minimal length is allowed where the RFC allows
 * it, e.g. to reserve room for a length field). Returns the offset after the varint.
 * The caller guarantees room; use ByteWriter for checked writes.
 */
export function writeVarintAt(buf: Uint8Array, offset: number, value: number, length: 1 | 2 | 4 | 8): number {
  if (!(value >= 0) || !Number.isInteger(value) || value >= limitForLength(length)) throw new VarintRangeError(value);
  switch (length) {
    case 1:
      buf[offset] = value;
      return offset + 1;
    case 2:
      buf[offset] = 0x40 | (value >>> 8);
      buf[offset + 1] = value & 0xff;
      return offset + 2;
    case 4:
      buf[offset] = 0x80 | (value >>> 24);
      buf[offset + 1] = (value >>> 16) & 0xff;
      buf[offset + 2] = (value >>> 8) & 0xff;
      buf[offset + 3] = value & 0xff;
      return offset + 4;
    default: {
      const hi = Math.floor(value / TWO_POW_32);
      const lo = value >>> 0;
      buf[offset] = 0xc0 | (hi >>> 24);
      buf[offset + 1] = (hi >>> 16) & 0xff;
      buf[offset + 2] = (hi >>> 8) & 0xff;
      buf[offset + 3] = hi & 0xff;
      buf[offset + 4] = lo >>> 24;
      buf[offset + 5] = (lo >>> 16) & 0xff;
      buf[offset + 6] = (lo >>> 8) & 0xff;
      buf[offset + 7] = lo & 0xff;
      return offset + 8;
    }
  }
}

function limitForLength(length: 1 | 2 | 4 | 8): number {
  return length === 1 ? 0x40 : length === 2 ? 0x4000 : length === 4 ? 0x4000_0000 : VARINT_LIMIT;
}

/**
 * Reads a varint at `offset` (bounded by `end`). Values above 2^53 - 1 (only seen in limits such as a
 * max_data of 2^62 - 1) come back as the nearest double; use readVarintBigAt for the exact value.
 */
export function readVarintAt(buf: Uint8Array, offset: number, end: number = buf.length): number {
  if (offset >= end) throw new TruncatedInputError(offset, 1, 0);
  const first = buf[offset];
  const length = 1 << (first >> 6);
  if (offset + length > end) throw new TruncatedInputError(offset, length, end - offset);
  const v0 = first & 0x3f;
  switch (length) {
    case 1:
      return v0;
    case 2:
      return (v0 << 8) | buf[offset + 1];
    case 4:
      return v0 * TWO_POW_24 + ((buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]);
    default: {
      const hi = v0 * TWO_POW_24 + ((buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]);
      const lo = buf[offset + 4] * TWO_POW_24 + ((buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]);
      return hi * TWO_POW_32 + lo;
    }
  }
}

/** Exact bigint read of a varint at `offset`. */
export function readVarintBigAt(buf: Uint8Array, offset: number, end: number = buf.length): bigint {
  if (offset >= end) throw new TruncatedInputError(offset, 1, 0);
  const length = 1 << (buf[offset] >> 6);
  if (offset + length > end) throw new TruncatedInputError(offset, length, end - offset);
  let v = BigInt(buf[offset] & 0x3f);
  for (let i = 1; i < length; i++) v = (v << 8n) | BigInt(buf[offset + i]);
  return v;
}

/** Exact bigint write using the minimal length; returns the offset after the varint. */
export function writeVarintBigAt(buf: Uint8Array, offset: number, value: bigint): number {
  if (value < 0n || value > MAX_VARINT_BIG) throw new VarintRangeError(value);
  const length = value < 0x40n ? 1 : value < 0x4000n ? 2 : value < 0x4000_0000n ? 4 : 8;
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] |= (length === 1 ? 0 : length === 2 ? 1 : length === 4 ? 2 : 3) << 6;
  return offset + length;
}
