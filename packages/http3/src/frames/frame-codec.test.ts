import { ByteReader, ByteWriter } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../test/fixtures/h3-frames.json' with { type: 'json' };
import { H3Error, H3ErrorCode } from '../errors.js';
import {
  encodedFrameLength,
  encodeFrame,
  type H3Frame,
  parseFramePayload,
  parseSettingsPayload,
  readFrame,
  writeFrame,
} from './frame-codec.js';
import { H3FrameType } from './frame-types.js';
import { arbitraryFrame, normFrame as norm } from './test-support/arbitraries.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The fixture's JSON description of a frame as an H3Frame. */
function frameFromJson(j: Record<string, unknown>): H3Frame {
  switch (j.type) {
    case 'data':
      return { type: 'data', payload: hex(j.payload as string) };
    case 'headers':
      return { type: 'headers', fieldSection: hex(j.fieldSection as string) };
    case 'push-promise':
      return { type: 'push-promise', pushId: j.pushId as number, fieldSection: hex(j.fieldSection as string) };
    case 'unknown':
      return { type: 'unknown', frameType: j.frameType as number, payload: hex(j.payload as string) };
    case 'settings':
      return { type: 'settings', entries: j.entries as [number, number][] };
    default:
      return j as unknown as H3Frame;
  }
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof H3Error) return e.code;
    throw e;
  }
  return undefined;
}

describe('frame codec: RFC vectors', () => {
  for (const v of vectors.frames) {
    it(`parses ${v.name} (${v.section})`, () => {
      const r = new ByteReader(hex(v.hex));
      const frame = readFrame(r);
      expect(r.remaining).toBe(0);
      expect(norm(frame)).toEqual(norm(frameFromJson(v.frame)));
    });
    if (!('oneWay' in v)) {
      it(`encodes ${v.name}`, () => {
        const frame = frameFromJson(v.frame);
        expect(toHex(encodeFrame(frame))).toBe(v.hex);
        expect(encodedFrameLength(frame)).toBe(v.hex.length / 2);
      });
    }
  }

  for (const v of vectors.errors) {
    it(`rejects ${v.name} with 0x${v.code.toString(16)} (${v.section})`, () => {
      expect(codeOf(() => readFrame(new ByteReader(hex(v.hex))))).toBe(v.code);
    });
  }
});

describe('frame codec: truncation', () => {
  for (const v of vectors.frames) {
    it(`every truncation of ${v.name} is H3_FRAME_ERROR and leaves the reader where it was`, () => {
      const bytes = hex(v.hex);
      for (let n = 0; n < bytes.length; n++) {
        const r = new ByteReader(bytes, 0, n);
        expect(codeOf(() => readFrame(r))).toBe(H3ErrorCode.H3_FRAME_ERROR);
        expect(r.pos).toBe(0);
      }
    });
  }

  it('every truncation of a single-varint payload is H3_FRAME_ERROR', () => {
    for (const type of [H3FrameType.CANCEL_PUSH, H3FrameType.GOAWAY, H3FrameType.MAX_PUSH_ID]) {
      const full = hex('c000000000000005');
      for (let n = 0; n < full.length; n++) {
        expect(codeOf(() => parseFramePayload(type, full.subarray(0, n)))).toBe(H3ErrorCode.H3_FRAME_ERROR);
      }
      expect(parseFramePayload(type, full)).toMatchObject({
        ...(type === H3FrameType.GOAWAY ? { id: 5 } : { pushId: 5 }),
      });
    }
  });

  it('every truncation of a SETTINGS payload inside a pair is H3_FRAME_ERROR', () => {
    const payload = hex('01500006800100000710');
    const boundaries = new Set([0, 3, 8, 10]);
    for (let n = 0; n <= payload.length; n++) {
      const code = codeOf(() => parseSettingsPayload(payload.subarray(0, n)));
      expect(code).toBe(boundaries.has(n) ? undefined : H3ErrorCode.H3_FRAME_ERROR);
    }
  });
});

describe('frame codec: properties', () => {
  it('encode → parse round-trips', () => {
    fc.assert(
      fc.property(arbitraryFrame, (frame) => {
        const encoded = encodeFrame(frame);
        expect(encoded.length).toBe(encodedFrameLength(frame));
        const r = new ByteReader(encoded);
        expect(norm(readFrame(r))).toEqual(norm(frame));
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('writeFrame into a too-small buffer throws before writing anything', () => {
    fc.assert(
      fc.property(arbitraryFrame, fc.nat(), (frame, k) => {
        const n = encodedFrameLength(frame);
        const room = n === 0 ? 0 : k % n;
        const buf = new Uint8Array(room);
        const w = new ByteWriter(buf);
        expect(() => writeFrame(w, frame)).toThrow();
        expect(w.pos).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes parse as frames or fail with an H3 error code, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (input) => {
        const r = new ByteReader(input);
        try {
          while (r.remaining > 0) readFrame(r);
        } catch (e) {
          expect(e).toBeInstanceOf(H3Error);
          expect([H3ErrorCode.H3_FRAME_ERROR, H3ErrorCode.H3_FRAME_UNEXPECTED]).toContain((e as H3Error).code);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to send reserved HTTP/2 frame types and non-ASCII priority values', () => {
    expect(() => encodeFrame({ type: 'unknown', frameType: 0x06, payload: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeFrame({ type: 'priority-update', push: false, elementId: 0, priority: 'u=1, é' })).toThrow(
      RangeError,
    );
  });
});
