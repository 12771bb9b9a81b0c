import { FosError } from '@fos/core';

/** RFC 9204 §6 (registered in §8.3): the HTTP/3 error codes QPACK failures are reported with. */
export const QpackErrorCode = {
  /** The decoder failed to interpret an encoded field section. */
  QPACK_DECOMPRESSION_FAILED: 0x0200,
  /** The decoder failed to interpret an encoder instruction received on the encoder stream. */
  QPACK_ENCODER_STREAM_ERROR: 0x0201,
  /** The encoder failed to interpret a decoder instruction received on the decoder stream. */
  QPACK_DECODER_STREAM_ERROR: 0x0202,
} as const;
export type QpackErrorCode = (typeof QpackErrorCode)[keyof typeof QpackErrorCode];
export type QpackErrorCodeName = keyof typeof QpackErrorCode;

const names: Record<number, QpackErrorCodeName> = {
  512: 'QPACK_DECOMPRESSION_FAILED',
  513: 'QPACK_ENCODER_STREAM_ERROR',
  514: 'QPACK_DECODER_STREAM_ERROR',
};

/**
 * A QPACK failure carrying its RFC 9204 §6 code. `streamError` is true when RFC 9204 lets the failure be confined to
 * one request stream (§7.4: a value beyond an implementation limit on a request stream); otherwise the HTTP/3 layer
 * closes the connection with `code` (§2.2.3, §3.2.2, §4.3.1, §4.4.1, §4.4.3, …).
 */
export class QpackError extends FosError {
  readonly code: QpackErrorCode;
  readonly reason: string;
  /** True: reset only the stream (`streamId`); false: connection error. */
  readonly streamError: boolean;
  /** The request stream the failing field section belongs to, when there is one. */
  readonly streamId: number | undefined;

  constructor(code: QpackErrorCode, reason: string, options?: { streamError?: boolean; streamId?: number }) {
    super(`${names[code]}: ${reason}`);
    this.code = code;
    this.reason = reason;
    this.streamError = options?.streamError ?? false;
    this.streamId = options?.streamId;
  }

  get codeName(): QpackErrorCodeName {
    return names[this.code];
  }
}

/** QPACK_DECOMPRESSION_FAILED (0x200): a field section could not be decoded (RFC 9204 §6). */
export class QpackDecompressionFailedError extends QpackError {
  constructor(reason: string, options?: { streamError?: boolean; streamId?: number }) {
    super(QpackErrorCode.QPACK_DECOMPRESSION_FAILED, reason, options);
  }
}

/** QPACK_ENCODER_STREAM_ERROR (0x201): an encoder instruction could not be interpreted (RFC 9204 §6). */
export class QpackEncoderStreamError extends QpackError {
  constructor(reason: string) {
    super(QpackErrorCode.QPACK_ENCODER_STREAM_ERROR, reason);
  }
}

/** QPACK_DECODER_STREAM_ERROR (0x202): a decoder instruction could not be interpreted (RFC 9204 §6). */
export class QpackDecoderStreamError extends QpackError {
  constructor(reason: string) {
    super(QpackErrorCode.QPACK_DECODER_STREAM_ERROR, reason);
  }
}

/**
 * A decoded field section is larger than the decoder's `maxFieldSectionSize` (SETTINGS_MAX_FIELD_SECTION_SIZE,
 * RFC 9114 §4.2.2: name + value + 32 bytes per field). A stream error with code QPACK_DECOMPRESSION_FAILED
 * (RFC 9204 §7.4); a server may answer 431 instead (RFC 9114 §4.2.2). The dynamic table is unaffected.
 */
export class FieldSectionTooLargeError extends QpackDecompressionFailedError {
  constructor(
    readonly limit: number,
    streamId: number,
  ) {
    super(`decoded field section exceeds ${limit} bytes`, { streamError: true, streamId });
  }
}
