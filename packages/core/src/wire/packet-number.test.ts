import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import rfc9000 from '../../test/fixtures/rfc9000.json' with { type: 'json' };
import {
  decodePacketNumber,
  packetNumberLength,
  readPacketNumber,
  truncatePacketNumber,
  writePacketNumber,
} from './packet-number.js';

const n = (h: string) => Number.parseInt(h, 16);

describe('RFC 9000 Appendix A.2 packet number encoding', () => {
  for (const ex of rfc9000.packet_number_encoding_examples.examples) {
    it(`${ex.full_pn} with largest acked ${ex.largest_acked} uses ${ex.encoded_length} byte(s)`, () => {
      const full = n(ex.full_pn);
      const len = packetNumberLength(full, n(ex.largest_acked));
      expect(len).toBe(ex.encoded_length);
      expect(len * 8).toBe(ex.encoded_bits);
      const buf = new Uint8Array(4);
      writePacketNumber(buf, 0, full, len);
      expect(Buffer.from(buf.subarray(0, len)).toString('hex')).toBe(ex.truncated_hex);
      // The chosen length can represent more than twice the range (RFC 9000 §17.1).
      expect(2 ** (8 * len)).toBeGreaterThanOrEqual(ex.twice_range);
    });
  }

  it('with nothing acknowledged, counts from packet 0', () => {
    expect(packetNumberLength(0, undefined)).toBe(1);
    expect(packetNumberLength(127, undefined)).toBe(1);
    expect(packetNumberLength(128, undefined)).toBe(2);
  });
});

describe('RFC 9000 Appendix A.3 packet number decoding', () => {
  for (const ex of rfc9000.packet_number_decoding_examples.examples) {
    it(`${ex.truncated_pn} after ${ex.largest_pn} decodes to ${ex.decoded_pn}`, () => {
      expect(decodePacketNumber(n(ex.largest_pn), n(ex.truncated_pn), ex.pn_nbits as 16)).toBe(n(ex.decoded_pn));
    });
  }

  it('wraps around the window in both directions', () => {
    // expected 0x100 (largest 0xff); truncated 0x00 in 8 bits is 0x100, 0xff is 0xff.
    expect(decodePacketNumber(0xff, 0x00, 8)).toBe(0x100);
    expect(decodePacketNumber(0xff, 0xff, 8)).toBe(0xff);
    expect(decodePacketNumber(0x17f, 0x00, 8)).toBe(0x200);
    expect(decodePacketNumber(-1, 0x05, 8)).toBe(5);
  });
});

describe('packet number properties', () => {
  it('decode(truncate(pn)) = pn whenever pn is within half a window of the next expected number', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 2 ** 40 }),
        fc.constantFrom(1, 2, 3, 4),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        (largest, len, frac) => {
          const win = 2 ** (8 * len);
          const pn = largest + 1 + Math.trunc(frac * (win - 2));
          fc.pre(pn >= 0);
          const buf = new Uint8Array(4);
          writePacketNumber(buf, 0, pn, len as 1 | 2 | 3 | 4);
          const truncated = readPacketNumber(buf, 0, len as 1 | 2 | 3 | 4);
          expect(truncated).toBe(truncatePacketNumber(pn, len as 1 | 2 | 3 | 4));
          expect(decodePacketNumber(largest, truncated, (8 * len) as 8 | 16 | 24 | 32)).toBe(pn);
        },
      ),
    );
  });

  it('the sender-chosen length always decodes at a receiver that saw the largest acknowledged packet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1, max: 2 ** 30 }), (acked, ahead) => {
        const pn = acked + ahead;
        const len = packetNumberLength(pn, acked);
        const buf = new Uint8Array(4);
        writePacketNumber(buf, 0, pn, len);
        // The receiver has at least seen `acked`; it may have seen anything up to pn - 1.
        for (const largestSeen of [acked, pn - 1]) {
          expect(decodePacketNumber(largestSeen, readPacketNumber(buf, 0, len), (8 * len) as 8 | 16 | 24 | 32)).toBe(
            pn,
          );
        }
      }),
    );
  });
});
