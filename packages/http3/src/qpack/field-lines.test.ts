import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRequiredInsertCount,
  encodedSizeBound,
  encodeRequiredInsertCount,
  fieldSectionPrefixLength,
  writeFieldSectionPrefix,
} from './field-lines.js';

describe('Required Insert Count (RFC 9204 §4.5.1.1)', () => {
  it('follows the RFC example: a 100-byte table, 10 inserts, encoded 4 → 9', () => {
    expect(decodeRequiredInsertCount(4, 3, 10)).toBe(9);
    expect(encodeRequiredInsertCount(9, 3)).toBe(4);
    expect(encodeRequiredInsertCount(0, 3)).toBe(0);
    expect(decodeRequiredInsertCount(0, 3, 10)).toBe(0);
  });

  it('rejects encodings no conformant encoder produces', () => {
    expect(decodeRequiredInsertCount(7, 3, 10)).toBe(-1); // above 2 * MaxEntries
    expect(decodeRequiredInsertCount(1, 0, 0)).toBe(-1); // no dynamic table at all
    expect(decodeRequiredInsertCount(1, 3, 0)).toBe(-1); // would be 0 ("Value of 0 must be encoded as 0")
    expect(decodeRequiredInsertCount(6, 3, 0)).toBe(-1); // wraps below the full range
  });

  it('round-trips every count the decoder can tell apart (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.nat(100_000), fc.nat(4000), (max, inserts, back) => {
        // decodable: totalInserts - MaxEntries < ric <= totalInserts + MaxEntries, ric >= 1
        const ric = Math.max(1, inserts + max - (back % (2 * max)));
        expect(decodeRequiredInsertCount(encodeRequiredInsertCount(ric, max), max, inserts)).toBe(ric);
      }),
    );
  });
});

describe('field section prefix (RFC 9204 §4.5.1)', () => {
  it('writes Base with the sign bit (§4.5.1.2)', () => {
    const out = new Uint8Array(32);
    const prefix = (ric: number, base: number, max: number): string => {
      const n = writeFieldSectionPrefix(out, 0, ric, base, max);
      expect(n).toBe(fieldSectionPrefixLength(ric, base, max));
      return Buffer.from(out.subarray(0, n)).toString('hex');
    };
    expect(prefix(0, 0, 0)).toBe('0000');
    expect(prefix(2, 0, 6)).toBe('0381'); // RFC 9204 B.2: Base 0 < RIC 2 → S=1, Delta 1
    expect(prefix(4, 4, 6)).toBe('0500'); // B.4
    expect(prefix(4, 6, 6)).toBe('0502');
  });

  it('bounds the encoded size', () => {
    expect(encodedSizeBound([])).toBe(20);
    expect(encodedSizeBound(['a', 'bc'])).toBeGreaterThanOrEqual(20 + 1 + 1 + 1 + 2 + 10);
  });
});
