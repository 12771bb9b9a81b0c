import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { NewTokenFrame } from './frame.js';
import { frameEncodingError, toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

const EMPTY = new Uint8Array(0);

/**
 * Parses a NEW_TOKEN body (RFC 9000 §19.7): Token Length (i), Token. `token` is a view.
 * RFC 9000 §19.7: an empty token MUST be treated as FRAME_ENCODING_ERROR.
 */
export function parseNewTokenFrame(
  r: ByteReader,
  out: NewTokenFrame = { type: FrameType.NEW_TOKEN, token: EMPTY },
): NewTokenFrame {
  try {
    const length = r.varint();
    if (length === 0) throw frameEncodingError(FrameType.NEW_TOKEN, 'empty NEW_TOKEN token');
    out.token = r.bytes(length);
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.NEW_TOKEN);
  }
}

/** Writes a NEW_TOKEN frame, type included. */
export function encodeNewTokenFrame(w: ByteWriter, frame: NewTokenFrame): void {
  if (frame.token.length === 0) throw new RangeError('a NEW_TOKEN token must not be empty');
  w.u8(FrameType.NEW_TOKEN).varint(frame.token.length).bytes(frame.token);
}

/** Bytes encodeNewTokenFrame writes. */
export function encodedLengthNewTokenFrame(frame: NewTokenFrame): number {
  return 1 + varintLength(frame.token.length) + frame.token.length;
}
