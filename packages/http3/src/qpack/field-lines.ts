// RFC 9204 §4.5: the encoded field section prefix and the field line representations (writers), plus the
// Required Insert Count codec (§4.5.1.1). The reader lives in the decoder (`QpackDecoder`), where it is fused with
// table lookups.

import { prefixedIntLength, writePrefixedInt } from './prefixed-int.js';
import { stringLiteralBound, writeStringLiteral } from './string-literal.js';

/** §4.5.1.1: the Required Insert Count as sent (0 stays 0; otherwise modulo 2 × MaxEntries, plus one). */
export function encodeRequiredInsertCount(requiredInsertCount: number, maxEntries: number): number {
  return requiredInsertCount === 0 ? 0 : (requiredInsertCount % (2 * maxEntries)) + 1;
}

/**
 * §4.5.1.1: reconstructs the Required Insert Count from its encoding, the decoder's MaxEntries and its total number
 * of inserts. Returns -1 for a value no conformant encoder could have produced.
 */
export function decodeRequiredInsertCount(encoded: number, maxEntries: number, totalInserts: number): number {
  if (encoded === 0) return 0;
  const fullRange = 2 * maxEntries;
  if (encoded > fullRange) return -1;
  const maxValue = totalInserts + maxEntries;
  const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
  let ric = maxWrapped + encoded - 1;
  if (ric > maxValue) {
    if (ric <= fullRange) return -1;
    ric -= fullRange;
  }
  return ric === 0 ? -1 : ric;
}

/** Largest number of bytes `writeFieldSectionPrefix` writes (two integers of at most 10 bytes each). */
export const MAX_PREFIX_LENGTH = 20;

/**
 * §4.5.1: writes Required Insert Count (8+) then Sign + Delta Base (7+). `base` must be ≥ 0 and, when it is below
 * the Required Insert Count, the count must be above zero (§4.5.1.2).
 */
export function writeFieldSectionPrefix(
  buf: Uint8Array,
  pos: number,
  requiredInsertCount: number,
  base: number,
  maxEntries: number,
): number {
  pos = writePrefixedInt(buf, pos, 8, 0, encodeRequiredInsertCount(requiredInsertCount, maxEntries));
  // §4.5.1.2: Sign 0 → Base = RIC + Delta; Sign 1 → Base = RIC - Delta - 1.
  if (base >= requiredInsertCount) return writePrefixedInt(buf, pos, 7, 0x00, base - requiredInsertCount);
  return writePrefixedInt(buf, pos, 7, 0x80, requiredInsertCount - base - 1);
}

/** Length of the prefix `writeFieldSectionPrefix` writes. */
export function fieldSectionPrefixLength(requiredInsertCount: number, base: number, maxEntries: number): number {
  const delta = base >= requiredInsertCount ? base - requiredInsertCount : requiredInsertCount - base - 1;
  return prefixedIntLength(8, encodeRequiredInsertCount(requiredInsertCount, maxEntries)) + prefixedIntLength(7, delta);
}

/** §4.5.2 Indexed Field Line, static table: '11' + index (6+). */
export function writeIndexedStatic(buf: Uint8Array, pos: number, index: number): number {
  return writePrefixedInt(buf, pos, 6, 0xc0, index);
}

/** §4.5.2 Indexed Field Line, dynamic table: '10' + relative index (6+). */
export function writeIndexedDynamic(buf: Uint8Array, pos: number, relativeIndex: number): number {
  return writePrefixedInt(buf, pos, 6, 0x80, relativeIndex);
}

/** §4.5.3 Indexed Field Line with Post-Base Index: '0001' + post-base index (4+). */
export function writeIndexedPostBase(buf: Uint8Array, pos: number, postBaseIndex: number): number {
  return writePrefixedInt(buf, pos, 4, 0x10, postBaseIndex);
}

/**
 * §4.5.4 Literal Field Line with Name Reference: '01' N T + name index (4+), then the value (8-bit prefix string).
 * `isStatic` selects the static table (T=1); otherwise `index` is a relative index.
 */
export function writeLiteralWithNameRef(
  buf: Uint8Array,
  pos: number,
  neverIndex: boolean,
  isStatic: boolean,
  index: number,
  value: string,
  huffman: boolean,
): number {
  pos = writePrefixedInt(buf, pos, 4, 0x40 | (neverIndex ? 0x20 : 0) | (isStatic ? 0x10 : 0), index);
  return writeStringLiteral(buf, pos, 8, 0, value, huffman);
}

/** §4.5.5 Literal Field Line with Post-Base Name Reference: '0000' N + post-base index (3+), then the value. */
export function writeLiteralWithPostBaseNameRef(
  buf: Uint8Array,
  pos: number,
  neverIndex: boolean,
  postBaseIndex: number,
  value: string,
  huffman: boolean,
): number {
  pos = writePrefixedInt(buf, pos, 3, neverIndex ? 0x08 : 0, postBaseIndex);
  return writeStringLiteral(buf, pos, 8, 0, value, huffman);
}

/** §4.5.6 Literal Field Line with Literal Name: '001' N + name (4-bit prefix string), then the value. */
export function writeLiteralWithLiteralName(
  buf: Uint8Array,
  pos: number,
  neverIndex: boolean,
  name: string,
  value: string,
  huffman: boolean,
): number {
  pos = writeStringLiteral(buf, pos, 4, 0x20 | (neverIndex ? 0x10 : 0), name, huffman);
  return writeStringLiteral(buf, pos, 8, 0, value, huffman);
}

/**
 * An upper bound on the encoded size of a field section holding `fields` (flat name/value list): the prefix plus,
 * per field, the longest representation (a literal with a literal name and a 10-byte index never exceeds it).
 */
export function encodedSizeBound(fields: readonly string[]): number {
  let n = MAX_PREFIX_LENGTH;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    n += stringLiteralBound(fields[i], 4) + stringLiteralBound(fields[i + 1], 8) + 10;
  }
  return n;
}
