import { FosError } from '@fos/core';

/** Why a server operation failed (the `code` of {@link ServerError}). */
export const ServerErrorCode = {
  /** The request body exceeded `limits.maxRequestBodyBytes`. */
  REQUEST_BODY_TOO_LARGE: 'REQUEST_BODY_TOO_LARGE',
  /** The exchange was aborted: the client reset the stream or stopped reading, or the connection closed. */
  ABORTED: 'ABORTED',
  /** A response operation in the wrong state (write after end, a second final response …). */
  INVALID_STATE: 'INVALID_STATE',
  /** A certificate or key file could not be read. */
  CERTIFICATE: 'CERTIFICATE',
  /** An option has a value the server cannot use (e.g. a session-ticket key that is not 32 bytes). */
  INVALID_OPTION: 'INVALID_OPTION',
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** An error of the server API. `h3Code` carries the HTTP/3 error code (RFC 9114 §8.1) of a stream reset, if any. */
export class ServerError extends FosError {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly h3Code?: number,
  ) {
    super(message);
  }
}
