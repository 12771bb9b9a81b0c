/** The HTTP version a response travelled over (ALPN ids: RFC 9114 §3.1, RFC 9113 §3.1, RFC 7301 §6). */
export type HttpProtocol = 'h3' | 'h2' | 'http/1.1';

/**
 * Which protocols a request may use.
 * - `auto`: TCP first (h2, else http/1.1 by ALPN), HTTP/3 once the origin advertised it with Alt-Svc, raced
 *   against TCP, falling back to TCP when QUIC fails.
 * - `h3`: HTTP/3 straight to the origin's host and port over QUIC; no fallback, no Alt-Svc needed.
 * - `h2` / `http/1.1`: that protocol over TLS only (no HTTP/3; `http/1.1` is also what `http:` URLs use).
 */
export type ProtocolPreference = 'auto' | HttpProtocol;

/** RFC 9114 §8.1 error codes the client uses (the full table lives in @fos/http3). */
export const H3ErrorCode = {
  H3_NO_ERROR: 0x0100,
  H3_INTERNAL_ERROR: 0x0102,
  /** The server did not process the request: safe to retry (RFC 9114 §4.1.1). */
  H3_REQUEST_REJECTED: 0x010b,
  /** The client cancels a request whose response it no longer wants (RFC 9114 §4.1.1). */
  H3_REQUEST_CANCELLED: 0x010c,
  /** The request cannot be served over HTTP/3: retry over HTTP/1.1 (RFC 9114 §8.1). */
  H3_VERSION_FALLBACK: 0x0110,
} as const;
export type H3ErrorCode = (typeof H3ErrorCode)[keyof typeof H3ErrorCode];

/** RFC 9113 §7 error codes the client reacts to. */
export const H2ErrorCode = {
  NO_ERROR: 0x0,
  /** The stream was not processed: safe to retry (RFC 9113 §8.7). */
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  /** The endpoint requires HTTP/1.1 for this request (RFC 9113 §7). */
  HTTP_1_1_REQUIRED: 0xd,
} as const;
export type H2ErrorCode = (typeof H2ErrorCode)[keyof typeof H2ErrorCode];
