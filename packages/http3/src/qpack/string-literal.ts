// RFC 9204 §4.1.2 string literals: an H (Huffman) bit, an (N-1)-bit prefix length, then the octets.

import type { StringInterner } from '@fos/core';
import { latin1 } from '@fos/core';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength, maxHuffmanDecodedLength } from './huffman.js';
import { prefixedIntLength, writePrefixedInt } from './prefixed-int.js';

/**
 * An upper bound on the bytes `writeStringLiteral` uses for `s` (raw length plus the length prefix; Huffman is only
 * chosen when it is shorter).
 */
export function stringLiteralBound(s: string, prefixBits: number): number {
  return prefixedIntLength(prefixBits - 1, s.length) + s.length;
}

/**
 * Writes `s` (a byte string: char codes 0-255) as a `prefixBits`-bit prefix string literal at `buf[pos]`, OR-ing
 * `flags` (the bits above the prefix) into the first byte. Huffman-codes it when `huffman` is set and that is
 * shorter (RFC 9204 §4.1.2). Returns the position after it. Throws TypeError for a char code above 255.
 * The caller guarantees `stringLiteralBound(s, prefixBits)` bytes of room.
 */
export function writeStringLiteral(
  buf: Uint8Array,
  pos: number,
  prefixBits: number,
  flags: number,
  s: string,
  huffman: boolean,
): number {
  const n = s.length;
  const lengthBits = prefixBits - 1;
  const hBit = 1 << lengthBits;
  const hLen = huffmanEncodedLength(s); // also rejects chars above 0xff
  if (huffman && hLen < n) {
    pos = writePrefixedInt(buf, pos, lengthBits, flags | hBit, hLen);
    return huffmanEncode(s, buf, pos);
  }
  pos = writePrefixedInt(buf, pos, lengthBits, flags, n);
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

// Reused Huffman output; inputs needing more than SCRATCH_KEEP bytes get a one-off buffer so a single huge string
// does not pin memory for the life of the process.
const SCRATCH_KEEP = 64 * 1024;
let scratch = new Uint8Array(1024);

/**
 * Decodes the string octets `buf[start, start + length)` (Huffman-coded when `huffman`) as Latin-1, through
 * `interner` when given. Returns undefined when the Huffman code is invalid (RFC 7541 §5.2: EOS, or bad padding).
 */
export function decodeStringOctets(
  buf: Uint8Array,
  start: number,
  length: number,
  huffman: boolean,
  interner: StringInterner | undefined,
): string | undefined {
  if (!huffman) return interner ? interner.internBytes(buf, start, length) : latin1(buf, start, length);
  const max = maxHuffmanDecodedLength(length);
  let out = scratch;
  if (out.length < max) {
    out = new Uint8Array(max);
    if (max <= SCRATCH_KEEP) scratch = out;
  }
  const n = huffmanDecode(buf, start, start + length, out, 0);
  if (n < 0) return undefined;
  return interner ? interner.internBytes(out, 0, n) : latin1(out, 0, n);
}
