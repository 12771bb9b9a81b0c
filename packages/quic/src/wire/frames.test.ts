import { ByteReader, ByteWriter, TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ackDelayField, ackDelayMicros, parseAckFrame } from './ack-frame.js';
import type { Frame } from './frame.js';
import { encodedLengthFrame, encodeFrame, parseFrame, readFrameType, wireFrameType } from './frame-codec.js';
import { FrameType } from './frame-type.js';
import { encodeStreamFrame, parseStreamFrame, streamFrameOverhead } from './stream-frame.js';
import { anyFrame, normalizeFrame } from './test-support/frame-arbitraries.js';
import { hex, readFixture, toHex } from './test-support/vectors.js';

interface FrameVector {
  name: string;
  section: string;
  hex: string;
  wireType: number;
  openEnded?: boolean;
  fixedPrefix?: number;
  nonMinimal?: boolean;
  expect: Record<string, unknown>;
}
interface InvalidVector {
  name: string;
  hex: string;
  code: number;
  frameType: number;
}
const vectors = readFixture<{ frames: FrameVector[]; invalid: InvalidVector[] }>('wire-frame-vectors.json');
const rfc = readFixture<{
  rfc9001: {
    client_initial: { crypto_frame: string };
    server_initial: { plaintext_payload: string };
    short_header: { payload_plaintext: string };
  };
}>('wire-rfc-vectors.json').rfc9001;

/** Parses one frame from `bytes` (which must be consumed entirely). */
function parseAll(bytes: Uint8Array): Frame {
  const r = new ByteReader(bytes);
  const f = parseFrame(r);
  expect(r.pos).toBe(bytes.length);
  return f;
}

function expectTransportError(fn: () => unknown, code: number, frameType?: number): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TransportError);
  const te = thrown as TransportError;
  expect(te.code).toBe(code);
  if (frameType !== undefined) expect(te.frameType).toBe(frameType);
}

function encode(frame: Frame, withLength = true): Uint8Array {
  const w = new ByteWriter(new Uint8Array(encodedLengthFrame(frame, withLength)));
  encodeFrame(w, frame, withLength);
  expect(w.remaining).toBe(0);
  return w.buf;
}

describe('frame vectors (hand-written from RFC 9000 §19 / RFC 9221 §4 layouts)', () => {
  it.each(vectors.frames.map((v) => [v.name, v] as const))('%s parses to the expected fields', (_name, v) => {
    const bytes = hex(v.hex);
    const r = new ByteReader(bytes);
    expect(readFrameType(r)).toBe(v.wireType);
    r.pos = 0;
    const frame = parseAll(bytes);
    expect(normalizeFrame(frame)).toEqual(v.expect);
    expect(wireFrameType(frame, !v.openEnded || v.expect.type === FrameType.PADDING)).toBe(v.wireType);
  });

  it.each(vectors.frames.map((v) => [v.name, v] as const))('%s re-encodes to the same bytes', (_name, v) => {
    const bytes = hex(v.hex);
    const frame = parseAll(bytes);
    // Our encoder writes minimal varints; a vector with a deliberately longer field is compared by value only.
    const again = encode(frame, !v.openEnded || v.expect.type === FrameType.PADDING);
    expect(normalizeFrame(parseAll(again))).toEqual(v.expect);
    if (!v.nonMinimal) expect(toHex(again)).toBe(toHex(bytes));
  });

  it.each(vectors.frames.map((v) => [v.name, v] as const))(
    '%s: every truncation throws FRAME_ENCODING_ERROR with the frame type',
    (_name, v) => {
      const bytes = hex(v.hex);
      // Open-ended frames (no Length) are valid at any cut after their fixed fields.
      const limit = v.openEnded ? (v.fixedPrefix ?? 1) : bytes.length;
      for (let n = 1; n < limit; n++) {
        expectTransportError(
          () => parseFrame(new ByteReader(bytes.subarray(0, n))),
          TransportErrorCode.FRAME_ENCODING_ERROR,
          v.wireType,
        );
      }
    },
  );

  it.each(vectors.invalid.map((v) => [v.name, v] as const))('%s is rejected with the RFC code', (_name, v) => {
    expectTransportError(() => parseFrame(new ByteReader(hex(v.hex))), v.code, v.frameType);
  });

  it('rejects an empty input as FRAME_ENCODING_ERROR', () => {
    expectTransportError(() => parseFrame(new ByteReader(new Uint8Array(0))), TransportErrorCode.FRAME_ENCODING_ERROR);
  });
});

describe('frames inside the RFC 9001 Appendix A packets', () => {
  it('A.2: the client Initial CRYPTO frame carries the 241-byte ClientHello', () => {
    const bytes = hex(rfc.client_initial.crypto_frame);
    const f = parseAll(bytes);
    expect(f.type).toBe(FrameType.CRYPTO);
    if (f.type !== FrameType.CRYPTO) return;
    expect(f.offset).toBe(0);
    expect(f.data.length).toBe(241);
    expect(f.data[0]).toBe(0x01); // TLS ClientHello
    expect(toHex(encode(f))).toBe(toHex(bytes));
  });

  it('A.3: the server Initial payload is ACK(0) then CRYPTO(ServerHello)', () => {
    const bytes = hex(rfc.server_initial.plaintext_payload);
    const r = new ByteReader(bytes);
    const ack = parseFrame(r);
    expect(normalizeFrame(ack)).toEqual({ type: FrameType.ACK, ackDelay: 0, rangeCount: 1, ranges: [0, 0], ecn: null });
    const crypto = parseFrame(r);
    expect(crypto.type).toBe(FrameType.CRYPTO);
    if (crypto.type === FrameType.CRYPTO) {
      expect(crypto.offset).toBe(0);
      expect(crypto.data.length).toBe(90);
      expect(crypto.data[0]).toBe(0x02); // TLS ServerHello
    }
    expect(r.done).toBe(true);
  });

  it('A.5: the short-header packet payload is one PING', () => {
    expect(parseAll(hex(rfc.short_header.payload_plaintext))).toEqual({ type: FrameType.PING });
  });
});

describe('frame round trips (fast-check)', () => {
  it('encode → parse returns the same frame, and encodedLength is exact', () => {
    fc.assert(
      fc.property(anyFrame(), (frame) => {
        const bytes = encode(frame);
        expect(bytes.length).toBe(encodedLengthFrame(frame));
        expect(readFrameType(new ByteReader(bytes))).toBe(wireFrameType(frame));
        expect(normalizeFrame(parseAll(bytes))).toEqual(normalizeFrame(frame));
      }),
      { numRuns: 1000 },
    );
  });

  it('STREAM and DATAGRAM without Length run to the end of the payload', () => {
    fc.assert(
      fc.property(anyFrame(), (frame) => {
        if (frame.type !== FrameType.STREAM && frame.type !== FrameType.DATAGRAM) return;
        const bytes = encode(frame, false);
        expect(readFrameType(new ByteReader(bytes))).toBe(wireFrameType(frame, false));
        expect(normalizeFrame(parseAll(bytes))).toEqual(normalizeFrame(frame));
      }),
      { numRuns: 500 },
    );
  });

  it('every truncation of an encoded frame with fixed length throws FRAME_ENCODING_ERROR', () => {
    fc.assert(
      fc.property(anyFrame(), fc.nat(), (frame, cut) => {
        if (frame.type === FrameType.PADDING) return; // a shorter run of PADDING is valid
        const bytes = encode(frame);
        const n = cut % bytes.length; // 0 .. length-1
        if (n === 0) return;
        expectTransportError(
          () => parseFrame(new ByteReader(bytes.subarray(0, n))),
          TransportErrorCode.FRAME_ENCODING_ERROR,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes only ever produce frames or TransportError, and always make progress', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = new ByteReader(bytes);
        let frames = 0;
        try {
          while (!r.done) {
            const before = r.pos;
            parseFrame(r);
            expect(r.pos).toBeGreaterThan(before);
            frames++;
          }
        } catch (e) {
          expect(e).toBeInstanceOf(TransportError);
          expect([TransportErrorCode.FRAME_ENCODING_ERROR, TransportErrorCode.PROTOCOL_VIOLATION]).toContain(
            (e as TransportError).code,
          );
        }
        expect(frames).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('single-byte mutations of valid frames never throw anything but TransportError', () => {
    fc.assert(
      fc.property(anyFrame(), fc.nat(), fc.integer({ min: 0, max: 255 }), (frame, at, value) => {
        const bytes = encode(frame).slice();
        bytes[at % bytes.length] = value;
        const r = new ByteReader(bytes);
        try {
          while (!r.done) parseFrame(r);
        } catch (e) {
          expect(e).toBeInstanceOf(TransportError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ACK frame details', () => {
  it('stores at most maxRanges ranges but validates all of them', () => {
    // Largest 100, first range 0, then 5 ranges of (gap 0, length 0): 100, 98, 96, 94, 92, 90.
    const bytes = hex('02 4064 00 05 00 0000 0000 0000 0000 0000');
    const f = parseAckFrame(new ByteReader(bytes, 1), FrameType.ACK, undefined, 3);
    expect(f.rangeCount).toBe(3);
    expect(f.ranges.slice(0, 6)).toEqual([100, 100, 98, 98, 96, 96]);
    const bad = hex('02 04 00 05 00 0000 0000 0000 0000 0000'); // 4, 2, 0, then negative
    expectTransportError(
      () => parseAckFrame(new ByteReader(bad, 1), FrameType.ACK, undefined, 2),
      TransportErrorCode.FRAME_ENCODING_ERROR,
      FrameType.ACK,
    );
  });

  it('validates ranges exactly when the largest acknowledged exceeds 2^53', () => {
    // Largest 2^62-1, first range 2^62-1: smallest 0, valid. Then a gap of 0 makes it negative.
    const ok = hex('02 ffffffffffffffff 00 00 ffffffffffffffff');
    expect(() => parseFrame(new ByteReader(ok))).not.toThrow();
    const bad = hex('02 ffffffffffffffff 00 01 ffffffffffffffff 00 00');
    expectTransportError(() => parseFrame(new ByteReader(bad)), TransportErrorCode.FRAME_ENCODING_ERROR, FrameType.ACK);
    // Largest 2^60, first range 2^60 + 1: below zero only by exact arithmetic.
    const off = hex('02 d000000000000000 00 00 d000000000000001');
    expectTransportError(() => parseFrame(new ByteReader(off)), TransportErrorCode.FRAME_ENCODING_ERROR, FrameType.ACK);
  });

  it('refuses to encode overlapping or unordered ranges', () => {
    const bad: Frame = { type: FrameType.ACK, ackDelay: 0, rangeCount: 2, ranges: [10, 5, 4, 1], ecn: null };
    expect(() => encode(bad)).toThrow(RangeError);
  });

  it('decodes the ACK Delay with the ack_delay_exponent (RFC 9000 §19.3)', () => {
    expect(ackDelayMicros(100, 3)).toBe(800);
    expect(ackDelayField(801, 3)).toBe(100);
    expect(ackDelayField(-5, 3)).toBe(0);
  });
});

describe('STREAM frame details', () => {
  it('overhead plus data length equals the encoded length', () => {
    const frame = {
      type: FrameType.STREAM,
      streamId: 77,
      offset: 70000,
      fin: true,
      data: new Uint8Array(1000),
    } as const;
    const w = new ByteWriter(new Uint8Array(2000));
    encodeStreamFrame(w, frame);
    expect(w.pos).toBe(streamFrameOverhead(77, 70000, 1000) + 1000);
  });

  it('returns a view of the payload, not a copy', () => {
    const bytes = hex('0b01026869');
    const f = parseStreamFrame(new ByteReader(bytes, 1), 0x0b);
    expect(f.data.buffer).toBe(bytes.buffer);
    expect(f.data.byteOffset).toBe(3);
  });
});
