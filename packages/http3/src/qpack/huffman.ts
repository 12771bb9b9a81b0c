// RFC 7541 §5.2 / Appendix B Huffman coding, used unmodified by QPACK (RFC 9204 §4.1.2).
//
// Decoding runs a 4-bit state machine: the states are the 256 internal nodes of the code tree, and for each state and
// input nibble a precomputed transition gives the next state and at most one emitted symbol (no code is shorter than
// 5 bits, so 4 input bits complete at most one symbol). Two table lookups per input byte, no per-bit tree walk.

import { HUFFMAN_CODE_LENGTHS, HUFFMAN_CODES, HUFFMAN_EOS } from './huffman-table.js';

// Transition entry layout (Uint32): bits 0-7 next state, 8-15 emitted symbol, 16 EMIT flag, 17 FAIL flag.
const EMIT = 1 << 16;
const FAIL = 1 << 17;

/** transitions[state * 16 + nibble] */
const transitions = new Uint32Array(256 * 16);
/** States where the input may end: the root, or ≤ 7 one-bits into the EOS code (valid padding, RFC 7541 §5.2). */
const accepting = new Uint8Array(256);

buildDecoder();

function buildDecoder(): void {
  // Code tree: internal nodes numbered 0..255 (0 = root); child arrays hold a node id, or ~symbol for a leaf.
  const zero = new Int32Array(256).fill(0x7fffffff);
  const one = new Int32Array(256).fill(0x7fffffff);
  let nodes = 1;
  for (let sym = 0; sym <= HUFFMAN_EOS; sym++) {
    const code = HUFFMAN_CODES[sym];
    const len = HUFFMAN_CODE_LENGTHS[sym];
    let node = 0;
    for (let bit = len - 1; bit >= 0; bit--) {
      const children = (code >>> bit) & 1 ? one : zero;
      if (bit === 0) {
        children[node] = ~sym;
      } else {
        if (children[node] === 0x7fffffff) children[node] = nodes++;
        node = children[node];
      }
    }
  }
  if (nodes !== 256) throw new Error('Huffman code table is not a complete prefix code');
  // The all-ones path: depth of each node on it (-1 when off the path).
  const onesDepth = new Int32Array(256).fill(-1);
  onesDepth[0] = 0;
  for (let node = 0, depth = 0; one[node] >= 0; depth++) {
    node = one[node];
    onesDepth[node] = depth + 1;
  }
  for (let s = 0; s < 256; s++) accepting[s] = onesDepth[s] >= 0 && onesDepth[s] <= 7 ? 1 : 0;
  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = (nibble >>> bit) & 1 ? one[node] : zero[node];
        if (next >= 0) {
          node = next;
          continue;
        }
        const sym = ~next;
        if (sym === HUFFMAN_EOS) {
          entry = FAIL; // RFC 7541 §5.2: an EOS symbol in the string is a decoding error
          break;
        }
        entry = EMIT | (sym << 8);
        node = 0;
      }
      transitions[state * 16 + nibble] = entry === FAIL ? FAIL : entry | node;
    }
  }
}

/**
 * Decodes the Huffman string `src[start, end)` into `out` from `outPos`; returns the position after the last
 * decoded byte, or -1 when the input is invalid: it contains EOS, or ends in padding longer than 7 bits or not made
 * of ones (RFC 7541 §5.2). `out` must have room for `maxHuffmanDecodedLength(end - start)` bytes from `outPos`.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array, outPos: number): number {
  let state = 0;
  let o = outPos;
  for (let i = start; i < end; i++) {
    const b = src[i];
    let t = transitions[(state << 4) | (b >>> 4)];
    if (t & FAIL) return -1;
    if (t & EMIT) out[o++] = (t >>> 8) & 0xff;
    t = transitions[((t & 0xff) << 4) | (b & 0x0f)];
    if (t & FAIL) return -1;
    if (t & EMIT) out[o++] = (t >>> 8) & 0xff;
    state = t & 0xff;
  }
  return accepting[state] ? o : -1;
}

/** An upper bound on the decoded length of `encodedLength` Huffman bytes (the shortest code is 5 bits). */
export function maxHuffmanDecodedLength(encodedLength: number): number {
  return Math.floor((encodedLength * 8) / 5);
}

/** A lower bound on the decoded length of `encodedLength` Huffman bytes (the longest code is 30 bits). */
export function minHuffmanDecodedLength(encodedLength: number): number {
  return encodedLength === 0 ? 0 : Math.floor((encodedLength * 8 - 7) / 30);
}

/**
 * The length in bytes of the Huffman encoding of `s`, a byte string (each char code is one octet, 0-255).
 * Throws TypeError when `s` has a char code above 255 (HTTP field lines are octets; see the README).
 */
export function huffmanEncodedLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new TypeError(`field strings are byte strings: char code ${c} at index ${i}`);
    bits += HUFFMAN_CODE_LENGTHS[c];
  }
  return (bits + 7) >>> 3;
}

/**
 * Writes the Huffman encoding of the byte string `s` at `out[pos]`, padded with the EOS prefix (ones, RFC 7541 §5.2).
 * Returns the position after it. The caller has checked the chars (`huffmanEncodedLength`) and the room.
 */
export function huffmanEncode(s: string, out: Uint8Array, pos: number): number {
  // `acc` holds `n` (< 8) pending bits; codes of up to 25 bits are appended in one step, longer ones in two.
  let acc = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let code = HUFFMAN_CODES[c];
    let len = HUFFMAN_CODE_LENGTHS[c];
    if (len > 25) {
      const hiLen = len - 16;
      acc = (acc << hiLen) | (code >>> 16);
      n += hiLen;
      while (n >= 8) {
        n -= 8;
        out[pos++] = (acc >>> n) & 0xff;
      }
      acc &= (1 << n) - 1;
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    n += len;
    while (n >= 8) {
      n -= 8;
      out[pos++] = (acc >>> n) & 0xff;
    }
    acc &= (1 << n) - 1;
  }
  if (n > 0) out[pos++] = ((acc << (8 - n)) | (0xff >>> n)) & 0xff;
  return pos;
}
