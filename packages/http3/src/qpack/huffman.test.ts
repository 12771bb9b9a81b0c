import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import huffman from '../../test/fixtures/qpack-huffman.json' with { type: 'json' };
import {
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
  maxHuffmanDecodedLength,
  minHuffmanDecodedLength,
} from './huffman.js';
import { HUFFMAN_CODE_LENGTHS, HUFFMAN_CODES, HUFFMAN_EOS } from './huffman-table.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function encode(s: string): Uint8Array {
  const out = new Uint8Array(huffmanEncodedLength(s));
  expect(huffmanEncode(s, out, 0)).toBe(out.length);
  return out;
}

function decode(bytes: Uint8Array): string | undefined {
  const out = new Uint8Array(maxHuffmanDecodedLength(bytes.length));
  const n = huffmanDecode(bytes, 0, bytes.length, out, 0);
  return n < 0 ? undefined : latin1(out.subarray(0, n));
}

describe('Huffman code table (RFC 7541 Appendix B)', () => {
  it('matches the RFC code list for all 257 symbols', () => {
    const entries = huffman.code_table.entries;
    expect(entries).toHaveLength(257);
    expect(HUFFMAN_CODES).toHaveLength(257);
    for (const e of entries) {
      expect(HUFFMAN_CODES[e.symbol], `symbol ${e.symbol}`).toBe(Number.parseInt(e.hex, 16));
      expect(HUFFMAN_CODE_LENGTHS[e.symbol], `symbol ${e.symbol}`).toBe(e.length);
    }
    expect(HUFFMAN_CODE_LENGTHS[HUFFMAN_EOS]).toBe(30);
  });
});

describe('Huffman coding (RFC 7541 §5.2)', () => {
  it('encodes and decodes every Appendix C string exactly', () => {
    expect(huffman.strings).toHaveLength(12);
    for (const s of huffman.strings) {
      expect(Buffer.from(encode(s.decoded)).toString('hex'), s.section).toBe(s.huffman_hex);
      expect(huffmanEncodedLength(s.decoded)).toBe(s.encoded_length);
      expect(decode(hex(s.huffman_hex)), s.section).toBe(s.decoded);
    }
  });

  it('round-trips every symbol, alone and after a partial byte', () => {
    for (let c = 0; c < 256; c++) {
      for (const prefix of ['', 'a', 'ab', 'abc']) {
        const s = prefix + String.fromCharCode(c);
        expect(decode(encode(s))).toBe(s);
      }
    }
  });

  it('decodes the empty string', () => {
    expect(decode(new Uint8Array(0))).toBe('');
  });

  it('rejects an EOS symbol inside the string', () => {
    // EOS (30 ones) then 2 padding ones
    expect(decode(hex('ffffffff'))).toBeUndefined();
    // 'a' (00011) then EOS: 00011 + 30 ones + 5 padding ones = 40 bits
    expect(decode(hex('1fffffffff'))).toBeUndefined();
  });

  it('rejects padding longer than 7 bits', () => {
    expect(decode(hex('1f'))).toBe('a'); // 00011 + 111
    expect(decode(hex('1fff'))).toBeUndefined(); // 00011 + 11 ones
    expect(decode(hex('ff'))).toBeUndefined(); // 8 ones
  });

  it('rejects padding that is not all ones', () => {
    expect(decode(hex('18'))).toBeUndefined(); // 00011 + 000
    expect(decode(hex('1e'))).toBeUndefined(); // 00011 + 110
  });

  it('bounds the decoded length', () => {
    expect(maxHuffmanDecodedLength(5)).toBe(8);
    expect(minHuffmanDecodedLength(0)).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const out = new Uint8Array(maxHuffmanDecodedLength(bytes.length));
        const n = huffmanDecode(bytes, 0, bytes.length, out, 0);
        if (n >= 0) {
          expect(n).toBeLessThanOrEqual(maxHuffmanDecodedLength(bytes.length));
          expect(n).toBeGreaterThanOrEqual(minHuffmanDecodedLength(bytes.length));
          // a valid code re-encodes to the same bytes
          expect(Buffer.from(encode(latin1(out.subarray(0, n)))).equals(Buffer.from(bytes))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips arbitrary byte strings (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const s = latin1(bytes);
        const encoded = encode(s);
        expect(encoded.length).toBe(huffmanEncodedLength(s));
        expect(decode(encoded)).toBe(s);
      }),
    );
  });

  it('refuses strings that are not byte strings', () => {
    expect(() => huffmanEncodedLength('caf\u00e9')).not.toThrow();
    expect(() => huffmanEncodedLength('\u0100')).toThrow(TypeError);
  });
});
