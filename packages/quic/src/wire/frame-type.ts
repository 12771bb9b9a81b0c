import { PacketType } from './packet-type.js';

/**
 * Frame Type values of RFC 9000 §12.4 Table 3 and §19, plus DATAGRAM (RFC 9221 §4). Where a type carries flags
 * (ACK/ACK_ECN, STREAM 0x08-0x0f, MAX_STREAMS and STREAMS_BLOCKED bidi/uni, CONNECTION_CLOSE transport/application,
 * DATAGRAM without/with Length), the lowest value names the family and is what a parsed frame's `type` holds.
 */
export const FrameType = {
  PADDING: 0x00,
  PING: 0x01,
  ACK: 0x02,
  ACK_ECN: 0x03,
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  CRYPTO: 0x06,
  NEW_TOKEN: 0x07,
  /** 0x08-0x0f: the OFF (0x04), LEN (0x02) and FIN (0x01) bits (RFC 9000 §19.8). */
  STREAM: 0x08,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  /** Bidirectional; the family value of MAX_STREAMS frames. */
  MAX_STREAMS: 0x12,
  MAX_STREAMS_UNI: 0x13,
  DATA_BLOCKED: 0x14,
  STREAM_DATA_BLOCKED: 0x15,
  /** Bidirectional; the family value of STREAMS_BLOCKED frames. */
  STREAMS_BLOCKED: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
  NEW_CONNECTION_ID: 0x18,
  RETIRE_CONNECTION_ID: 0x19,
  PATH_CHALLENGE: 0x1a,
  PATH_RESPONSE: 0x1b,
  /** Transport error (QUIC layer); the family value of CONNECTION_CLOSE frames. */
  CONNECTION_CLOSE: 0x1c,
  /** Application error. */
  CONNECTION_CLOSE_APP: 0x1d,
  HANDSHAKE_DONE: 0x1e,
  /** RFC 9221 §4: without Length (data runs to the end of the packet); the family value. */
  DATAGRAM: 0x30,
  /** RFC 9221 §4: with Length. */
  DATAGRAM_LEN: 0x31,
} as const;

/** Bits of the STREAM frame type (RFC 9000 §19.8). */
export const StreamFrameBits = { OFF: 0x04, LEN: 0x02, FIN: 0x01 } as const;

// Packet-type bits for the "Pkts" column of RFC 9000 §12.4 Table 3.
const I = 1 << PacketType.INITIAL;
const H = 1 << PacketType.HANDSHAKE;
const Z = 1 << PacketType.ZERO_RTT;
const O = 1 << PacketType.ONE_RTT;

/** Highest frame type this stack knows (DATAGRAM_LEN). */
const MAX_KNOWN = FrameType.DATAGRAM_LEN;

// Per-type properties, indexed by frame type (0..0x31). 0 = unknown. Exported (not from the package index) so the
// FrameReader can test all of them with one lookup per frame.
/** @internal Bit (1 << PacketType) set when the frame type may appear in that packet type. */
export const ALLOWED = new Uint8Array(MAX_KNOWN + 1);
/** @internal FrameFlag bits per frame type. */
export const FLAGS = new Uint8Array(MAX_KNOWN + 1);
/** @internal */
export const FrameFlag = { KNOWN: 1, ACK_ELICITING: 2, IN_FLIGHT: 4, PROBING: 8, SERVER_ONLY: 16 } as const;
const { KNOWN, ACK_ELICITING, IN_FLIGHT, PROBING, SERVER_ONLY } = FrameFlag;

function define(types: readonly number[], allowed: number, flags: number): void {
  for (const t of types) {
    ALLOWED[t] = allowed;
    FLAGS[t] = KNOWN | flags;
  }
}

// RFC 9002 §2: "All frames other than ACK, PADDING, and CONNECTION_CLOSE are considered ack-eliciting"; "Packets
// are considered in flight when they are ack-eliciting or contain a PADDING frame".
// RFC 9000 §9.1: PATH_CHALLENGE, PATH_RESPONSE, NEW_CONNECTION_ID and PADDING are probing frames (Table 3 "P").
// RFC 9000 §19.7 / §19.20: only a server sends NEW_TOKEN and HANDSHAKE_DONE.
const AE = ACK_ELICITING | IN_FLIGHT;
define([FrameType.PADDING], I | H | Z | O, IN_FLIGHT | PROBING);
define([FrameType.PING], I | H | Z | O, AE);
// RFC 9000 §12.5 / §17.2.3: ACK frames cannot be carried in 0-RTT packets.
define([FrameType.ACK, FrameType.ACK_ECN], I | H | O, 0);
define([FrameType.RESET_STREAM, FrameType.STOP_SENDING], Z | O, AE);
// RFC 9000 §19.6: CRYPTO can be sent in all packet types except 0-RTT.
define([FrameType.CRYPTO], I | H | O, AE);
define([FrameType.NEW_TOKEN], O, AE | SERVER_ONLY);
define([0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f], Z | O, AE);
define(
  [
    FrameType.MAX_DATA,
    FrameType.MAX_STREAM_DATA,
    FrameType.MAX_STREAMS,
    FrameType.MAX_STREAMS_UNI,
    FrameType.DATA_BLOCKED,
    FrameType.STREAM_DATA_BLOCKED,
    FrameType.STREAMS_BLOCKED,
    FrameType.STREAMS_BLOCKED_UNI,
  ],
  Z | O,
  AE,
);
define([FrameType.NEW_CONNECTION_ID], Z | O, AE | PROBING);
// Table 3 lists RETIRE_CONNECTION_ID as "__01", but RFC 9000 §12.5 notes it cannot be sent in 0-RTT and lets a
// server treat it there as PROTOCOL_VIOLATION; we take the stricter reading.
define([FrameType.RETIRE_CONNECTION_ID], O, AE);
define([FrameType.PATH_CHALLENGE], Z | O, AE | PROBING);
define([FrameType.PATH_RESPONSE], O, AE | PROBING);
// Table 3 "ih01": only the transport variant (0x1c) may appear in Initial/Handshake (§12.5, §19.19).
define([FrameType.CONNECTION_CLOSE], I | H | Z | O, 0);
define([FrameType.CONNECTION_CLOSE_APP], Z | O, 0);
define([FrameType.HANDSHAKE_DONE], O, AE | SERVER_ONLY);
// RFC 9221 §5: DATAGRAM frames MUST be protected with 0-RTT or 1-RTT keys; §5.2: they are ack-eliciting.
define([FrameType.DATAGRAM, FrameType.DATAGRAM_LEN], Z | O, AE);

/** Whether `frameType` is a frame type this stack implements (RFC 9000 §12.4: others are FRAME_ENCODING_ERROR). */
export function isKnownFrameType(frameType: number): boolean {
  return frameType >= 0 && frameType <= MAX_KNOWN && FLAGS[frameType] !== 0;
}

/**
 * RFC 9000 §12.4 Table 3 ("Pkts") with §12.5: whether a frame of `frameType` may appear in a packet of
 * `packetType`. A frame in a packet type that does not permit it is a connection error of type PROTOCOL_VIOLATION.
 * Unknown frame types and packet types without frames (Retry, Version Negotiation) return false.
 */
export function isFrameAllowedInPacket(frameType: number, packetType: PacketType): boolean {
  if (frameType < 0 || frameType > MAX_KNOWN || packetType > PacketType.ONE_RTT) return false;
  return (ALLOWED[frameType] & (1 << packetType)) !== 0;
}

/** RFC 9002 §2: every frame but ACK, PADDING and CONNECTION_CLOSE is ack-eliciting. */
export function isAckEliciting(frameType: number): boolean {
  return frameType >= 0 && frameType <= MAX_KNOWN && (FLAGS[frameType] & ACK_ELICITING) !== 0;
}

/**
 * RFC 9002 §2: a packet counts toward bytes in flight when it is ack-eliciting or contains a PADDING frame; this
 * returns whether one frame of `frameType` makes its packet count.
 */
export function countsTowardBytesInFlight(frameType: number): boolean {
  return frameType >= 0 && frameType <= MAX_KNOWN && (FLAGS[frameType] & IN_FLIGHT) !== 0;
}

/**
 * RFC 9000 §9.1 (Table 3 "P"): PATH_CHALLENGE, PATH_RESPONSE, NEW_CONNECTION_ID and PADDING are probing frames; a
 * packet carrying only these is a probing packet.
 */
export function isProbingFrame(frameType: number): boolean {
  return frameType >= 0 && frameType <= MAX_KNOWN && (FLAGS[frameType] & PROBING) !== 0;
}

/**
 * Whether a peer in `senderRole` may send `frameType`. RFC 9000 §19.7: a server MUST treat receipt of NEW_TOKEN as
 * PROTOCOL_VIOLATION; §19.20: likewise HANDSHAKE_DONE.
 */
export function isFrameAllowedFromSender(frameType: number, senderRole: 'client' | 'server'): boolean {
  if (senderRole === 'server') return true;
  return frameType < 0 || frameType > MAX_KNOWN || (FLAGS[frameType] & SERVER_ONLY) === 0;
}

const NAMES: Record<number, string> = {
  0: 'padding',
  1: 'ping',
  2: 'ack',
  3: 'ack',
  4: 'reset_stream',
  5: 'stop_sending',
  6: 'crypto',
  7: 'new_token',
  16: 'max_data',
  17: 'max_stream_data',
  18: 'max_streams',
  19: 'max_streams',
  20: 'data_blocked',
  21: 'stream_data_blocked',
  22: 'streams_blocked',
  23: 'streams_blocked',
  24: 'new_connection_id',
  25: 'retire_connection_id',
  26: 'path_challenge',
  27: 'path_response',
  28: 'connection_close',
  29: 'connection_close',
  30: 'handshake_done',
  48: 'datagram',
  49: 'datagram',
};

/** The qlog frame_type name of a wire frame type (`stream` for 0x08-0x0f, `unknown` otherwise). */
export function frameTypeName(frameType: number): string {
  if (frameType >= 0x08 && frameType <= 0x0f) return 'stream';
  return NAMES[frameType] ?? 'unknown';
}
