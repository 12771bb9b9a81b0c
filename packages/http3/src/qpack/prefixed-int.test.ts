import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import huffman from '../../test/fixtures/qpack-huffman.json' with { type: 'json' };
import {
  decodePrefixedInt,
  INT_TOO_LARGE,
  INT_TRUNCATED,
  prefixedIntLength,
  type QpackCursor,
  writePrefixedInt,
} from './prefixed-int.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const cursor = (buf: Uint8Array, pos = 0): QpackCursor => ({ buf, pos, end: buf.length });

describe('prefixed integers (RFC 7541 §5.1, RFC 9204 §4.1.1)', () => {
  it('decodes and encodes the RFC 7541 Appendix C.1 examples', () => {
    expect(huffman.integer_examples).toHaveLength(3);
    for (const ex of huffman.integer_examples) {
      const bytes = hex(ex.encoded_hex);
      const c = cursor(bytes);
      expect(decodePrefixedInt(c, ex.prefix_bits), ex.section).toBe(ex.value);
      expect(c.pos).toBe(bytes.length);
      const out = new Uint8Array(16);
      expect(writePrefixedInt(out, 0, ex.prefix_bits, 0, ex.value)).toBe(bytes.length);
      expect(Buffer.from(out.subarray(0, bytes.length)).toString('hex')).toBe(ex.encoded_hex);
      expect(prefixedIntLength(ex.prefix_bits, ex.value)).toBe(bytes.length);
    }
  });

  it('ignores and preserves the bits above the prefix', () => {
    const out = new Uint8Array(8);
    const end = writePrefixedInt(out, 0, 5, 0xe0, 1337);
    expect(out[0] & 0xe0).toBe(0xe0);
    expect(decodePrefixedInt(cursor(out.subarray(0, end)), 5)).toBe(1337);
  });

  it('reports every truncation without moving', () => {
    const bytes = hex('1f9a0a');
    for (let n = 1; n < bytes.length; n++) {
      const c = cursor(bytes.subarray(0, n));
      expect(decodePrefixedInt(c, 5)).toBe(INT_TRUNCATED);
      expect(c.pos).toBe(0);
    }
  });

  it('decodes 2^53 - 1 and rejects larger values and overlong encodings', () => {
    const out = new Uint8Array(16);
    const end = writePrefixedInt(out, 0, 7, 0, Number.MAX_SAFE_INTEGER);
    expect(decodePrefixedInt(cursor(out.subarray(0, end)), 7)).toBe(Number.MAX_SAFE_INTEGER);
    // 2^62 - 1 with a 7-bit prefix: beyond what a QPACK field can validly carry for us (§7.4)
    expect(decodePrefixedInt(cursor(hex('7f80ffffffffffffff3f')), 7)).toBe(INT_TOO_LARGE);
    // nine continuation bytes, even of zeros
    expect(decodePrefixedInt(cursor(hex('7f808080808080808000')), 7)).toBe(INT_TOO_LARGE);
    // eight continuation bytes are still accepted
    expect(decodePrefixedInt(cursor(hex('7f8080808080808000')), 7)).toBe(127);
    // too long is reported even when the input then ends
    expect(decodePrefixedInt(cursor(hex('7f8080808080808080')), 7)).toBe(INT_TOO_LARGE);
  });

  it('round-trips any value with any prefix (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat()),
        fc.nat(255),
        fc.nat(4),
        (prefix, value, flags, offset) => {
          const high = flags & ~((1 << prefix) - 1) & 0xff;
          const out = new Uint8Array(offset + 12);
          const end = writePrefixedInt(out, offset, prefix, high, value);
          expect(end - offset).toBe(prefixedIntLength(prefix, value));
          expect(out[offset] & ~((1 << prefix) - 1) & 0xff).toBe(high);
          const c = cursor(out.subarray(0, end), offset);
          expect(decodePrefixedInt(c, prefix)).toBe(value);
          expect(c.pos).toBe(end);
        },
      ),
    );
  });

  it('never throws on arbitrary bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 8 }), (bytes, prefix) => {
        const c = cursor(bytes);
        const v = decodePrefixedInt(c, prefix);
        if (v >= 0) expect(c.pos).toBeGreaterThan(0);
        else expect(c.pos).toBe(0);
        expect(v === INT_TRUNCATED || v === INT_TOO_LARGE || (v >= 0 && v <= Number.MAX_SAFE_INTEGER)).toBe(true);
      }),
    );
  });
});
