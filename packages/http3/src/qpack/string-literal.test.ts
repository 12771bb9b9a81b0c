import { HashStringInterner } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import huffman from '../../test/fixtures/qpack-huffman.json' with { type: 'json' };
import { decodePrefixedInt, type QpackCursor } from './prefixed-int.js';
import { decodeStringOctets, stringLiteralBound, writeStringLiteral } from './string-literal.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function write(s: string, prefixBits: number, flags: number, huffmanAllowed: boolean): Uint8Array {
  const out = new Uint8Array(stringLiteralBound(s, prefixBits));
  const end = writeStringLiteral(out, 0, prefixBits, flags, s, huffmanAllowed);
  expect(end).toBeLessThanOrEqual(out.length);
  return out.subarray(0, end);
}

function read(bytes: Uint8Array, prefixBits: number): string | undefined {
  const c: QpackCursor = { buf: bytes, pos: 0, end: bytes.length };
  const h = (bytes[0] & (1 << (prefixBits - 1))) !== 0;
  const length = decodePrefixedInt(c, prefixBits - 1);
  expect(c.pos + length).toBe(bytes.length);
  return decodeStringOctets(bytes, c.pos, length, h, undefined);
}

describe('string literals (RFC 9204 §4.1.2)', () => {
  it('reads every RFC 7541 Appendix C string literal and writes the same bytes when Huffman is shorter', () => {
    let shorter = 0;
    for (const s of huffman.strings) {
      expect(read(new Uint8Array(Buffer.from(s.string_literal_hex, 'hex')), 8), s.section).toBe(s.decoded);
      if (s.encoded_length < s.decoded_length) {
        expect(toHex(write(s.decoded, 8, 0, true)), s.section).toBe(s.string_literal_hex);
        shorter++;
      } else {
        // a tie ("307": 3 bytes either way): we send the raw octets
        expect(toHex(write(s.decoded, 8, 0, true)), s.section).toBe(toHex(write(s.decoded, 8, 0, false)));
      }
    }
    expect(shorter).toBeGreaterThanOrEqual(10);
  });

  it('writes raw octets when Huffman is off or not shorter', () => {
    expect(toHex(write('/index.html', 8, 0, false))).toBe('0b2f696e6465782e68746d6c');
    // '\x00' has a 13-bit code: Huffman (2 bytes) is longer than the raw octet
    expect(toHex(write('\x00', 8, 0, true))).toBe('0100');
  });

  it('uses an N-bit prefix with the flags above it', () => {
    // 4-bit prefix (literal name in §4.5.6): '0010' N=1 then H and a 3-bit length
    const bytes = write('custom-key', 4, 0x30, false);
    expect(bytes[0] >> 4).toBe(0x3);
    expect(bytes[0] & 0x08).toBe(0); // H = 0
    expect(read(bytes, 4)).toBe('custom-key');
  });

  it('decodes through an interner', () => {
    const interner = new HashStringInterner();
    const bytes = new TextEncoder().encode('x-name');
    const a = decodeStringOctets(bytes, 0, bytes.length, false, interner);
    const b = decodeStringOctets(bytes, 0, bytes.length, false, interner);
    expect(a).toBe('x-name');
    expect(interner.stats().hits).toBe(1);
    expect(b).toBe(a);
  });

  it('reports an invalid Huffman string as undefined', () => {
    expect(decodeStringOctets(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0, 4, true, undefined)).toBeUndefined();
  });

  it('round-trips arbitrary byte strings at every prefix size (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 2, max: 8 }),
        fc.boolean(),
        (bytes, prefixBits, h) => {
          const s = Buffer.from(bytes).toString('latin1');
          const flags = (0xff << prefixBits) & 0xff;
          const encoded = write(s, prefixBits, flags, h);
          expect(encoded[0] & flags).toBe(flags);
          expect(read(encoded, prefixBits)).toBe(s);
        },
      ),
    );
  });

  it('throws TypeError for a char code above 255', () => {
    expect(() => write('\u2603', 8, 0, true)).toThrow(TypeError);
    expect(() => write('\u2603', 8, 0, false)).toThrow(TypeError);
  });
});
