import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type {
  DataBlockedFrame,
  MaxDataFrame,
  MaxStreamDataFrame,
  MaxStreamsFrame,
  StreamDataBlockedFrame,
  StreamsBlockedFrame,
} from './frame.js';
import { exceedsStreamCountLimit, frameEncodingError, toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

// Flow-control frames: MAX_DATA (RFC 9000 §19.9), MAX_STREAM_DATA (§19.10), MAX_STREAMS (§19.11),
// DATA_BLOCKED (§19.12), STREAM_DATA_BLOCKED (§19.13), STREAMS_BLOCKED (§19.14).

/** Parses a MAX_DATA body: Maximum Data (i). */
export function parseMaxDataFrame(
  r: ByteReader,
  out: MaxDataFrame = { type: FrameType.MAX_DATA, maximumData: 0 },
): MaxDataFrame {
  try {
    out.maximumData = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.MAX_DATA);
  }
}

/** Writes a MAX_DATA frame, type included. */
export function encodeMaxDataFrame(w: ByteWriter, frame: MaxDataFrame): void {
  w.u8(FrameType.MAX_DATA).varint(frame.maximumData);
}

/** Bytes encodeMaxDataFrame writes. */
export function encodedLengthMaxDataFrame(frame: MaxDataFrame): number {
  return 1 + varintLength(frame.maximumData);
}

/** Parses a MAX_STREAM_DATA body: Stream ID (i), Maximum Stream Data (i). */
export function parseMaxStreamDataFrame(
  r: ByteReader,
  out: MaxStreamDataFrame = { type: FrameType.MAX_STREAM_DATA, streamId: 0, maximumStreamData: 0 },
): MaxStreamDataFrame {
  try {
    out.streamId = r.varint();
    out.maximumStreamData = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.MAX_STREAM_DATA);
  }
}

/** Writes a MAX_STREAM_DATA frame, type included. */
export function encodeMaxStreamDataFrame(w: ByteWriter, frame: MaxStreamDataFrame): void {
  w.u8(FrameType.MAX_STREAM_DATA).varint(frame.streamId).varint(frame.maximumStreamData);
}

/** Bytes encodeMaxStreamDataFrame writes. */
export function encodedLengthMaxStreamDataFrame(frame: MaxStreamDataFrame): number {
  return 1 + varintLength(frame.streamId) + varintLength(frame.maximumStreamData);
}

function readStreamCount(r: ByteReader, type: number, what: string): number {
  const pos = r.pos;
  const v = r.varint();
  // RFC 9000 §19.11 / §19.14: a count above 2^60 would allow stream IDs past 2^62-1.
  if (exceedsStreamCountLimit(r.buf, pos, r.end, v))
    throw frameEncodingError(type, `${what} Maximum Streams exceeds 2^60`);
  return v;
}

/**
 * Parses a MAX_STREAMS body; `type` is 0x12 (bidirectional) or 0x13 (unidirectional).
 * RFC 9000 §19.11: a value above 2^60 MUST be treated as FRAME_ENCODING_ERROR.
 */
export function parseMaxStreamsFrame(
  r: ByteReader,
  type: number,
  out: MaxStreamsFrame = { type: FrameType.MAX_STREAMS, bidirectional: true, maximumStreams: 0 },
): MaxStreamsFrame {
  try {
    out.maximumStreams = readStreamCount(r, type, 'MAX_STREAMS');
    out.bidirectional = type === FrameType.MAX_STREAMS;
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

function checkStreamCount(n: number): void {
  if (n > 2 ** 60) throw new RangeError(`stream count ${n} exceeds 2^60`);
}

/** Writes a MAX_STREAMS frame, type included. */
export function encodeMaxStreamsFrame(w: ByteWriter, frame: MaxStreamsFrame): void {
  checkStreamCount(frame.maximumStreams);
  w.u8(frame.bidirectional ? FrameType.MAX_STREAMS : FrameType.MAX_STREAMS_UNI).varint(frame.maximumStreams);
}

/** Bytes encodeMaxStreamsFrame writes. */
export function encodedLengthMaxStreamsFrame(frame: MaxStreamsFrame): number {
  return 1 + varintLength(frame.maximumStreams);
}

/** Parses a DATA_BLOCKED body: Maximum Data (i). */
export function parseDataBlockedFrame(
  r: ByteReader,
  out: DataBlockedFrame = { type: FrameType.DATA_BLOCKED, maximumData: 0 },
): DataBlockedFrame {
  try {
    out.maximumData = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.DATA_BLOCKED);
  }
}

/** Writes a DATA_BLOCKED frame, type included. */
export function encodeDataBlockedFrame(w: ByteWriter, frame: DataBlockedFrame): void {
  w.u8(FrameType.DATA_BLOCKED).varint(frame.maximumData);
}

/** Bytes encodeDataBlockedFrame writes. */
export function encodedLengthDataBlockedFrame(frame: DataBlockedFrame): number {
  return 1 + varintLength(frame.maximumData);
}

/** Parses a STREAM_DATA_BLOCKED body: Stream ID (i), Maximum Stream Data (i). */
export function parseStreamDataBlockedFrame(
  r: ByteReader,
  out: StreamDataBlockedFrame = { type: FrameType.STREAM_DATA_BLOCKED, streamId: 0, maximumStreamData: 0 },
): StreamDataBlockedFrame {
  try {
    out.streamId = r.varint();
    out.maximumStreamData = r.varint();
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.STREAM_DATA_BLOCKED);
  }
}

/** Writes a STREAM_DATA_BLOCKED frame, type included. */
export function encodeStreamDataBlockedFrame(w: ByteWriter, frame: StreamDataBlockedFrame): void {
  w.u8(FrameType.STREAM_DATA_BLOCKED).varint(frame.streamId).varint(frame.maximumStreamData);
}

/** Bytes encodeStreamDataBlockedFrame writes. */
export function encodedLengthStreamDataBlockedFrame(frame: StreamDataBlockedFrame): number {
  return 1 + varintLength(frame.streamId) + varintLength(frame.maximumStreamData);
}

/**
 * Parses a STREAMS_BLOCKED body; `type` is 0x16 (bidirectional) or 0x17 (unidirectional).
 * RFC 9000 §19.14: a value above 2^60 is STREAM_LIMIT_ERROR or FRAME_ENCODING_ERROR; we use the latter.
 */
export function parseStreamsBlockedFrame(
  r: ByteReader,
  type: number,
  out: StreamsBlockedFrame = { type: FrameType.STREAMS_BLOCKED, bidirectional: true, maximumStreams: 0 },
): StreamsBlockedFrame {
  try {
    out.maximumStreams = readStreamCount(r, type, 'STREAMS_BLOCKED');
    out.bidirectional = type === FrameType.STREAMS_BLOCKED;
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

/** Writes a STREAMS_BLOCKED frame, type included. */
export function encodeStreamsBlockedFrame(w: ByteWriter, frame: StreamsBlockedFrame): void {
  checkStreamCount(frame.maximumStreams);
  w.u8(frame.bidirectional ? FrameType.STREAMS_BLOCKED : FrameType.STREAMS_BLOCKED_UNI).varint(frame.maximumStreams);
}

/** Bytes encodeStreamsBlockedFrame writes. */
export function encodedLengthStreamsBlockedFrame(frame: StreamsBlockedFrame): number {
  return 1 + varintLength(frame.maximumStreams);
}
