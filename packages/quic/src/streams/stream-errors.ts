import { FosError, TransportError, TransportErrorCode } from '@fos/core';

/**
 * Application-facing: the stream direction was aborted. `kind` says how:
 * - `'reset-by-peer'`: the peer sent RESET_STREAM (RFC 9000 §19.4); reading fails with its error code.
 * - `'stopped-by-peer'`: the peer sent STOP_SENDING (§19.5) and the stream was reset in reply; writing fails.
 * - `'reset-locally'`: the application reset the sending part itself.
 */
export class StreamAbortedError extends FosError {
  constructor(
    readonly streamId: number,
    readonly kind: 'reset-by-peer' | 'stopped-by-peer' | 'reset-locally',
    /** The application protocol error code (RFC 9000 §20.2). */
    readonly errorCode: number,
  ) {
    super(`stream ${streamId} ${kind} with application error code ${errorCode}`);
  }
}

/**
 * Application-facing misuse of the stream API: writing after `end()`, writing to a receive-only stream, reading a
 * send-only stream, an unknown stream, or an out-of-range priority.
 */
export class StreamUsageError extends FosError {
  constructor(
    readonly streamId: number,
    reason: string,
  ) {
    super(`stream ${streamId}: ${reason}`);
  }
}

/** RFC 9000 §20.1 STREAM_STATE_ERROR: a frame for a stream in a state that does not allow it. */
export function streamStateError(reason: string, frameType: number): TransportError {
  return new TransportError(TransportErrorCode.STREAM_STATE_ERROR, reason, { frameType });
}

/** RFC 9000 §20.2: application error codes are varints (0 … 2^62 - 1); anything else is a caller's mistake. */
export function checkApplicationErrorCode(streamId: number, code: number): void {
  if (!Number.isInteger(code) || code < 0 || code >= 2 ** 62) {
    throw new StreamUsageError(streamId, `invalid application error code ${code}`);
  }
}
