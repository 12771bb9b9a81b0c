import { type ByteReader, type ByteWriter, TransportError, TransportErrorCode, varintLength } from '@fos/core';
import { DEFAULT_MAX_ACK_RANGES, encodeAckFrame, encodedLengthAckFrame, parseAckFrame } from './ack-frame.js';
import {
  encodeConnectionCloseFrame,
  encodedLengthConnectionCloseFrame,
  parseConnectionCloseFrame,
} from './connection-close-frame.js';
import {
  encodedLengthNewConnectionIdFrame,
  encodedLengthRetireConnectionIdFrame,
  encodeNewConnectionIdFrame,
  encodeRetireConnectionIdFrame,
  parseNewConnectionIdFrame,
  parseRetireConnectionIdFrame,
} from './connection-id-frames.js';
import { encodeCryptoFrame, encodedLengthCryptoFrame, parseCryptoFrame } from './crypto-frame.js';
import { encodeDatagramFrame, encodedLengthDatagramFrame, parseDatagramFrame } from './datagram-frame.js';
import {
  encodeDataBlockedFrame,
  encodedLengthDataBlockedFrame,
  encodedLengthMaxDataFrame,
  encodedLengthMaxStreamDataFrame,
  encodedLengthMaxStreamsFrame,
  encodedLengthStreamDataBlockedFrame,
  encodedLengthStreamsBlockedFrame,
  encodeMaxDataFrame,
  encodeMaxStreamDataFrame,
  encodeMaxStreamsFrame,
  encodeStreamDataBlockedFrame,
  encodeStreamsBlockedFrame,
  parseDataBlockedFrame,
  parseMaxDataFrame,
  parseMaxStreamDataFrame,
  parseMaxStreamsFrame,
  parseStreamDataBlockedFrame,
  parseStreamsBlockedFrame,
} from './flow-control-frames.js';
import type { Frame } from './frame.js';
import { frameEncodingError } from './frame-error.js';
import { FrameType, isKnownFrameType } from './frame-type.js';
import { encodedLengthNewTokenFrame, encodeNewTokenFrame, parseNewTokenFrame } from './new-token-frame.js';
import {
  encodedLengthPathChallengeFrame,
  encodedLengthPathResponseFrame,
  encodePathChallengeFrame,
  encodePathResponseFrame,
  parsePathChallengeFrame,
  parsePathResponseFrame,
} from './path-frames.js';
import {
  encodedLengthHandshakeDoneFrame,
  encodedLengthPaddingFrame,
  encodedLengthPingFrame,
  encodeHandshakeDoneFrame,
  encodePaddingFrame,
  encodePingFrame,
  parseHandshakeDoneFrame,
  parsePaddingFrame,
  parsePingFrame,
} from './simple-frames.js';
import {
  encodedLengthResetStreamFrame,
  encodedLengthStopSendingFrame,
  encodeResetStreamFrame,
  encodeStopSendingFrame,
  parseResetStreamFrame,
  parseStopSendingFrame,
} from './stream-control-frames.js';
import { encodedLengthStreamFrame, encodeStreamFrame, parseStreamFrame } from './stream-frame.js';

/**
 * Reads a Frame Type (RFC 9000 §12.4) and returns it. Throws TransportError:
 * - FRAME_ENCODING_ERROR for an unknown frame type (RFC 9000 §12.4: MUST) or a truncated type field;
 * - PROTOCOL_VIOLATION for a known type in a longer encoding than necessary (§12.4: "An endpoint MAY treat the
 *   receipt of a frame type that uses a longer encoding than necessary as a connection error of type
 *   PROTOCOL_VIOLATION"; every type we know fits in one byte, so any longer encoding of one is non-minimal).
 */
export function readFrameType(r: ByteReader): number {
  const p = r.pos;
  if (p >= r.end) throw frameEncodingError(0, 'missing frame type');
  const first = r.buf[p];
  if (first < 0x40) {
    if (!isKnownFrameType(first)) throw frameEncodingError(first, `unknown frame type 0x${first.toString(16)}`);
    r.pos = p + 1;
    return first;
  }
  const length = 1 << (first >> 6);
  if (p + length > r.end) throw frameEncodingError(0, 'truncated frame type');
  const type = r.varint();
  if (!isKnownFrameType(type)) throw frameEncodingError(type, `unknown frame type 0x${type.toString(16)}`);
  if (length > varintLength(type)) {
    throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'frame type not minimally encoded', {
      frameType: type,
    });
  }
  return type;
}

/**
 * Parses the body of a frame whose type was read by {@link readFrameType}, into a newly allocated frame (cold
 * paths and tests; the connection uses FrameReader, which reuses objects). Throws TransportError.
 */
export function parseFrameBody(r: ByteReader, type: number, maxAckRanges = DEFAULT_MAX_ACK_RANGES): Frame {
  switch (type) {
    case FrameType.PADDING:
      return parsePaddingFrame(r);
    case FrameType.PING:
      return parsePingFrame(r);
    case FrameType.ACK:
    case FrameType.ACK_ECN:
      return parseAckFrame(r, type, undefined, maxAckRanges);
    case FrameType.RESET_STREAM:
      return parseResetStreamFrame(r);
    case FrameType.STOP_SENDING:
      return parseStopSendingFrame(r);
    case FrameType.CRYPTO:
      return parseCryptoFrame(r);
    case FrameType.NEW_TOKEN:
      return parseNewTokenFrame(r);
    case 0x08:
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f:
      return parseStreamFrame(r, type);
    case FrameType.MAX_DATA:
      return parseMaxDataFrame(r);
    case FrameType.MAX_STREAM_DATA:
      return parseMaxStreamDataFrame(r);
    case FrameType.MAX_STREAMS:
    case FrameType.MAX_STREAMS_UNI:
      return parseMaxStreamsFrame(r, type);
    case FrameType.DATA_BLOCKED:
      return parseDataBlockedFrame(r);
    case FrameType.STREAM_DATA_BLOCKED:
      return parseStreamDataBlockedFrame(r);
    case FrameType.STREAMS_BLOCKED:
    case FrameType.STREAMS_BLOCKED_UNI:
      return parseStreamsBlockedFrame(r, type);
    case FrameType.NEW_CONNECTION_ID:
      return parseNewConnectionIdFrame(r);
    case FrameType.RETIRE_CONNECTION_ID:
      return parseRetireConnectionIdFrame(r);
    case FrameType.PATH_CHALLENGE:
      return parsePathChallengeFrame(r);
    case FrameType.PATH_RESPONSE:
      return parsePathResponseFrame(r);
    case FrameType.CONNECTION_CLOSE:
    case FrameType.CONNECTION_CLOSE_APP:
      return parseConnectionCloseFrame(r, type);
    case FrameType.HANDSHAKE_DONE:
      return parseHandshakeDoneFrame(r);
    case FrameType.DATAGRAM:
    case FrameType.DATAGRAM_LEN:
      return parseDatagramFrame(r, type);
    default:
      throw frameEncodingError(type, `unknown frame type 0x${type.toString(16)}`);
  }
}

/** Reads one frame (type and body) into a newly allocated frame. Throws TransportError on bad input. */
export function parseFrame(r: ByteReader, maxAckRanges = DEFAULT_MAX_ACK_RANGES): Frame {
  return parseFrameBody(r, readFrameType(r), maxAckRanges);
}

/**
 * Writes any frame. `withLength` applies to STREAM and DATAGRAM frames only: false omits their Length field,
 * which makes them run to the end of the packet (they must then be last).
 */
export function encodeFrame(w: ByteWriter, frame: Frame, withLength = true): void {
  switch (frame.type) {
    case FrameType.PADDING:
      encodePaddingFrame(w, frame);
      return;
    case FrameType.PING:
      encodePingFrame(w, frame);
      return;
    case FrameType.ACK:
      encodeAckFrame(w, frame);
      return;
    case FrameType.RESET_STREAM:
      encodeResetStreamFrame(w, frame);
      return;
    case FrameType.STOP_SENDING:
      encodeStopSendingFrame(w, frame);
      return;
    case FrameType.CRYPTO:
      encodeCryptoFrame(w, frame);
      return;
    case FrameType.NEW_TOKEN:
      encodeNewTokenFrame(w, frame);
      return;
    case FrameType.STREAM:
      encodeStreamFrame(w, frame, withLength);
      return;
    case FrameType.MAX_DATA:
      encodeMaxDataFrame(w, frame);
      return;
    case FrameType.MAX_STREAM_DATA:
      encodeMaxStreamDataFrame(w, frame);
      return;
    case FrameType.MAX_STREAMS:
      encodeMaxStreamsFrame(w, frame);
      return;
    case FrameType.DATA_BLOCKED:
      encodeDataBlockedFrame(w, frame);
      return;
    case FrameType.STREAM_DATA_BLOCKED:
      encodeStreamDataBlockedFrame(w, frame);
      return;
    case FrameType.STREAMS_BLOCKED:
      encodeStreamsBlockedFrame(w, frame);
      return;
    case FrameType.NEW_CONNECTION_ID:
      encodeNewConnectionIdFrame(w, frame);
      return;
    case FrameType.RETIRE_CONNECTION_ID:
      encodeRetireConnectionIdFrame(w, frame);
      return;
    case FrameType.PATH_CHALLENGE:
      encodePathChallengeFrame(w, frame);
      return;
    case FrameType.PATH_RESPONSE:
      encodePathResponseFrame(w, frame);
      return;
    case FrameType.CONNECTION_CLOSE:
      encodeConnectionCloseFrame(w, frame);
      return;
    case FrameType.HANDSHAKE_DONE:
      encodeHandshakeDoneFrame(w, frame);
      return;
    case FrameType.DATAGRAM:
      encodeDatagramFrame(w, frame, withLength);
      return;
  }
}

/** Bytes {@link encodeFrame} writes for `frame`. */
export function encodedLengthFrame(frame: Frame, withLength = true): number {
  switch (frame.type) {
    case FrameType.PADDING:
      return encodedLengthPaddingFrame(frame);
    case FrameType.PING:
      return encodedLengthPingFrame(frame);
    case FrameType.ACK:
      return encodedLengthAckFrame(frame);
    case FrameType.RESET_STREAM:
      return encodedLengthResetStreamFrame(frame);
    case FrameType.STOP_SENDING:
      return encodedLengthStopSendingFrame(frame);
    case FrameType.CRYPTO:
      return encodedLengthCryptoFrame(frame);
    case FrameType.NEW_TOKEN:
      return encodedLengthNewTokenFrame(frame);
    case FrameType.STREAM:
      return encodedLengthStreamFrame(frame, withLength);
    case FrameType.MAX_DATA:
      return encodedLengthMaxDataFrame(frame);
    case FrameType.MAX_STREAM_DATA:
      return encodedLengthMaxStreamDataFrame(frame);
    case FrameType.MAX_STREAMS:
      return encodedLengthMaxStreamsFrame(frame);
    case FrameType.DATA_BLOCKED:
      return encodedLengthDataBlockedFrame(frame);
    case FrameType.STREAM_DATA_BLOCKED:
      return encodedLengthStreamDataBlockedFrame(frame);
    case FrameType.STREAMS_BLOCKED:
      return encodedLengthStreamsBlockedFrame(frame);
    case FrameType.NEW_CONNECTION_ID:
      return encodedLengthNewConnectionIdFrame(frame);
    case FrameType.RETIRE_CONNECTION_ID:
      return encodedLengthRetireConnectionIdFrame(frame);
    case FrameType.PATH_CHALLENGE:
      return encodedLengthPathChallengeFrame(frame);
    case FrameType.PATH_RESPONSE:
      return encodedLengthPathResponseFrame(frame);
    case FrameType.CONNECTION_CLOSE:
      return encodedLengthConnectionCloseFrame(frame);
    case FrameType.HANDSHAKE_DONE:
      return encodedLengthHandshakeDoneFrame(frame);
    case FrameType.DATAGRAM:
      return encodedLengthDatagramFrame(frame, withLength);
  }
}

/** The wire frame type {@link encodeFrame} writes for `frame` (flags included). */
export function wireFrameType(frame: Frame, withLength = true): number {
  switch (frame.type) {
    case FrameType.ACK:
      return frame.ecn ? FrameType.ACK_ECN : FrameType.ACK;
    case FrameType.STREAM:
      return FrameType.STREAM | (frame.offset > 0 ? 4 : 0) | (withLength ? 2 : 0) | (frame.fin ? 1 : 0);
    case FrameType.MAX_STREAMS:
      return frame.bidirectional ? FrameType.MAX_STREAMS : FrameType.MAX_STREAMS_UNI;
    case FrameType.STREAMS_BLOCKED:
      return frame.bidirectional ? FrameType.STREAMS_BLOCKED : FrameType.STREAMS_BLOCKED_UNI;
    case FrameType.CONNECTION_CLOSE:
      return frame.isApplication ? FrameType.CONNECTION_CLOSE_APP : FrameType.CONNECTION_CLOSE;
    case FrameType.DATAGRAM:
      return withLength ? FrameType.DATAGRAM_LEN : FrameType.DATAGRAM;
    default:
      return frame.type;
  }
}
