// The seam between the fetch client and an HTTP/3 implementation. The client never touches QUIC or H3Connection
// directly: it asks an `H3SessionFactory` for sessions and sends requests on them. The real factory (QUIC endpoint +
// @fos/http3 H3Connection behind a driver) plugs in here; tests use `FakeH3SessionFactory` from `@fos/client/testing`.

import type { LookupFunction } from 'node:net';
import type {
  BufferAllocator,
  Clock,
  CongestionControllerFactory,
  CryptoProvider,
  EarlyDataState,
  QlogSink,
  QuicTlsSessionCache,
} from '@fos/core';
import { token } from '@fos/core';
import type { Observable } from 'rxjs';

/** Where to connect and which server identity to expect. */
export interface H3ConnectTarget {
  /** Host to send UDP datagrams to: the Alt-Svc alternative's host, or the origin's host. */
  readonly host: string;
  /** UDP port. */
  readonly port: number;
  /**
   * The origin's host: the SNI and the name the certificate must match (RFC 9114 §3.1, RFC 7838 §2.1 — an alternative
   * must present a certificate for the origin, not for itself). Omit SNI for IP literals (RFC 6066 §3).
   */
  readonly serverName: string;
  /** `https://host:port` of the origin, for logs and qlog titles. */
  readonly origin: string;
}

/** Certificate verification settings (the same the TCP path applies; RFC 7838 §9.2: pins apply to alternatives). */
export interface H3TlsOptions {
  /** Trust anchors as PEM; undefined = the platform's default roots. */
  readonly ca: readonly string[] | undefined;
  /** Verify the server certificate (chain and host name). Default true. */
  readonly rejectUnauthorized: boolean;
  /** SHA-256 of the leaf certificate's SubjectPublicKeyInfo, base64; empty = no pinning. */
  readonly spkiPins: readonly string[];
}

/** The plugins registered in the client's DI container, handed to the factory for this connection. */
export interface H3Services {
  readonly clock: Clock;
  readonly allocator: BufferAllocator;
  readonly qlog: QlogSink;
  readonly congestionControllerFactory: CongestionControllerFactory | undefined;
  readonly cryptoProvider: CryptoProvider | undefined;
  /**
   * Writes one NSS key log line (no newline) to the client's key log — the file TCP connections write too. Absent
   * when `keylogPath` is unset (a factory may then open `keylogPath` itself).
   */
  readonly keyLog?: (line: string) => void;
}

export interface H3ConnectOptions {
  /**
   * Aborts the attempt: before `connect` settles it must reject (with `signal.reason`); afterwards the session
   * closes. The client aborts on its connect timeout (reason: a `TimeoutError`) and on `close()`.
   */
  readonly signal: AbortSignal;
  readonly tls: H3TlsOptions;
  /**
   * Session tickets are kept here, owned by the client across connections: take one to resume (RFC 8446 §4.6.1,
   * RFC 9001 §4.5) and store the ones the server sends.
   */
  readonly sessionCache: QuicTlsSessionCache;
  /** Offer 0-RTT when a resumable ticket allows it (RFC 9001 §4.6.1). */
  readonly enableEarlyData: boolean;
  /** Write a qlog trace per connection into this directory. */
  readonly qlogDir: string | undefined;
  /** Append TLS secrets in NSS key log format to this file (for Wireshark). */
  readonly keylogPath: string | undefined;
  /** Name resolution override (same signature as node:dns lookup). */
  readonly lookup: LookupFunction | undefined;
  readonly services: H3Services;
  /**
   * Accept server push (RFC 9114 §4.6): the session sends MAX_PUSH_ID and reports promises on `pushes$`. Default
   * false (the server cannot push).
   */
  readonly enablePush?: boolean;
}

/**
 * Creates HTTP/3 sessions. Registered in the client's container under the token of the same name.
 *
 * `connect` resolves as soon as requests may be sent: after the handshake completes, or earlier when a resumed
 * session can send 0-RTT (then `canSendEarlyData` is true and `handshake` is still pending). It rejects with an
 * `H3ConnectError` (or a `DnsError` / `TlsVerificationError` / `TimeoutError` where that is what happened).
 */
export interface H3SessionFactory {
  connect(target: H3ConnectTarget, options: H3ConnectOptions): Promise<H3Session>;
  /**
   * Releases what the factory holds (sockets, files) once the client is closed; sessions still open are closed
   * at once. Optional: the client calls it from `close()` when present.
   */
  close?(): Promise<void>;
}
export const H3SessionFactory = token<H3SessionFactory>('fos.H3SessionFactory');

/** Connection-level happenings a session reports to the client's pool. Completes after `closed`. */
export type H3SessionEvent =
  /** The handshake completed (1-RTT keys confirmed, RFC 9001 §4.1.2). */
  | { readonly type: 'handshake-complete' }
  /** The peer raised its MAX_STREAMS limit (RFC 9000 §4.6, §19.11): `availableStreams()` grew. */
  | { readonly type: 'streams-available' }
  /**
   * GOAWAY received (RFC 9114 §5.2): no new requests on this session. Requests on streams below `lastStreamId` may
   * still complete; those above it fail with a retryable `StreamResetError`.
   */
  | { readonly type: 'goaway'; readonly lastStreamId: number }
  /** The connection is closed; `error` is undefined for a clean close (H3_NO_ERROR, idle timeout). */
  | { readonly type: 'closed'; readonly error: Error | undefined };

/** One request as HTTP/3 sends it (RFC 9114 §4.3.1 pseudo-headers are built by the session). */
export interface H3Request {
  readonly method: string;
  readonly scheme: 'https';
  /** `:authority` (host[:port] of the origin, RFC 9114 §4.3.1). */
  readonly authority: string;
  /** `:path` (path and query). */
  readonly path: string;
  /** Regular fields, lowercase names, no connection-specific fields (RFC 9114 §4.2). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Request content: bytes (replayable), a one-shot async iterable, or null (no DATA frames, FIN on HEADERS). */
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | null;
}

export interface H3RequestOptions {
  /**
   * Send this request in 0-RTT (RFC 9001 §4.6.1). The client sets it only for safe requests without content
   * (GET/HEAD, RFC 9110 §9.2.1) while `canSendEarlyData` is true. When the server rejects 0-RTT, the session fails
   * the exchange with a retryable `StreamResetError` and the client sends it again.
   */
  readonly earlyData: boolean;
}

/** The final response head (interim 1xx responses are consumed by the session, RFC 9114 §4.1). */
export interface H3ResponseHead {
  readonly status: number;
  /** Fields in wire order, lowercase names, pseudo-headers removed. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** A server push (RFC 9114 §4.6): the promised request and the exchange that delivers its response. */
export interface H3PushPromise {
  /** The push ID (§4.6). */
  readonly pushId: number;
  /** The request stream that carried the PUSH_PROMISE (§7.2.5): the push accompanies that request's response. */
  readonly associatedStreamId: number;
  /** The promised request (§4.6: safe, cacheable, no content). */
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** Its regular fields (lowercase names, pseudo-headers removed). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The pushed response; `cancel` declines the push (CANCEL_PUSH or STOP_SENDING, §4.6). */
  readonly exchange: H3Exchange;
}

/** One request stream. */
export interface H3Exchange {
  readonly streamId: number;
  /** Whether the request went out in 0-RTT. */
  readonly earlyData: boolean;
  /** Resolves with the final response head; rejects with a `StreamResetError` / connection error. */
  readonly response: Promise<H3ResponseHead>;
  /**
   * The response content. Reading grants flow-control credit (RFC 9000 §4.1), so the peer sends only as fast as it
   * is consumed. Errors like `response` when the stream is reset; cancelling it cancels the request.
   */
  readonly body: ReadableStream<Uint8Array>;
  /**
   * The trailer section (RFC 9114 §4.1; empty when the response had none), settling when `body` ends; rejects like
   * `body`. Optional for factories that do not support trailers.
   */
  readonly trailers?: Promise<ReadonlyArray<readonly [string, string]>>;
  /**
   * Abandons the request (RFC 9114 §4.1.1): RESET_STREAM and STOP_SENDING with `errorCode` (the client uses
   * H3_REQUEST_CANCELLED, 0x10c). `response` rejects and `body` errors with `reason`. No-op once complete.
   */
  cancel(errorCode: number, reason?: unknown): void;
}

/** An HTTP/3 connection to one server. */
export interface H3Session {
  /** The negotiated ALPN protocol (`h3`). */
  readonly alpnProtocol: string;
  /** Whether the TLS handshake resumed a session from a ticket (RFC 8446 §2.2). */
  readonly resumed: boolean;
  /** What became of 0-RTT on this connection. */
  readonly earlyData: EarlyDataState;
  /** True while 0-RTT keys are usable and the handshake is not complete yet. */
  readonly canSendEarlyData: boolean;
  readonly handshakeComplete: boolean;
  /** Milliseconds from the first Initial sent to the handshake's completion; undefined until then. */
  readonly handshakeMs: number | undefined;
  /** Settles with the handshake: resolves when complete, rejects with an `H3ConnectError` when it fails. */
  readonly handshake: Promise<void>;
  /** A GOAWAY was received or sent (RFC 9114 §5.2): no new requests. */
  readonly goingAway: boolean;
  readonly closed: boolean;
  /** The peer's address, once known. */
  readonly remoteAddress: { readonly host: string; readonly port: number } | undefined;
  /**
   * How many more requests can be opened right now: the peer's bidirectional MAX_STREAMS credit minus the streams
   * already opened (RFC 9000 §4.6). 0 when going away or closed.
   */
  availableStreams(): number;
  /**
   * Opens a request stream and starts sending. Throws a retryable `StreamResetError` when no stream can be opened
   * (no credit, going away, closed) — the client's pool only calls it when `availableStreams() > 0`.
   */
  request(request: H3Request, options: H3RequestOptions): H3Exchange;
  readonly events$: Observable<H3SessionEvent>;
  /**
   * Pushed responses the server promised (RFC 9114 §4.6), when the connection was made with `enablePush`. A promise
   * nobody subscribes to is declined (CANCEL_PUSH, §7.2.3).
   */
  readonly pushes$?: Observable<H3PushPromise>;
  /**
   * Closes the connection: graceful (GOAWAY, then CONNECTION_CLOSE with H3_NO_ERROR once requests finished, RFC 9114
   * §5.2) unless `errorCode` says otherwise.
   */
  close(errorCode?: number, reason?: string): void;
}
