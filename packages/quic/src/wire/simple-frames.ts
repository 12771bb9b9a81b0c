import type { ByteReader, ByteWriter } from '@fos/core';
import type { HandshakeDoneFrame, PaddingFrame, PingFrame } from './frame.js';
import { FrameType } from './frame-type.js';

// Frames without fields: PADDING (RFC 9000 §19.1), PING (§19.2), HANDSHAKE_DONE (§19.20).
// As for every parseX in this folder, the frame type has already been read from `r`.

/**
 * Parses a run of PADDING frames: the type byte already read counts as one, and every following 0x00 byte is
 * folded into the same frame, so a packet padded to 1200 bytes yields one object, not a thousand.
 */
export function parsePaddingFrame(
  r: ByteReader,
  out: PaddingFrame = { type: FrameType.PADDING, length: 0 },
): PaddingFrame {
  const b = r.buf;
  const end = r.end;
  let p = r.pos;
  while (p < end && b[p] === 0) p++;
  out.length = 1 + p - r.pos;
  r.pos = p;
  return out;
}

/** Writes `frame.length` PADDING frames (zero bytes). */
export function encodePaddingFrame(w: ByteWriter, frame: PaddingFrame): void {
  if (frame.length < 1) throw new RangeError('a PADDING frame is at least one byte');
  w.fill(0, frame.length);
}

/** Bytes encodePaddingFrame writes. */
export function encodedLengthPaddingFrame(frame: PaddingFrame): number {
  return frame.length;
}

const PING: PingFrame = Object.freeze({ type: FrameType.PING });
const HANDSHAKE_DONE: HandshakeDoneFrame = Object.freeze({ type: FrameType.HANDSHAKE_DONE });

/** PING has no fields; returns a shared frozen object. */
export function parsePingFrame(_r: ByteReader): PingFrame {
  return PING;
}

/** Writes a PING frame, type included. */
export function encodePingFrame(w: ByteWriter, _frame?: PingFrame): void {
  w.u8(FrameType.PING);
}

/** Bytes encodePingFrame writes. */
export function encodedLengthPingFrame(_frame?: PingFrame): number {
  return 1;
}

/** HANDSHAKE_DONE has no fields; returns a shared frozen object. */
export function parseHandshakeDoneFrame(_r: ByteReader): HandshakeDoneFrame {
  return HANDSHAKE_DONE;
}

/** Writes a HANDSHAKE_DONE frame, type included. */
export function encodeHandshakeDoneFrame(w: ByteWriter, _frame?: HandshakeDoneFrame): void {
  w.u8(FrameType.HANDSHAKE_DONE);
}

/** Bytes encodeHandshakeDoneFrame writes. */
export function encodedLengthHandshakeDoneFrame(_frame?: HandshakeDoneFrame): number {
  return 1;
}
