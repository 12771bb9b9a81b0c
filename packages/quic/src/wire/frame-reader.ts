import { ByteReader, TransportError, TransportErrorCode } from '@fos/core';
import { DEFAULT_MAX_ACK_RANGES, parseAckFrame } from './ack-frame.js';
import { parseConnectionCloseFrame } from './connection-close-frame.js';
import { parseNewConnectionIdFrame, parseRetireConnectionIdFrame } from './connection-id-frames.js';
import { parseCryptoFrame } from './crypto-frame.js';
import { parseDatagramFrame } from './datagram-frame.js';
import {
  parseDataBlockedFrame,
  parseMaxDataFrame,
  parseMaxStreamDataFrame,
  parseMaxStreamsFrame,
  parseStreamDataBlockedFrame,
  parseStreamsBlockedFrame,
} from './flow-control-frames.js';
import type {
  AckFrame,
  ConnectionCloseFrame,
  CryptoFrame,
  DataBlockedFrame,
  DatagramFrame,
  Frame,
  MaxDataFrame,
  MaxStreamDataFrame,
  MaxStreamsFrame,
  NewConnectionIdFrame,
  NewTokenFrame,
  PaddingFrame,
  PathChallengeFrame,
  PathResponseFrame,
  ResetStreamFrame,
  RetireConnectionIdFrame,
  StopSendingFrame,
  StreamDataBlockedFrame,
  StreamFrame,
  StreamsBlockedFrame,
} from './frame.js';
import { readFrameType } from './frame-codec.js';
import { ALLOWED, FLAGS, FrameFlag, FrameType } from './frame-type.js';
import { parseNewTokenFrame } from './new-token-frame.js';
import type { PacketType } from './packet-type.js';
import { parsePathChallengeFrame, parsePathResponseFrame } from './path-frames.js';
import { parseHandshakeDoneFrame, parsePaddingFrame, parsePingFrame } from './simple-frames.js';
import { parseResetStreamFrame, parseStopSendingFrame } from './stream-control-frames.js';
import { parseStreamFrame } from './stream-frame.js';

const EMPTY = new Uint8Array(0);

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /** ACK ranges kept per ACK frame (all are validated); default {@link DEFAULT_MAX_ACK_RANGES}. */
  readonly maxAckRanges?: number;
  /**
   * The max_datagram_frame_size this endpoint advertised (RFC 9221 §3). 0 (the default, as for an absent
   * parameter) means DATAGRAM frames were not offered: receiving one is a PROTOCOL_VIOLATION, as is receiving one
   * larger than this value (type, length and payload counted).
   */
  readonly maxDatagramFrameSize?: number;
}

function violation(reason: string, frameType: number): TransportError {
  return new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, reason, { frameType });
}

/**
 * Iterates over the frames of one decrypted packet payload with no allocation per frame:
 *
 * ```ts
 * reader.reset(payload, 0, payload.length, PacketType.ONE_RTT, 'server');
 * for (let f = reader.next(); f !== null; f = reader.next()) {
 *   switch (f.type) { case FrameType.STREAM: …; case FrameType.ACK: …; }
 * }
 * if (reader.ackEliciting) scheduleAck();
 * ```
 *
 * Each frame type has ONE object owned by the reader that `next()` refills, so a returned frame (and its views into
 * the payload) is only valid until the next call to `next()`. A run of PADDING bytes is one PaddingFrame.
 *
 * Every error is a TransportError carrying the RFC code and the frame type: FRAME_ENCODING_ERROR for malformed,
 * truncated or unknown frames (RFC 9000 §12.4, §19); PROTOCOL_VIOLATION for a packet without frames (§12.4), a
 * frame type not permitted in the packet type (§12.4 Table 3, §12.5), a non-minimal frame type encoding (§12.4),
 * a server-only frame sent by a client (§19.7, §19.20), or a DATAGRAM frame not offered or too large (RFC 9221 §3).
 */
export class FrameReader {
  /** Cursor over the current payload. */
  readonly reader = new ByteReader(EMPTY);
  /** Wire type of the frame last returned (flags included, e.g. 0x0b for STREAM with LEN and FIN). */
  frameType = -1;
  /** Offset of the frame last returned (its type byte) in the payload buffer. */
  frameStart = 0;
  /** Frames returned since `reset` (a PADDING run counts once). */
  frameCount = 0;
  /** RFC 9002 §2: whether the packet so far contains an ack-eliciting frame. */
  ackEliciting = false;
  /** RFC 9002 §2: whether the packet so far counts toward bytes in flight (ack-eliciting or PADDING). */
  inFlight = false;
  /** RFC 9000 §9.1: whether every frame so far is a probing frame. */
  probingOnly = true;

  /** Our advertised max_datagram_frame_size (RFC 9221 §3); can be changed between packets. */
  maxDatagramFrameSize: number;
  private readonly maxAckRanges: number;
  private packetType: PacketType | -1 = -1;
  private senderRole: 'client' | 'server' | undefined;

  private readonly padding: PaddingFrame = { type: FrameType.PADDING, length: 0 };
  private readonly ack: AckFrame = { type: FrameType.ACK, ackDelay: 0, rangeCount: 0, ranges: [], ecn: null };
  private readonly resetStream: ResetStreamFrame = {
    type: FrameType.RESET_STREAM,
    streamId: 0,
    applicationErrorCode: 0,
    finalSize: 0,
  };
  private readonly stopSending: StopSendingFrame = {
    type: FrameType.STOP_SENDING,
    streamId: 0,
    applicationErrorCode: 0,
  };
  private readonly crypto: CryptoFrame = { type: FrameType.CRYPTO, offset: 0, data: EMPTY };
  private readonly newToken: NewTokenFrame = { type: FrameType.NEW_TOKEN, token: EMPTY };
  private readonly stream: StreamFrame = { type: FrameType.STREAM, streamId: 0, offset: 0, fin: false, data: EMPTY };
  private readonly maxData: MaxDataFrame = { type: FrameType.MAX_DATA, maximumData: 0 };
  private readonly maxStreamData: MaxStreamDataFrame = {
    type: FrameType.MAX_STREAM_DATA,
    streamId: 0,
    maximumStreamData: 0,
  };
  private readonly maxStreams: MaxStreamsFrame = {
    type: FrameType.MAX_STREAMS,
    bidirectional: true,
    maximumStreams: 0,
  };
  private readonly dataBlocked: DataBlockedFrame = { type: FrameType.DATA_BLOCKED, maximumData: 0 };
  private readonly streamDataBlocked: StreamDataBlockedFrame = {
    type: FrameType.STREAM_DATA_BLOCKED,
    streamId: 0,
    maximumStreamData: 0,
  };
  private readonly streamsBlocked: StreamsBlockedFrame = {
    type: FrameType.STREAMS_BLOCKED,
    bidirectional: true,
    maximumStreams: 0,
  };
  private readonly newConnectionId: NewConnectionIdFrame = {
    type: FrameType.NEW_CONNECTION_ID,
    sequenceNumber: 0,
    retirePriorTo: 0,
    connectionId: EMPTY,
    statelessResetToken: EMPTY,
  };
  private readonly retireConnectionId: RetireConnectionIdFrame = {
    type: FrameType.RETIRE_CONNECTION_ID,
    sequenceNumber: 0,
  };
  private readonly pathChallenge: PathChallengeFrame = { type: FrameType.PATH_CHALLENGE, data: EMPTY };
  private readonly pathResponse: PathResponseFrame = { type: FrameType.PATH_RESPONSE, data: EMPTY };
  private readonly connectionClose: ConnectionCloseFrame = {
    type: FrameType.CONNECTION_CLOSE,
    isApplication: false,
    errorCode: 0,
    frameType: 0,
    reason: EMPTY,
  };
  private readonly datagram: DatagramFrame = { type: FrameType.DATAGRAM, data: EMPTY };

  constructor(options: FrameReaderOptions = {}) {
    this.maxAckRanges = options.maxAckRanges ?? DEFAULT_MAX_ACK_RANGES;
    this.maxDatagramFrameSize = options.maxDatagramFrameSize ?? 0;
  }

  /**
   * Starts on the payload `buf[start, end)` (after removing packet protection). With `packetType`, frames not
   * permitted in that packet type are rejected; with `senderRole` (the peer's role), server-only frames from a
   * client are rejected.
   */
  reset(
    buf: Uint8Array,
    start: number,
    end: number,
    packetType: PacketType | -1 = -1,
    senderRole?: 'client' | 'server',
  ): this {
    this.reader.reset(buf, start, end);
    this.packetType = packetType;
    this.senderRole = senderRole;
    this.frameType = -1;
    this.frameStart = start;
    this.frameCount = 0;
    this.ackEliciting = false;
    this.inFlight = false;
    this.probingOnly = true;
    return this;
  }

  /** The next frame, or null at the end of the payload. Throws TransportError (see the class comment). */
  next(): Frame | null {
    const r = this.reader;
    if (r.pos >= r.end) {
      // RFC 9000 §12.4: a packet containing no frames is a PROTOCOL_VIOLATION.
      if (this.frameCount === 0) throw violation('packet without frames', 0);
      return null;
    }
    this.frameStart = r.pos;
    const type = readFrameType(r); // a known type: the tables below are defined for it
    this.frameType = type;
    const flags = FLAGS[type];
    // RFC 9000 §12.4 Table 3 / §12.5 (isFrameAllowedInPacket), §19.7 / §19.20 (isFrameAllowedFromSender).
    if (this.packetType !== -1 && (ALLOWED[type] & (1 << this.packetType)) === 0) {
      throw violation(`frame type 0x${type.toString(16)} not permitted in this packet type`, type);
    }
    if (this.senderRole === 'client' && (flags & FrameFlag.SERVER_ONLY) !== 0) {
      throw violation(`frame type 0x${type.toString(16)} sent by a client`, type);
    }
    const frame = this.parseBody(r, type);
    this.frameCount++;
    // RFC 9002 §2 (isAckEliciting, countsTowardBytesInFlight), RFC 9000 §9.1 (isProbingFrame).
    if ((flags & FrameFlag.ACK_ELICITING) !== 0) this.ackEliciting = true;
    if ((flags & FrameFlag.IN_FLIGHT) !== 0) this.inFlight = true;
    if ((flags & FrameFlag.PROBING) === 0) this.probingOnly = false;
    return frame;
  }

  private parseBody(r: ByteReader, type: number): Frame {
    switch (type) {
      case FrameType.PADDING:
        return parsePaddingFrame(r, this.padding);
      case FrameType.PING:
        return parsePingFrame(r);
      case FrameType.ACK:
      case FrameType.ACK_ECN:
        return parseAckFrame(r, type, this.ack, this.maxAckRanges);
      case FrameType.RESET_STREAM:
        return parseResetStreamFrame(r, this.resetStream);
      case FrameType.STOP_SENDING:
        return parseStopSendingFrame(r, this.stopSending);
      case FrameType.CRYPTO:
        return parseCryptoFrame(r, this.crypto);
      case FrameType.NEW_TOKEN:
        return parseNewTokenFrame(r, this.newToken);
      case 0x08:
      case 0x09:
      case 0x0a:
      case 0x0b:
      case 0x0c:
      case 0x0d:
      case 0x0e:
      case 0x0f:
        return parseStreamFrame(r, type, this.stream);
      case FrameType.MAX_DATA:
        return parseMaxDataFrame(r, this.maxData);
      case FrameType.MAX_STREAM_DATA:
        return parseMaxStreamDataFrame(r, this.maxStreamData);
      case FrameType.MAX_STREAMS:
      case FrameType.MAX_STREAMS_UNI:
        return parseMaxStreamsFrame(r, type, this.maxStreams);
      case FrameType.DATA_BLOCKED:
        return parseDataBlockedFrame(r, this.dataBlocked);
      case FrameType.STREAM_DATA_BLOCKED:
        return parseStreamDataBlockedFrame(r, this.streamDataBlocked);
      case FrameType.STREAMS_BLOCKED:
      case FrameType.STREAMS_BLOCKED_UNI:
        return parseStreamsBlockedFrame(r, type, this.streamsBlocked);
      case FrameType.NEW_CONNECTION_ID:
        return parseNewConnectionIdFrame(r, this.newConnectionId);
      case FrameType.RETIRE_CONNECTION_ID:
        return parseRetireConnectionIdFrame(r, this.retireConnectionId);
      case FrameType.PATH_CHALLENGE:
        return parsePathChallengeFrame(r, this.pathChallenge);
      case FrameType.PATH_RESPONSE:
        return parsePathResponseFrame(r, this.pathResponse);
      case FrameType.CONNECTION_CLOSE:
      case FrameType.CONNECTION_CLOSE_APP:
        return parseConnectionCloseFrame(r, type, this.connectionClose);
      case FrameType.HANDSHAKE_DONE:
        return parseHandshakeDoneFrame(r);
      default: {
        // DATAGRAM / DATAGRAM_LEN (readFrameType rejected every other value).
        // RFC 9221 §3: not advertised, or larger than advertised → PROTOCOL_VIOLATION.
        if (this.maxDatagramFrameSize === 0) throw violation('DATAGRAM frame not offered', type);
        const frame = parseDatagramFrame(r, type, this.datagram);
        if (r.pos - this.frameStart > this.maxDatagramFrameSize) {
          throw violation('DATAGRAM frame larger than max_datagram_frame_size', type);
        }
        return frame;
      }
    }
  }
}
