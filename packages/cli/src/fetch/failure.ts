import { ClientError, ClientErrorCode } from '@fos/client';
import { ExitCode } from './exit-codes.js';

/** A failed command as the user sees it: an exit code and one line of text. */
export interface Failure {
  readonly exitCode: ExitCode;
  readonly reason: string;
}

/** The exit code and one-line reason for an error thrown by the client (or while writing the output). */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ClientError) return { exitCode: exitCodeOf(error), reason: reasonOf(error) };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(EPIPE|ENOSPC|EACCES|EISDIR|ENOENT|EROFS|EBADF)$/.test(code)) {
    return { exitCode: ExitCode.WRITE, reason: `cannot write the output (${code})` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: ExitCode.FAILURE, reason: oneLine(message) };
}

function exitCodeOf(e: ClientError): ExitCode {
  switch (e.code) {
    case ClientErrorCode.DNS_FAILURE:
      return ExitCode.DNS;
    case ClientErrorCode.CONNECTION_REFUSED:
    case ClientErrorCode.NETWORK_ERROR:
    case ClientErrorCode.H3_CONNECT_FAILED:
    case ClientErrorCode.H3_UNAVAILABLE:
      return ExitCode.CONNECT;
    case ClientErrorCode.TLS_VERIFICATION_FAILED:
      return ExitCode.TLS_VERIFY;
    case ClientErrorCode.TLS_HANDSHAKE_FAILED:
      return ExitCode.TLS_HANDSHAKE;
    case ClientErrorCode.TIMEOUT:
      return ExitCode.TIMEOUT;
    case ClientErrorCode.ABORTED:
      return ExitCode.INTERRUPTED;
    case ClientErrorCode.PROTOCOL_ERROR:
    case ClientErrorCode.ALPN_MISMATCH:
      return ExitCode.PROTOCOL;
    case ClientErrorCode.CONNECTION_RESET:
    case ClientErrorCode.STREAM_RESET:
      return ExitCode.RECEIVE;
    case ClientErrorCode.TOO_MANY_REDIRECTS:
    case ClientErrorCode.REDIRECT_NOT_ALLOWED:
    case ClientErrorCode.INVALID_REDIRECT:
      return ExitCode.REDIRECT;
    case ClientErrorCode.INVALID_REQUEST:
    case ClientErrorCode.UNSUPPORTED_SCHEME:
      return ExitCode.USAGE;
    default:
      return ExitCode.FAILURE;
  }
}

function reasonOf(e: ClientError): string {
  const detail = oneLine(e.message);
  switch (e.code) {
    case ClientErrorCode.DNS_FAILURE:
      return `could not resolve host: ${detail}`;
    case ClientErrorCode.CONNECTION_REFUSED:
      return `connection refused: ${detail}`;
    case ClientErrorCode.H3_CONNECT_FAILED:
      return `HTTP/3 connection failed: ${detail}`;
    case ClientErrorCode.TLS_VERIFICATION_FAILED:
      return `TLS certificate verification failed: ${detail}`;
    case ClientErrorCode.TLS_HANDSHAKE_FAILED:
      return `TLS handshake failed: ${detail}`;
    case ClientErrorCode.TIMEOUT:
      return `timed out: ${detail}`;
    case ClientErrorCode.ABORTED:
      return 'interrupted';
    default:
      return detail;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
