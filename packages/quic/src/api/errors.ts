import { FosError, isCryptoErrorCode, TransportErrorCode, transportErrorName } from '@fos/core';
import type { ConnectionCloseInfo } from '../connection/events.js';

/** Base class of the errors the QUIC API reports. */
export class QuicError extends FosError {}

/**
 * The connection is closed (or closing): carries why (RFC 9000 §10). Thrown by operations on a closed connection
 * and by the streams it still had.
 */
export class ConnectionClosedError extends QuicError {
  constructor(
    readonly info: ConnectionCloseInfo,
    message?: string,
  ) {
    super(message ?? describeClose(info));
  }

  /** RFC 9000 §20 transport error code, or the application's code when {@link isApplication}. */
  get code(): number {
    return this.info.errorCode;
  }

  get isApplication(): boolean {
    return this.info.isApplication;
  }

  /** The TLS alert of a CRYPTO_ERROR (RFC 9001 §4.8: code 0x0100 + alert), else undefined. */
  get tlsAlert(): number | undefined {
    return !this.info.isApplication && isCryptoErrorCode(this.info.errorCode) ? this.info.errorCode & 0xff : undefined;
  }
}

/** `connect()` failed: the handshake ended before completing (refused, TLS alert, version mismatch …). */
export class HandshakeFailedError extends ConnectionClosedError {}

/**
 * `connect()` timed out. `noReply` is true when not a single packet came back (wrong address or port, UDP blocked):
 * a caller can then fall back to TCP (RFC 9114 §3.1 leaves that to the client).
 */
export class HandshakeTimeoutError extends HandshakeFailedError {
  constructor(
    info: ConnectionCloseInfo,
    readonly noReply: boolean,
  ) {
    super(info, noReply ? 'no reply from the server (handshake timed out)' : 'handshake timed out');
  }
}

/** The peer reset the stream (RESET_STREAM, RFC 9000 §19.4): reading fails with its application error code. */
export class StreamResetError extends QuicError {
  constructor(
    readonly streamId: number,
    readonly code: number,
  ) {
    super(`stream ${streamId} was reset by the peer with code ${code}`);
  }
}

/** The peer asked us to stop sending (STOP_SENDING, RFC 9000 §19.5): writing fails with its error code. */
export class StreamStoppedError extends QuicError {
  constructor(
    readonly streamId: number,
    readonly code: number,
  ) {
    super(`stream ${streamId}: the peer stopped reading with code ${code}`);
  }
}

/** The application misused the API (writing after end, a send-only stream's reader, …). */
export class QuicUsageError extends QuicError {}

/** The endpoint is closed. */
export class EndpointClosedError extends QuicError {
  constructor() {
    super('the QUIC endpoint is closed');
  }
}

function describeClose(info: ConnectionCloseInfo): string {
  const code = info.isApplication ? `application error ${info.errorCode}` : transportErrorName(info.errorCode);
  const reason = info.reason ? `: ${info.reason}` : '';
  switch (info.initiator) {
    case 'idle-timeout':
      return 'connection closed by idle timeout';
    case 'handshake-timeout':
      return 'handshake timed out';
    case 'stateless-reset':
      return 'connection reset by the peer (stateless reset)';
    case 'remote':
      return `connection closed by the peer (${code}${reason})`;
    default:
      return info.errorCode === TransportErrorCode.NO_ERROR && !info.isApplication
        ? `connection closed${reason}`
        : `connection closed (${code}${reason})`;
  }
}
