// RFC 7541 §5.1 prefixed integers, used unmodified by QPACK (RFC 9204 §4.1.1).

/** What a decoder reads: the fields of core's ByteReader (a view `buf[pos, end)`), advanced in place. */
export interface QpackCursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

/** `decodePrefixedInt` result: the integer runs past `end` (more input is needed); `pos` is unchanged. */
export const INT_TRUNCATED = -1;
/**
 * `decodePrefixedInt` result: the integer is larger than 2^53 - 1 or uses more than 8 continuation bytes.
 * RFC 9204 §4.1.1 requires decoding integers up to 62 bits; every QPACK field that large (an index, a length, a
 * capacity, a stream ID of a stream we could hold) is invalid anyway, so such values are rejected as beyond our
 * limit (§7.4), never rounded.
 */
export const INT_TOO_LARGE = -2;

const TWO_POW_49 = 2 ** 49;

/**
 * Decodes an integer whose `prefixBits`-bit prefix is in the low bits of `c.buf[c.pos]` (RFC 7541 §5.1). On success
 * returns the value (≥ 0) and moves `c.pos` past it; otherwise returns INT_TRUNCATED or INT_TOO_LARGE and leaves
 * `c.pos` alone. The caller has checked `c.pos < c.end`.
 */
export function decodePrefixedInt(c: QpackCursor, prefixBits: number): number {
  const buf = c.buf;
  let pos = c.pos;
  const mask = (1 << prefixBits) - 1;
  let value = buf[pos++] & mask;
  if (value < mask) {
    c.pos = pos;
    return value;
  }
  const end = c.end;
  let mul = 1;
  for (;;) {
    if (pos >= end) return INT_TRUNCATED;
    const b = buf[pos++];
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    // RFC 9204 §7.4: bound the encoded length as well as the value (8 continuation bytes cover 2^56).
    if (mul === TWO_POW_49) return INT_TOO_LARGE;
    mul *= 128;
  }
  if (value > Number.MAX_SAFE_INTEGER) return INT_TOO_LARGE;
  c.pos = pos;
  return value;
}

/** Bytes `writePrefixedInt` uses for `value` with a `prefixBits`-bit prefix. */
export function prefixedIntLength(prefixBits: number, value: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return 1;
  let n = 2;
  for (value -= mask; value >= 128; value = Math.floor(value / 128)) n++;
  return n;
}

/**
 * Writes `value` (0 ≤ value ≤ 2^53 - 1) as a `prefixBits`-bit prefix integer at `buf[pos]`, OR-ing `flags` (the
 * bits above the prefix) into the first byte (RFC 7541 §5.1). Returns the position after it. The caller guarantees
 * room (see `prefixedIntLength`).
 */
export function writePrefixedInt(
  buf: Uint8Array,
  pos: number,
  prefixBits: number,
  flags: number,
  value: number,
): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    buf[pos++] = flags | value;
    return pos;
  }
  buf[pos++] = flags | mask;
  value -= mask;
  while (value >= 128) {
    buf[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}
