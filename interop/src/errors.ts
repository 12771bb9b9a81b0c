import { FosError } from '@fos/core';

/** Why the interop harness gave up. Tests assert on these codes, never on message text. */
export const HarnessErrorCode = {
  /** A peer program is not installed (the message names its Debian package). */
  PEER_MISSING: 'PEER_MISSING',
  /** A peer exited (or never bound its port) before it became ready. */
  START_FAILED: 'START_FAILED',
  /** A peer or a wait did not finish within its time limit. */
  TIMEOUT: 'TIMEOUT',
  /** A peer could not bind its port: it exited with "address in use", or another socket shares the port. */
  PORT_IN_USE: 'PORT_IN_USE',
  /** No free port could be found (or every start attempt hit a port already in use). */
  NO_FREE_PORT: 'NO_FREE_PORT',
  /** A downloaded file's content differs from the served file. */
  CONTENT_MISMATCH: 'CONTENT_MISMATCH',
  /** A peer's output (log line, access log, tshark fields) could not be parsed. */
  BAD_OUTPUT: 'BAD_OUTPUT',
  /** The operation needs privileges this process does not have (packet capture needs root). */
  NOT_PERMITTED: 'NOT_PERMITTED',
} as const;
export type HarnessErrorCode = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

/** An error of the interop harness; `code` says what failed, `detail` carries e.g. the tail of a peer's stderr. */
export class HarnessError extends FosError {
  readonly code: HarnessErrorCode;
  readonly detail: string | undefined;

  constructor(code: HarnessErrorCode, message: string, options?: { detail?: string; cause?: unknown }) {
    super(options?.detail ? `${message}\n--- peer output (tail) ---\n${options.detail}` : message, options);
    this.code = code;
    this.detail = options?.detail;
  }
}
