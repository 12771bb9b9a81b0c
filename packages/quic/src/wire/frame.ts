import type { FrameType } from './frame-type.js';

// Frame representation (RFC 9000 §19, RFC 9221 §4).
//
// A frame is a plain object discriminated by `type`, the family value from FrameType (the lowest code of a family);
// variant bits are fields (`ecn`, `fin`, `bidirectional`, `isApplication`) and encoding choices (the STREAM and
// DATAGRAM Length field) are arguments of the encoder. Byte fields (stream data, tokens, CIDs, reasons) are views
// into the packet buffer: parsing never copies payload bytes. They stay valid only while that buffer is not reused,
// so a receiver that keeps data (e.g. out-of-order stream data) copies it itself, once, into its own buffer.
//
// Why objects and not a visitor: the hot path is FrameReader, which owns ONE mutable object per frame type and
// refills it for every frame (no allocation per frame; a run of PADDING bytes is one PaddingFrame), so a plain
// `switch (frame.type)` loop in the connection costs no more than a visitor would, keeps control flow (early
// exits, errors) in the caller instead of in callbacks, and needs no per-packet closure. The standalone parseX()
// functions allocate a fresh object unless given one to fill, for tests and cold paths.

/** One or more consecutive PADDING bytes (RFC 9000 §19.1), folded into one frame when parsed. */
export interface PaddingFrame {
  type: typeof FrameType.PADDING;
  /** Number of PADDING frames (bytes). */
  length: number;
}

/** RFC 9000 §19.2. */
export interface PingFrame {
  type: typeof FrameType.PING;
}

/** ECN counts of an ACK_ECN frame (RFC 9000 §19.3.2). */
export interface EcnCounts {
  ect0: number;
  ect1: number;
  ce: number;
}

/**
 * ACK and ACK_ECN frames (RFC 9000 §19.3). Ranges are absolute packet numbers, flat in descending order:
 * `ranges[2i]` is the largest and `ranges[2i + 1]` the smallest packet number of range i (inclusive), for
 * i < `rangeCount`. `ranges[0]` is the Largest Acknowledged field. The array may be longer than 2·rangeCount when
 * reused; entries past that are stale.
 */
export interface AckFrame {
  type: typeof FrameType.ACK;
  /** The ACK Delay field as sent (microseconds divided by 2^ack_delay_exponent); see `ackDelayMicros`. */
  ackDelay: number;
  rangeCount: number;
  ranges: number[];
  /** Present for the ACK_ECN type (0x03), null for ACK (0x02). */
  ecn: EcnCounts | null;
}

/** RFC 9000 §19.4. */
export interface ResetStreamFrame {
  type: typeof FrameType.RESET_STREAM;
  streamId: number;
  applicationErrorCode: number;
  finalSize: number;
}

/** RFC 9000 §19.5. */
export interface StopSendingFrame {
  type: typeof FrameType.STOP_SENDING;
  streamId: number;
  applicationErrorCode: number;
}

/** RFC 9000 §19.6. */
export interface CryptoFrame {
  type: typeof FrameType.CRYPTO;
  offset: number;
  data: Uint8Array;
}

/** RFC 9000 §19.7. */
export interface NewTokenFrame {
  type: typeof FrameType.NEW_TOKEN;
  token: Uint8Array;
}

/** STREAM frames 0x08-0x0f (RFC 9000 §19.8). The OFF bit is set on encode iff `offset > 0`. */
export interface StreamFrame {
  type: typeof FrameType.STREAM;
  streamId: number;
  offset: number;
  fin: boolean;
  data: Uint8Array;
}

/** RFC 9000 §19.9. */
export interface MaxDataFrame {
  type: typeof FrameType.MAX_DATA;
  maximumData: number;
}

/** RFC 9000 §19.10. */
export interface MaxStreamDataFrame {
  type: typeof FrameType.MAX_STREAM_DATA;
  streamId: number;
  maximumStreamData: number;
}

/** RFC 9000 §19.11 (0x12 bidirectional, 0x13 unidirectional). */
export interface MaxStreamsFrame {
  type: typeof FrameType.MAX_STREAMS;
  bidirectional: boolean;
  maximumStreams: number;
}

/** RFC 9000 §19.12. */
export interface DataBlockedFrame {
  type: typeof FrameType.DATA_BLOCKED;
  maximumData: number;
}

/** RFC 9000 §19.13. */
export interface StreamDataBlockedFrame {
  type: typeof FrameType.STREAM_DATA_BLOCKED;
  streamId: number;
  maximumStreamData: number;
}

/** RFC 9000 §19.14 (0x16 bidirectional, 0x17 unidirectional). */
export interface StreamsBlockedFrame {
  type: typeof FrameType.STREAMS_BLOCKED;
  bidirectional: boolean;
  maximumStreams: number;
}

/** RFC 9000 §19.15. */
export interface NewConnectionIdFrame {
  type: typeof FrameType.NEW_CONNECTION_ID;
  sequenceNumber: number;
  retirePriorTo: number;
  /** 1-20 bytes. */
  connectionId: Uint8Array;
  /** 16 bytes. */
  statelessResetToken: Uint8Array;
}

/** RFC 9000 §19.16. */
export interface RetireConnectionIdFrame {
  type: typeof FrameType.RETIRE_CONNECTION_ID;
  sequenceNumber: number;
}

/** RFC 9000 §19.17. */
export interface PathChallengeFrame {
  type: typeof FrameType.PATH_CHALLENGE;
  /** 8 bytes. */
  data: Uint8Array;
}

/** RFC 9000 §19.18. */
export interface PathResponseFrame {
  type: typeof FrameType.PATH_RESPONSE;
  /** 8 bytes. */
  data: Uint8Array;
}

/** CONNECTION_CLOSE (RFC 9000 §19.19): 0x1c transport error, 0x1d application error. */
export interface ConnectionCloseFrame {
  type: typeof FrameType.CONNECTION_CLOSE;
  /** True for type 0x1d (application protocol error code, no Frame Type field). */
  isApplication: boolean;
  errorCode: number;
  /** The frame type that triggered a transport error (0 when unknown); always 0 for application closes. */
  frameType: number;
  /** Reason Phrase bytes (SHOULD be UTF-8); a view. */
  reason: Uint8Array;
}

/** RFC 9000 §19.20. */
export interface HandshakeDoneFrame {
  type: typeof FrameType.HANDSHAKE_DONE;
}

/** DATAGRAM (RFC 9221 §4): 0x30 without Length, 0x31 with Length (an encoding choice). */
export interface DatagramFrame {
  type: typeof FrameType.DATAGRAM;
  data: Uint8Array;
}

/** Every frame this stack parses and encodes. */
export type Frame =
  | PaddingFrame
  | PingFrame
  | AckFrame
  | ResetStreamFrame
  | StopSendingFrame
  | CryptoFrame
  | NewTokenFrame
  | StreamFrame
  | MaxDataFrame
  | MaxStreamDataFrame
  | MaxStreamsFrame
  | DataBlockedFrame
  | StreamDataBlockedFrame
  | StreamsBlockedFrame
  | NewConnectionIdFrame
  | RetireConnectionIdFrame
  | PathChallengeFrame
  | PathResponseFrame
  | ConnectionCloseFrame
  | HandshakeDoneFrame
  | DatagramFrame;
