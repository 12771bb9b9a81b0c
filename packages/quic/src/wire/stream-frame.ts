import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { StreamFrame } from './frame.js';
import { exceedsOffsetLimit, frameEncodingError, toFrameError } from './frame-error.js';
import { FrameType, StreamFrameBits } from './frame-type.js';

const EMPTY = new Uint8Array(0);

/**
 * Parses a STREAM body (RFC 9000 §19.8); `type` (0x08-0x0f) is the frame type already read and gives the OFF, LEN
 * and FIN bits. Without LEN the data runs to the end of the reader (the packet payload). `data` is a view.
 * FRAME_ENCODING_ERROR when offset + length exceeds 2^62 - 1 (§19.8) or on truncation.
 */
export function parseStreamFrame(
  r: ByteReader,
  type: number,
  out: StreamFrame = { type: FrameType.STREAM, streamId: 0, offset: 0, fin: false, data: EMPTY },
): StreamFrame {
  try {
    out.streamId = r.varint();
    let offsetPos = -1;
    let offset = 0;
    if ((type & StreamFrameBits.OFF) !== 0) {
      offsetPos = r.pos;
      offset = r.varint();
    }
    const data = (type & StreamFrameBits.LEN) !== 0 ? r.bytes(r.varint()) : r.rest();
    if (exceedsOffsetLimit(r.buf, offsetPos, r.end, offset, data.length)) {
      throw frameEncodingError(type, 'STREAM offset + length exceeds 2^62-1');
    }
    out.offset = offset;
    out.data = data;
    out.fin = (type & StreamFrameBits.FIN) !== 0;
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

/** The wire type (0x08-0x0f) {@link encodeStreamFrame} uses for `frame`. */
export function streamFrameType(frame: StreamFrame, withLength: boolean): number {
  return (
    FrameType.STREAM |
    (frame.offset > 0 ? StreamFrameBits.OFF : 0) |
    (withLength ? StreamFrameBits.LEN : 0) |
    (frame.fin ? StreamFrameBits.FIN : 0)
  );
}

/**
 * Writes a STREAM frame. The OFF bit is set iff `offset > 0`. With `withLength = false` the LEN bit is clear and
 * the data runs to the end of the packet, so the frame must be the last one in the packet (RFC 9000 §19.8).
 */
export function encodeStreamFrame(w: ByteWriter, frame: StreamFrame, withLength = true): void {
  w.u8(streamFrameType(frame, withLength)).varint(frame.streamId);
  if (frame.offset > 0) w.varint(frame.offset);
  if (withLength) w.varint(frame.data.length);
  w.bytes(frame.data);
}

/** Bytes encodeStreamFrame writes. */
export function encodedLengthStreamFrame(frame: StreamFrame, withLength = true): number {
  return streamFrameOverhead(frame.streamId, frame.offset, frame.data.length, withLength) + frame.data.length;
}

/**
 * Bytes of a STREAM frame besides its data, so the packet builder can size the data that fits
 * (`room - streamFrameOverhead(...)`, recomputed if the Length varint shrinks).
 */
export function streamFrameOverhead(streamId: number, offset: number, length: number, withLength = true): number {
  return 1 + varintLength(streamId) + (offset > 0 ? varintLength(offset) : 0) + (withLength ? varintLength(length) : 0);
}
