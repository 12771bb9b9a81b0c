import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { ResetStreamFrame, StopSendingFrame } from './frame.js';
import { toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

// RESET_STREAM (RFC 9000 §19.4) and STOP_SENDING (§19.5): abrupt termination of one direction of a stream.

/** Parses a RESET_STREAM body: Stream ID (i), Application Protocol Error Code (i), Final Size (i). */
export function parseResetStreamFrame(
  r: ByteReader,
  out: ResetStreamFrame = { type: FrameType.RESET_STREAM, streamId: 0, applicationErrorCode: 0, finalSize: 0 },
): ResetStreamFrame {
  try {
    out.streamId = r.varint();
    out.applicationErrorCode = r.varint();
    out.finalSize = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.RESET_STREAM);
  }
}

/** Writes a RESET_STREAM frame, type included. */
export function encodeResetStreamFrame(w: ByteWriter, frame: ResetStreamFrame): void {
  w.u8(FrameType.RESET_STREAM).varint(frame.streamId).varint(frame.applicationErrorCode).varint(frame.finalSize);
}

/** Bytes encodeResetStreamFrame writes. */
export function encodedLengthResetStreamFrame(frame: ResetStreamFrame): number {
  return 1 + varintLength(frame.streamId) + varintLength(frame.applicationErrorCode) + varintLength(frame.finalSize);
}

/** Parses a STOP_SENDING body: Stream ID (i), Application Protocol Error Code (i). */
export function parseStopSendingFrame(
  r: ByteReader,
  out: StopSendingFrame = { type: FrameType.STOP_SENDING, streamId: 0, applicationErrorCode: 0 },
): StopSendingFrame {
  try {
    out.streamId = r.varint();
    out.applicationErrorCode = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.STOP_SENDING);
  }
}

/** Writes a STOP_SENDING frame, type included. */
export function encodeStopSendingFrame(w: ByteWriter, frame: StopSendingFrame): void {
  w.u8(FrameType.STOP_SENDING).varint(frame.streamId).varint(frame.applicationErrorCode);
}

/** Bytes encodeStopSendingFrame writes. */
export function encodedLengthStopSendingFrame(frame: StopSendingFrame): number {
  return 1 + varintLength(frame.streamId) + varintLength(frame.applicationErrorCode);
}
