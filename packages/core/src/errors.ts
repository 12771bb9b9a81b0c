/** Base class of every error the stack throws or reports. */
export class FosError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** RFC 9000 §20.1 transport error codes (plus RFC 9368 §4 VERSION_NEGOTIATION_ERROR). */
export const TransportErrorCode = {
  NO_ERROR: 0x00,
  INTERNAL_ERROR: 0x01,
  CONNECTION_REFUSED: 0x02,
  FLOW_CONTROL_ERROR: 0x03,
  STREAM_LIMIT_ERROR: 0x04,
  STREAM_STATE_ERROR: 0x05,
  FINAL_SIZE_ERROR: 0x06,
  FRAME_ENCODING_ERROR: 0x07,
  TRANSPORT_PARAMETER_ERROR: 0x08,
  CONNECTION_ID_LIMIT_ERROR: 0x09,
  PROTOCOL_VIOLATION: 0x0a,
  INVALID_TOKEN: 0x0b,
  APPLICATION_ERROR: 0x0c,
  CRYPTO_BUFFER_EXCEEDED: 0x0d,
  KEY_UPDATE_ERROR: 0x0e,
  AEAD_LIMIT_EXCEEDED: 0x0f,
  NO_VIABLE_PATH: 0x10,
  /** RFC 9368 §4 */
  VERSION_NEGOTIATION_ERROR: 0x11,
  /** RFC 9000 §20.1: 0x0100-0x01ff, the low byte is the TLS alert (RFC 9001 §4.8). */
  CRYPTO_ERROR: 0x0100,
} as const;
export type TransportErrorCodeName = keyof typeof TransportErrorCode;

const codeNames = new Map<number, TransportErrorCodeName>(
  Object.entries(TransportErrorCode).map(([name, code]) => [code, name as TransportErrorCodeName]),
);

/** `FRAME_ENCODING_ERROR`, `CRYPTO_ERROR(0x128)` or `0x1234` for codes outside the table. */
export function transportErrorName(code: number): string {
  if (code >= 0x0100 && code <= 0x01ff) return `CRYPTO_ERROR(0x${code.toString(16)})`;
  return codeNames.get(code) ?? `0x${code.toString(16)}`;
}

/** RFC 9000 §20.1: whether `code` is in the CRYPTO_ERROR range; the TLS alert is `code & 0xff`. */
export function isCryptoErrorCode(code: number): boolean {
  return code >= 0x0100 && code <= 0x01ff;
}

/**
 * A QUIC transport error: what a CONNECTION_CLOSE frame of type 0x1c carries (RFC 9000 §19.19).
 * `frameType` is the type of the frame that triggered it, when known.
 */
export class TransportError extends FosError {
  readonly code: number;
  readonly frameType: number | undefined;
  readonly reason: string;

  constructor(code: number, reason: string, options?: { frameType?: number; cause?: unknown }) {
    super(`${transportErrorName(code)}: ${reason}`, options);
    this.code = code;
    this.reason = reason;
    this.frameType = options?.frameType;
  }

  /** RFC 9001 §4.8: a TLS alert becomes the transport error 0x0100 + alert. */
  static fromTlsAlert(alert: number, reason: string, options?: { cause?: unknown }): TransportError {
    return new TransportError(TransportErrorCode.CRYPTO_ERROR + (alert & 0xff), reason, options);
  }

  get codeName(): string {
    return transportErrorName(this.code);
  }

  /** The TLS alert carried by a CRYPTO_ERROR, else undefined. */
  get tlsAlert(): number | undefined {
    return isCryptoErrorCode(this.code) ? this.code & 0xff : undefined;
  }
}

/** Malformed or truncated bytes met by a wire decoder. Protocol layers map it to their own error code. */
export class WireError extends FosError {}

/** The input ended before the value being read (`needed` bytes at `offset`, only `available` left). */
export class TruncatedInputError extends WireError {
  constructor(
    readonly offset: number,
    readonly needed: number,
    readonly available: number,
  ) {
    super(`truncated input: needed ${needed} byte(s) at offset ${offset}, ${available} available`);
  }
}

/** A writer ran out of room in its caller-supplied buffer. */
export class BufferOverflowError extends FosError {
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`buffer overflow: needed ${needed} byte(s), ${available} available`);
  }
}

/** A value cannot be encoded as a QUIC variable-length integer (negative, fractional or ≥ 2^62). */
export class VarintRangeError extends FosError {
  constructor(readonly value: number | bigint) {
    super(`value ${value} cannot be encoded as a QUIC variable-length integer (0 ≤ v < 2^62)`);
  }
}
