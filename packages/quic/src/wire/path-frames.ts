import type { ByteReader, ByteWriter } from '@fos/core';
import type { PathChallengeFrame, PathResponseFrame } from './frame.js';
import { toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

// PATH_CHALLENGE (RFC 9000 §19.17) and PATH_RESPONSE (§19.18): a Type and 8 bytes of Data.

/** Length of the Data field of PATH_CHALLENGE and PATH_RESPONSE. */
export const PATH_DATA_LENGTH = 8;

const EMPTY = new Uint8Array(0);

/** Parses a PATH_CHALLENGE body: Data (64), a view. */
export function parsePathChallengeFrame(
  r: ByteReader,
  out: PathChallengeFrame = { type: FrameType.PATH_CHALLENGE, data: EMPTY },
): PathChallengeFrame {
  try {
    out.data = r.bytes(PATH_DATA_LENGTH);
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.PATH_CHALLENGE);
  }
}

/** Parses a PATH_RESPONSE body: Data (64), a view. */
export function parsePathResponseFrame(
  r: ByteReader,
  out: PathResponseFrame = { type: FrameType.PATH_RESPONSE, data: EMPTY },
): PathResponseFrame {
  try {
    out.data = r.bytes(PATH_DATA_LENGTH);
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.PATH_RESPONSE);
  }
}

function checkData(data: Uint8Array): void {
  if (data.length !== PATH_DATA_LENGTH) throw new RangeError(`path data of ${data.length} bytes (needs 8)`);
}

/** Writes a PATH_CHALLENGE frame, type included. */
export function encodePathChallengeFrame(w: ByteWriter, frame: PathChallengeFrame): void {
  checkData(frame.data);
  w.u8(FrameType.PATH_CHALLENGE).bytes(frame.data);
}

/** Writes a PATH_RESPONSE frame, type included. */
export function encodePathResponseFrame(w: ByteWriter, frame: PathResponseFrame): void {
  checkData(frame.data);
  w.u8(FrameType.PATH_RESPONSE).bytes(frame.data);
}

/** Bytes encodePathChallengeFrame writes. */
export function encodedLengthPathChallengeFrame(_frame?: PathChallengeFrame): number {
  return 1 + PATH_DATA_LENGTH;
}

/** Bytes encodePathResponseFrame writes. */
export function encodedLengthPathResponseFrame(_frame?: PathResponseFrame): number {
  return 1 + PATH_DATA_LENGTH;
}
