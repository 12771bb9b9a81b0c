import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import rfc9000 from '../../test/fixtures/rfc9000.json' with { type: 'json' };
import { TruncatedInputError, VarintRangeError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import {
  readVarintAt,
  readVarintBigAt,
  VARINT_LIMIT,
  varintLength,
  varintLengthFromFirstByte,
  writeVarintAt,
  writeVarintBigAt,
} from './varint.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('RFC 9000 Appendix A.1 varint examples', () => {
  for (const ex of rfc9000.varint_examples.examples) {
    it(`${ex.encoded_hex} decodes to ${ex.value_decimal}`, () => {
      const bytes = hex(ex.encoded_hex);
      expect(readVarintBigAt(bytes, 0)).toBe(BigInt(ex.value_decimal));
      expect(readVarintAt(bytes, 0)).toBe(Number(BigInt(ex.value_decimal)));
      expect(varintLengthFromFirstByte(bytes[0])).toBe(ex.length);
      const r = new ByteReader(bytes);
      expect(r.varintBig()).toBe(BigInt(ex.value_decimal));
      expect(r.done).toBe(true);
    });
    if (ex.minimal) {
      it(`${ex.value_decimal} encodes minimally to ${ex.encoded_hex}`, () => {
        const out = new Uint8Array(8);
        expect(writeVarintBigAt(out, 0, BigInt(ex.value_decimal))).toBe(ex.length);
        expect(toHex(out.subarray(0, ex.length))).toBe(ex.encoded_hex);
        if (BigInt(ex.value_decimal) <= BigInt(Number.MAX_SAFE_INTEGER)) {
          const w = new ByteWriter(new Uint8Array(8));
          w.varint(Number(ex.value_decimal));
          expect(toHex(w.written())).toBe(ex.encoded_hex);
        }
      });
    } else {
      it(`${ex.encoded_hex} is a non-minimal encoding that still decodes`, () => {
        expect(varintLength(ex.value)).toBeLessThan(ex.length);
        const out = new Uint8Array(8);
        writeVarintAt(out, 0, ex.value, ex.length as 1 | 2 | 4 | 8);
        expect(toHex(out.subarray(0, ex.length))).toBe(ex.encoded_hex);
      });
    }
  }
});

describe('RFC 9000 §16 Table 4 boundaries', () => {
  for (const row of rfc9000.varint_encoding_summary.rows) {
    it(`${row.length}-byte encodings carry ${row.usable_bits} bits`, () => {
      const max = BigInt(row.max_decimal ?? String(row.max));
      const out = new Uint8Array(8);
      expect(writeVarintBigAt(out, 0, max)).toBe(row.length);
      expect((out[0] >> 6).toString(2).padStart(2, '0')).toBe(row.two_msb);
      expect(readVarintBigAt(out, 0)).toBe(max);
      if (row.length === 8) expect(() => writeVarintBigAt(out, 0, max + 1n)).toThrow(VarintRangeError);
      else expect(writeVarintBigAt(out, 0, max + 1n)).toBe(row.length * 2);
    });
  }
});

describe('varint errors', () => {
  it('refuses values that cannot be encoded', () => {
    for (const bad of [-1, 0.5, VARINT_LIMIT, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => varintLength(bad)).toThrow(VarintRangeError);
      expect(() => new ByteWriter(new Uint8Array(8)).varint(bad)).toThrow(VarintRangeError);
    }
    expect(() => writeVarintBigAt(new Uint8Array(8), 0, 1n << 62n)).toThrow(VarintRangeError);
    expect(() => writeVarintBigAt(new Uint8Array(8), 0, -1n)).toThrow(VarintRangeError);
    expect(() => writeVarintAt(new Uint8Array(8), 0, 64, 1)).toThrow(VarintRangeError);
  });
});

describe('varint properties', () => {
  it('number round-trip (0 ≤ v ≤ 2^53-1) with minimal length', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const w = new ByteWriter(new Uint8Array(8));
        w.varint(v);
        const len = w.pos;
        expect(len).toBe(varintLength(v));
        const r = new ByteReader(w.buf, 0, len);
        expect(r.varint()).toBe(v);
        expect(r.done).toBe(true);
      }),
    );
  });

  it('bigint round-trip over the whole 62-bit range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }), (v) => {
        const buf = new Uint8Array(8);
        const end = writeVarintBigAt(buf, 0, v);
        expect(readVarintBigAt(buf, 0, end)).toBe(v);
        expect(readVarintAt(buf, 0, end)).toBe(Number(v));
      }),
    );
  });

  it('any length at least the minimal one round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fff_ffff }), fc.constantFrom(1, 2, 4, 8), (v, len) => {
        fc.pre(len >= varintLength(v));
        const buf = new Uint8Array(8);
        expect(writeVarintAt(buf, 0, v, len as 1 | 2 | 4 | 8)).toBe(len);
        expect(readVarintAt(buf, 0, len)).toBe(v);
      }),
    );
  });

  it('every truncation throws TruncatedInputError and consumes nothing', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }), (v) => {
        const buf = new Uint8Array(8);
        const len = writeVarintBigAt(buf, 0, v);
        for (let cut = 0; cut < len; cut++) {
          const r = new ByteReader(buf, 0, cut);
          expect(() => r.varint()).toThrow(TruncatedInputError);
          expect(() => r.varintBig()).toThrow(TruncatedInputError);
          expect(r.pos).toBe(0);
        }
      }),
    );
  });
});
