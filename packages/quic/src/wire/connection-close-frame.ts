import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { ConnectionCloseFrame } from './frame.js';
import { toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

const EMPTY = new Uint8Array(0);

/**
 * Parses a CONNECTION_CLOSE body (RFC 9000 §19.19); `type` is 0x1c (Error Code, Frame Type, Reason Phrase Length,
 * Reason Phrase) or 0x1d (no Frame Type). The reason is a view of raw bytes; decode it (UTF-8) only for display.
 */
export function parseConnectionCloseFrame(
  r: ByteReader,
  type: number,
  out: ConnectionCloseFrame = {
    type: FrameType.CONNECTION_CLOSE,
    isApplication: false,
    errorCode: 0,
    frameType: 0,
    reason: EMPTY,
  },
): ConnectionCloseFrame {
  try {
    const isApplication = type === FrameType.CONNECTION_CLOSE_APP;
    out.errorCode = r.varint();
    out.frameType = isApplication ? 0 : r.varint();
    out.reason = r.bytes(r.varint());
    out.isApplication = isApplication;
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

/** Writes CONNECTION_CLOSE of type 0x1d when `frame.isApplication`, else 0x1c with the Frame Type field. */
export function encodeConnectionCloseFrame(w: ByteWriter, frame: ConnectionCloseFrame): void {
  w.u8(frame.isApplication ? FrameType.CONNECTION_CLOSE_APP : FrameType.CONNECTION_CLOSE).varint(frame.errorCode);
  if (!frame.isApplication) w.varint(frame.frameType);
  w.varint(frame.reason.length).bytes(frame.reason);
}

/** Bytes encodeConnectionCloseFrame writes. */
export function encodedLengthConnectionCloseFrame(frame: ConnectionCloseFrame): number {
  return (
    1 +
    varintLength(frame.errorCode) +
    (frame.isApplication ? 0 : varintLength(frame.frameType)) +
    varintLength(frame.reason.length) +
    frame.reason.length
  );
}
