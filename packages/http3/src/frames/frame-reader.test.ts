import { ByteReader } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H3Error, H3ErrorCode } from '../errors.js';
import { encodeFrame, parseFramePayload, readFrame } from './frame-codec.js';
import { FrameReadEvent, FrameReader, PayloadMode } from './frame-reader.js';
import { H3FrameType } from './frame-types.js';
import { arbitraryFrame, normFrame as norm } from './test-support/arbitraries.js';

type Outcome = { frames: unknown[]; error?: number };

/** One-shot parse of a whole stream. */
function oneShot(bytes: Uint8Array): Outcome {
  const frames: unknown[] = [];
  const r = new ByteReader(bytes);
  try {
    while (r.remaining > 0) frames.push(norm(readFrame(r)));
  } catch (e) {
    if (!(e instanceof H3Error)) throw e;
    return { frames, error: e.code };
  }
  return { frames };
}

/** Incremental parse of the same stream delivered as `chunks`, then FIN. */
function incremental(chunks: Uint8Array[]): Outcome {
  const frames: unknown[] = [];
  const reader = new FrameReader();
  let data: Uint8Array[] = [];
  try {
    for (const chunk of chunks) {
      reader.push(chunk);
      for (;;) {
        const ev = reader.poll();
        if (ev === FrameReadEvent.NEED_MORE) break;
        if (ev === FrameReadEvent.HEADER) {
          if (reader.frameType === H3FrameType.DATA) {
            data = [];
            reader.accept(PayloadMode.STREAM);
          } else if (reader.frameLength > 1 << 20) {
            // a real caller bounds what it buffers; such a frame cannot complete in these small inputs anyway
            reader.accept(PayloadMode.SKIP);
          } else {
            reader.accept(PayloadMode.BUFFER);
          }
        } else if (ev === FrameReadEvent.DATA) {
          expect(reader.view.length).toBeGreaterThan(0);
          data.push(reader.view);
        } else if (ev === FrameReadEvent.END) {
          if (reader.frameType === H3FrameType.DATA) frames.push(norm({ type: 'data', payload: Buffer.concat(data) }));
        } else if (ev === FrameReadEvent.PAYLOAD) {
          frames.push(norm(parseFramePayload(reader.frameType, reader.view)));
        }
      }
    }
    if (!reader.atFrameBoundary) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'truncated');
  } catch (e) {
    if (!(e instanceof H3Error)) throw e;
    return { frames, error: e.code };
  }
  return { frames };
}

/** Splits `bytes` at the given cut points (sorted, deduplicated, within range). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('FrameReader', () => {
  it('random chunking of valid frame sequences equals one-shot parsing', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFrame, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const expected = oneShot(bytes);
        expect(expected.error).toBeUndefined();
        expect(incremental(split(bytes, cuts))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('byte-by-byte delivery equals one-shot parsing', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFrame, { maxLength: 4 }), (frames) => {
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const chunks = [...bytes].map((b) => Uint8Array.of(b));
        expect(incremental(chunks)).toEqual(oneShot(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes, randomly chunked, give the same frames or the same H3 error as one-shot parsing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        expect(incremental(split(bytes, cuts))).toEqual(oneShot(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('streams DATA payloads as views of the input chunks (no copy)', () => {
    const chunk = Uint8Array.from([0x00, 0x04, 1, 2, 3, 4]);
    const r = new FrameReader();
    r.push(chunk);
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    r.accept(PayloadMode.STREAM);
    expect(r.poll()).toBe(FrameReadEvent.DATA);
    expect(r.view.buffer).toBe(chunk.buffer);
    expect([...r.view]).toEqual([1, 2, 3, 4]);
    expect(r.poll()).toBe(FrameReadEvent.END);
    expect(r.poll()).toBe(FrameReadEvent.NEED_MORE);
    expect(r.atFrameBoundary).toBe(true);
  });

  it('hands out a buffered payload that fits one chunk as a view, and copies one split across chunks', () => {
    const r = new FrameReader();
    const whole = Uint8Array.from([0x07, 0x01, 0x08]);
    r.push(whole);
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    r.accept(PayloadMode.BUFFER);
    expect(r.poll()).toBe(FrameReadEvent.PAYLOAD);
    expect(r.view.buffer).toBe(whole.buffer);
    r.push(Uint8Array.from([0x07, 0x02, 0x40]));
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    r.accept(PayloadMode.BUFFER);
    expect(r.poll()).toBe(FrameReadEvent.NEED_MORE);
    expect(r.atFrameBoundary).toBe(false);
    r.push(Uint8Array.from([0x08]));
    expect(r.poll()).toBe(FrameReadEvent.PAYLOAD);
    expect([...r.view]).toEqual([0x40, 0x08]);
  });

  it('skips payloads it is told to skip, across chunks', () => {
    const r = new FrameReader();
    r.push(Uint8Array.from([0x21, 0x05, 1, 2]));
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    r.accept(PayloadMode.SKIP);
    expect(r.poll()).toBe(FrameReadEvent.NEED_MORE);
    r.push(Uint8Array.from([3, 4, 5, 0x00, 0x00]));
    expect(r.poll()).toBe(FrameReadEvent.END);
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    expect(r.frameType).toBe(0);
    expect(r.frameLength).toBe(0);
  });

  it('reads stream-header varints split across chunks', () => {
    const r = new FrameReader();
    r.push(Uint8Array.from([0x80, 0x0f]));
    expect(r.readVarint()).toBe(-1);
    expect(r.atFrameBoundary).toBe(false);
    r.push(Uint8Array.from([0x07, 0x00, 0x25]));
    expect(r.readVarint()).toBe(0xf0700);
    expect(r.readVarint()).toBe(0x25);
    expect(r.atFrameBoundary).toBe(true);
  });

  it('refuses a new chunk before the previous one is consumed, and polling without accept()', () => {
    const r = new FrameReader();
    r.push(Uint8Array.from([0x00, 0x01, 0xff]));
    expect(() => r.push(Uint8Array.of(1))).toThrow();
    expect(r.poll()).toBe(FrameReadEvent.HEADER);
    expect(() => r.poll()).toThrow();
  });
});
