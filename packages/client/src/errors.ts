import { FosError } from '@fos/core';
import type { HttpProtocol } from './protocol.js';

/** What went wrong with a fetch, as a stable code (assert on these, not on messages). */
export const ClientErrorCode = {
  /** The host name could not be resolved. */
  DNS_FAILURE: 'DNS_FAILURE',
  /** The server actively refused the TCP connection (nothing listens on the port). */
  CONNECTION_REFUSED: 'CONNECTION_REFUSED',
  /** The connection was reset or closed before the response completed. */
  CONNECTION_RESET: 'CONNECTION_RESET',
  /** Another network failure (unreachable host, …). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The server certificate was not accepted (unknown CA, wrong host name, expired, pin mismatch, …). */
  TLS_VERIFICATION_FAILED: 'TLS_VERIFICATION_FAILED',
  /** The TLS handshake failed for another reason (alert from the peer, no shared parameters, …). */
  TLS_HANDSHAKE_FAILED: 'TLS_HANDSHAKE_FAILED',
  /** A connect, idle or total timeout expired. */
  TIMEOUT: 'TIMEOUT',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
  /** The peer violated HTTP (malformed response, unexpected ALPN, …). */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** The server did not negotiate the protocol the request demanded (`protocol: 'h2'`). */
  ALPN_MISMATCH: 'ALPN_MISMATCH',
  /** The peer reset the request stream (HTTP/2 RST_STREAM or HTTP/3 stream error). */
  STREAM_RESET: 'STREAM_RESET',
  /** The QUIC/HTTP/3 connection could not be established. */
  H3_CONNECT_FAILED: 'H3_CONNECT_FAILED',
  /** HTTP/3 was demanded but no H3 session factory is registered. */
  H3_UNAVAILABLE: 'H3_UNAVAILABLE',
  /** The request had to be replayed on another connection but its one-shot body was already consumed. */
  BODY_NOT_REPLAYABLE: 'BODY_NOT_REPLAYABLE',
  /** More than 20 redirects (fetch spec §4.4 HTTP-redirect fetch). */
  TOO_MANY_REDIRECTS: 'TOO_MANY_REDIRECTS',
  /** A redirect arrived for a request with `redirect: 'error'`. */
  REDIRECT_NOT_ALLOWED: 'REDIRECT_NOT_ALLOWED',
  /** A redirect could not be followed (bad Location, non-HTTP scheme, one-shot body on 307/308). */
  INVALID_REDIRECT: 'INVALID_REDIRECT',
  /** The URL scheme is not http: or https:. */
  UNSUPPORTED_SCHEME: 'UNSUPPORTED_SCHEME',
  /** The request itself is invalid (forbidden method, body on GET/HEAD, …). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The client was closed. */
  CLIENT_CLOSED: 'CLIENT_CLOSED',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Base class of every error `client.fetch` rejects with (or a response body stream errors with). */
export class ClientError extends FosError {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The host name could not be resolved (`ENOTFOUND`, `EAI_AGAIN`, …). */
export class DnsError extends ClientError {
  constructor(
    readonly hostname: string,
    readonly syscallCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      ClientErrorCode.DNS_FAILURE,
      `cannot resolve host ${hostname}${syscallCode ? ` (${syscallCode})` : ''}`,
      options,
    );
  }
}

/** Nothing accepted the TCP connection (`ECONNREFUSED`). */
export class ConnectionRefusedError extends ClientError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(ClientErrorCode.CONNECTION_REFUSED, `connection refused by ${address}`, options);
  }
}

/** A transport-level failure: `CONNECTION_RESET` or `NETWORK_ERROR`. */
export class NetworkError extends ClientError {
  /**
   * The failure hit a reused keep-alive connection before any response byte: the server had most likely closed it
   * already, so an idempotent request may be sent again on a fresh connection.
   */
  readonly staleConnection: boolean;

  constructor(
    code: typeof ClientErrorCode.CONNECTION_RESET | typeof ClientErrorCode.NETWORK_ERROR,
    message: string,
    readonly syscallCode?: string,
    options?: { cause?: unknown; staleConnection?: boolean },
  ) {
    super(code, message, options);
    this.staleConnection = options?.staleConnection ?? false;
  }
}

/** Why a server certificate was rejected. */
export type TlsFailureReason =
  | 'unknown-ca'
  | 'self-signed'
  | 'hostname-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'pin-mismatch'
  | 'invalid-certificate';

/**
 * The server certificate was not accepted. `reason` says why in a stable form; `detail` carries the verifier's own
 * code (OpenSSL's `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, Node's `ERR_TLS_CERT_ALTNAME_INVALID`, …).
 */
export class TlsVerificationError extends ClientError {
  constructor(
    readonly reason: TlsFailureReason,
    readonly host: string,
    readonly detail: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      ClientErrorCode.TLS_VERIFICATION_FAILED,
      `TLS certificate of ${host} rejected: ${reason}${detail ? ` (${detail})` : ''}`,
      options,
    );
  }
}

/** The TLS handshake failed without a certificate verdict (an alert from the peer, no common parameters, …). */
export class TlsHandshakeError extends ClientError {
  constructor(
    readonly host: string,
    readonly detail: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      ClientErrorCode.TLS_HANDSHAKE_FAILED,
      `TLS handshake with ${host} failed${detail ? ` (${detail})` : ''}`,
      options,
    );
  }
}

/** Which timer expired. */
export type TimeoutPhase = 'connect' | 'idle' | 'total';

/** A timeout expired: `connect` (TCP+TLS or QUIC handshake), `idle` (no progress) or `total` (whole exchange). */
export class TimeoutError extends ClientError {
  constructor(
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(ClientErrorCode.TIMEOUT, `${phase} timeout after ${timeoutMs} ms`, options);
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. Named `AbortError` like the DOM's. */
export class AbortError extends ClientError {
  constructor(options?: { cause?: unknown }) {
    super(ClientErrorCode.ABORTED, 'the request was aborted', options);
  }
}

/** The peer broke HTTP's rules (or ALPN gave an unexpected protocol: code `ALPN_MISMATCH`). */
export class ProtocolError extends ClientError {
  constructor(
    message: string,
    code: typeof ClientErrorCode.PROTOCOL_ERROR | typeof ClientErrorCode.ALPN_MISMATCH = ClientErrorCode.PROTOCOL_ERROR,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * The peer reset the request stream with `errorCode` (RFC 9113 §7 for h2, RFC 9114 §8.1 for h3). `retryable` is true
 * when the protocol guarantees the request was not processed (REFUSED_STREAM, H3_REQUEST_REJECTED, above a GOAWAY
 * limit, 0-RTT rejected) or asks for HTTP/1.1 (HTTP_1_1_REQUIRED, H3_VERSION_FALLBACK: `fallback` set).
 */
export class StreamResetError extends ClientError {
  constructor(
    readonly protocol: HttpProtocol,
    readonly errorCode: number,
    readonly retryable: boolean,
    readonly fallback: 'http/1.1' | undefined = undefined,
    options?: { cause?: unknown },
  ) {
    super(
      ClientErrorCode.STREAM_RESET,
      `${protocol} stream reset by the peer with error 0x${errorCode.toString(16)}`,
      options,
    );
  }
}

/** Why a QUIC/HTTP/3 connection attempt failed. */
export type H3ConnectFailure =
  /** No reply at all (UDP blocked, wrong port): the connect timeout expired. */
  | 'no-response'
  /** The QUIC or TLS handshake failed (`transportCode` set when known, RFC 9000 §20). */
  | 'handshake-failed'
  /** No common QUIC version (RFC 9000 §6, RFC 9368). */
  | 'version-negotiation'
  /** The server did not select ALPN `h3` (RFC 9114 §3.2). */
  | 'alpn'
  /** The connection closed before it became usable. */
  | 'closed'
  /** ICMP unreachable or a local socket error. */
  | 'unreachable';

/** The QUIC/HTTP/3 connection attempt failed; in `auto` mode this triggers the fallback to TCP. */
export class H3ConnectError extends ClientError {
  constructor(
    readonly failure: H3ConnectFailure,
    message: string,
    readonly transportCode?: number,
    options?: { cause?: unknown },
  ) {
    super(ClientErrorCode.H3_CONNECT_FAILED, message, options);
  }
}

/** `protocol: 'h3'` was requested but the client has no H3 session factory. */
export class H3UnavailableError extends ClientError {
  constructor() {
    super(ClientErrorCode.H3_UNAVAILABLE, 'HTTP/3 requested but no H3SessionFactory is registered');
  }
}

/** A request had to be sent again (fallback, retry, 307/308 redirect) but its one-shot body was already read. */
export class BodyNotReplayableError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ClientErrorCode.BODY_NOT_REPLAYABLE, message, options);
  }
}

/** A redirect could not or must not be followed. */
export class RedirectError extends ClientError {
  constructor(
    code:
      | typeof ClientErrorCode.TOO_MANY_REDIRECTS
      | typeof ClientErrorCode.REDIRECT_NOT_ALLOWED
      | typeof ClientErrorCode.INVALID_REDIRECT,
    message: string,
    readonly location: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The request was rejected before anything was sent (`INVALID_REQUEST`, `UNSUPPORTED_SCHEME`). */
export class RequestError extends ClientError {
  constructor(
    code: typeof ClientErrorCode.INVALID_REQUEST | typeof ClientErrorCode.UNSUPPORTED_SCHEME,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The client was closed while the request was pending, or before it started. */
export class ClientClosedError extends ClientError {
  constructor() {
    super(ClientErrorCode.CLIENT_CLOSED, 'the client is closed');
  }
}
