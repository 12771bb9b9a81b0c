import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { NewConnectionIdFrame, RetireConnectionIdFrame } from './frame.js';
import { frameEncodingError, toFrameError, varintGreater } from './frame-error.js';
import { FrameType } from './frame-type.js';
import { MAX_CID_LENGTH } from './versions.js';

/** Length of a stateless reset token (RFC 9000 §10.3, §19.15). */
export const STATELESS_RESET_TOKEN_LENGTH = 16;

const EMPTY = new Uint8Array(0);

/**
 * Parses a NEW_CONNECTION_ID body (RFC 9000 §19.15): Sequence Number (i), Retire Prior To (i), Length (8),
 * Connection ID (8..160), Stateless Reset Token (128). CID and token are views.
 * FRAME_ENCODING_ERROR for a Length outside 1..20, for Retire Prior To > Sequence Number, or on truncation.
 */
export function parseNewConnectionIdFrame(
  r: ByteReader,
  out: NewConnectionIdFrame = {
    type: FrameType.NEW_CONNECTION_ID,
    sequenceNumber: 0,
    retirePriorTo: 0,
    connectionId: EMPTY,
    statelessResetToken: EMPTY,
  },
): NewConnectionIdFrame {
  const type = FrameType.NEW_CONNECTION_ID;
  try {
    const seqPos = r.pos;
    const sequenceNumber = r.varint();
    const rptPos = r.pos;
    const retirePriorTo = r.varint();
    if (varintGreater(r.buf, r.end, rptPos, retirePriorTo, seqPos, sequenceNumber)) {
      throw frameEncodingError(type, 'NEW_CONNECTION_ID Retire Prior To exceeds Sequence Number');
    }
    const length = r.u8();
    if (length < 1 || length > MAX_CID_LENGTH) {
      throw frameEncodingError(type, `NEW_CONNECTION_ID connection ID length ${length}`);
    }
    out.connectionId = r.bytes(length);
    out.statelessResetToken = r.bytes(STATELESS_RESET_TOKEN_LENGTH);
    out.sequenceNumber = sequenceNumber;
    out.retirePriorTo = retirePriorTo;
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

/** Writes a NEW_CONNECTION_ID frame, type included. */
export function encodeNewConnectionIdFrame(w: ByteWriter, frame: NewConnectionIdFrame): void {
  const cid = frame.connectionId;
  if (cid.length < 1 || cid.length > MAX_CID_LENGTH) throw new RangeError(`connection ID length ${cid.length}`);
  if (frame.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('reset token length');
  if (frame.retirePriorTo > frame.sequenceNumber) throw new RangeError('Retire Prior To exceeds Sequence Number');
  w.u8(FrameType.NEW_CONNECTION_ID).varint(frame.sequenceNumber).varint(frame.retirePriorTo);
  w.u8(cid.length).bytes(cid).bytes(frame.statelessResetToken);
}

/** Bytes encodeNewConnectionIdFrame writes. */
export function encodedLengthNewConnectionIdFrame(frame: NewConnectionIdFrame): number {
  return (
    1 +
    varintLength(frame.sequenceNumber) +
    varintLength(frame.retirePriorTo) +
    1 +
    frame.connectionId.length +
    STATELESS_RESET_TOKEN_LENGTH
  );
}

/** Parses a RETIRE_CONNECTION_ID body (RFC 9000 §19.16): Sequence Number (i). */
export function parseRetireConnectionIdFrame(
  r: ByteReader,
  out: RetireConnectionIdFrame = { type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: 0 },
): RetireConnectionIdFrame {
  try {
    out.sequenceNumber = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.RETIRE_CONNECTION_ID);
  }
}

/** Writes a RETIRE_CONNECTION_ID frame, type included. */
export function encodeRetireConnectionIdFrame(w: ByteWriter, frame: RetireConnectionIdFrame): void {
  w.u8(FrameType.RETIRE_CONNECTION_ID).varint(frame.sequenceNumber);
}

/** Bytes encodeRetireConnectionIdFrame writes. */
export function encodedLengthRetireConnectionIdFrame(frame: RetireConnectionIdFrame): number {
  return 1 + varintLength(frame.sequenceNumber);
}
