import { FosError } from '@fos/core';

/**
 * RFC 9114 §8.1 HTTP/3 error codes, plus the QPACK codes RFC 9204 §6 registers in the same space. These are the
 * application error codes of QUIC RESET_STREAM, STOP_SENDING and CONNECTION_CLOSE (type 0x1d).
 */
export const H3ErrorCode = {
  /** No error: graceful close, or a stream closed with nothing to signal. */
  H3_NO_ERROR: 0x0100,
  /** A protocol violation with no more specific code. */
  H3_GENERAL_PROTOCOL_ERROR: 0x0101,
  /** An internal error in the HTTP stack. */
  H3_INTERNAL_ERROR: 0x0102,
  /** The peer created a stream that we will not accept. */
  H3_STREAM_CREATION_ERROR: 0x0103,
  /** A stream required by the connection (control, QPACK encoder/decoder) was closed or reset. */
  H3_CLOSED_CRITICAL_STREAM: 0x0104,
  /** A frame not permitted in the current state or on the current stream. */
  H3_FRAME_UNEXPECTED: 0x0105,
  /** A frame that fails its layout requirements or has an invalid size. */
  H3_FRAME_ERROR: 0x0106,
  /** The peer is generating excessive load. */
  H3_EXCESSIVE_LOAD: 0x0107,
  /** A stream ID or push ID was used incorrectly (limit exceeded or reduced, reuse). */
  H3_ID_ERROR: 0x0108,
  /** An error in the payload of a SETTINGS frame. */
  H3_SETTINGS_ERROR: 0x0109,
  /** The control stream did not start with SETTINGS. */
  H3_MISSING_SETTINGS: 0x010a,
  /** The server rejected a request without processing it (the client may retry it). */
  H3_REQUEST_REJECTED: 0x010b,
  /** The request or its response (including a pushed response) is cancelled. */
  H3_REQUEST_CANCELLED: 0x010c,
  /** The client's stream ended without a complete request. */
  H3_REQUEST_INCOMPLETE: 0x010d,
  /** A malformed HTTP message. */
  H3_MESSAGE_ERROR: 0x010e,
  /** The TCP connection of a CONNECT request was reset or closed abnormally. */
  H3_CONNECT_ERROR: 0x010f,
  /** The operation cannot be served over HTTP/3; retry over HTTP/1.1. */
  H3_VERSION_FALLBACK: 0x0110,
  /** RFC 9204 §6: a field section could not be decoded. */
  QPACK_DECOMPRESSION_FAILED: 0x0200,
  /** RFC 9204 §6: an encoder-stream instruction could not be interpreted. */
  QPACK_ENCODER_STREAM_ERROR: 0x0201,
  /** RFC 9204 §6: a decoder-stream instruction could not be interpreted. */
  QPACK_DECODER_STREAM_ERROR: 0x0202,
} as const;
export type H3ErrorCodeName = keyof typeof H3ErrorCode;

const codeNames = new Map<number, H3ErrorCodeName>(
  Object.entries(H3ErrorCode).map(([name, code]) => [code, name as H3ErrorCodeName]),
);

/** RFC 9114 §8.1: codes of the form 0x1f·N + 0x21 are reserved (grease) and mean H3_NO_ERROR. */
export function isReservedErrorCode(code: number): boolean {
  return code >= 0x21 && (code - 0x21) % 0x1f === 0;
}

/** `H3_FRAME_ERROR`, `H3_GREASE(0x21)`, or `0x1234` for a code outside the table. */
export function h3ErrorName(code: number): string {
  const name = codeNames.get(code);
  if (name !== undefined) return name;
  if (isReservedErrorCode(code)) return `H3_GREASE(0x${code.toString(16)})`;
  return `0x${code.toString(16)}`;
}

/**
 * An HTTP/3 protocol error carrying its RFC 9114 §8.1 code. A connection error closes the QUIC connection with
 * `code`; a stream error (`streamId` set and `connectionError` false) resets only that stream (RFC 9114 §8).
 */
export class H3Error extends FosError {
  readonly code: number;
  readonly reason: string;
  /** True: close the connection; false: reset only `streamId`. */
  readonly connectionError: boolean;
  /** The stream the error was detected on, when there is one. */
  readonly streamId: number | undefined;

  constructor(
    code: number,
    reason: string,
    options?: { streamId?: number; connectionError?: boolean; cause?: unknown },
  ) {
    super(`${h3ErrorName(code)}: ${reason}`, options);
    this.code = code;
    this.reason = reason;
    this.streamId = options?.streamId;
    this.connectionError = options?.connectionError ?? true;
  }

  get codeName(): string {
    return h3ErrorName(this.code);
  }
}

/** A connection error (RFC 9114 §8): the whole connection is closed with `code`. */
export function connectionError(code: number, reason: string, streamId?: number): H3Error {
  return new H3Error(code, reason, { streamId, connectionError: true });
}

/** A stream error (RFC 9114 §8): only `streamId` is reset with `code`. */
export function streamError(code: number, reason: string, streamId: number): H3Error {
  return new H3Error(code, reason, { streamId, connectionError: false });
}

/** Why the application's call was refused (it is not a protocol error and changes no state). */
export const H3UsageErrorKind = {
  /** The headers given are not a valid HTTP/3 message (RFC 9114 §4.2, §4.3). */
  INVALID_HEADERS: 'invalid-headers',
  /** The call is not allowed in the stream's current state (e.g. a body before the final response). */
  INVALID_STATE: 'invalid-state',
  /** The stream is unknown to this connection, or already finished. */
  UNKNOWN_STREAM: 'unknown-stream',
  /** The stream's sending part was reset (locally, or by the peer's STOP_SENDING). */
  STREAM_CLOSED: 'stream-closed',
  /** The role does not have this operation (e.g. a client pushing). */
  WRONG_ROLE: 'wrong-role',
  /** The encoded header section would exceed the peer's SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2). */
  FIELD_SECTION_TOO_LARGE: 'field-section-too-large',
  /** More body than the content-length declared, or less at the end (RFC 9114 §4.1.2). */
  CONTENT_LENGTH_MISMATCH: 'content-length-mismatch',
  /** Server push is not allowed now: no or exhausted MAX_PUSH_ID, GOAWAY received, or the push was cancelled. */
  PUSH_NOT_ALLOWED: 'push-not-allowed',
  /** The peer sent GOAWAY (RFC 9114 §5.2) or we are shutting down: no new requests; retry on a new connection. */
  GOING_AWAY: 'going-away',
  /** The connection is closed. */
  CLOSED: 'closed',
  /** An argument is out of range (e.g. a MAX_PUSH_ID lower than the previous one). */
  INVALID_ARGUMENT: 'invalid-argument',
} as const;
export type H3UsageErrorKind = (typeof H3UsageErrorKind)[keyof typeof H3UsageErrorKind];

/** The local application misused the API. Thrown synchronously; the connection and stream state are unchanged. */
export class H3UsageError extends FosError {
  constructor(
    readonly kind: H3UsageErrorKind,
    message: string,
    readonly streamId?: number,
  ) {
    super(`${kind}: ${message}`);
  }

  /** True when the request was not sent and can be retried on another connection (GOAWAY, RFC 9114 §5.2). */
  get retryable(): boolean {
    return this.kind === H3UsageErrorKind.GOING_AWAY;
  }
}
