// Exit codes of `fos-h3 URL`, numbered like curl's where curl has one (man curl, "EXIT CODES"), so scripts that
// already test curl's codes read ours the same way.

/** Why `fos-h3 URL` exited. */
export const ExitCode = {
  /** The response had a 2xx status and its body was written. */
  OK: 0,
  /** Another failure. */
  FAILURE: 1,
  /** Bad command line (unknown option, missing URL, unreadable --cacert or -d @file). */
  USAGE: 2,
  /** The host name could not be resolved. */
  DNS: 6,
  /** No connection: refused (TCP), no reply over UDP, HTTP/3 connection failed, network unreachable. */
  CONNECT: 7,
  /** HTTP/2 or HTTP/3 protocol error (malformed response, ALPN mismatch). */
  PROTOCOL: 16,
  /** The response status was not 2xx (the body is still written). */
  HTTP_STATUS: 22,
  /** The body could not be written to the output. */
  WRITE: 23,
  /** A connect, idle or total timeout expired. */
  TIMEOUT: 28,
  /** The TLS handshake failed (no certificate verdict: alert, no shared parameters). */
  TLS_HANDSHAKE: 35,
  /** Too many redirects, or a redirect that cannot be followed. */
  REDIRECT: 47,
  /** The connection or stream failed while receiving (reset, connection lost). */
  RECEIVE: 56,
  /** The server certificate was rejected (unknown CA, host name mismatch, expired, pin mismatch …). */
  TLS_VERIFY: 60,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
