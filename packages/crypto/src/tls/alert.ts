import { TransportError, TransportErrorCode, WireError } from '@fos/core';
import { AlertDescription, alertName } from './constants.js';

/**
 * A TLS alert as the QUIC error it becomes (RFC 9001 §4.8: 0x0100 + AlertDescription). The reason is for humans and
 * logs; tests and callers look at `code` / `tlsAlert`.
 */
export function tlsAlert(alert: AlertDescription, reason: string, cause?: unknown): TransportError {
  return TransportError.fromTlsAlert(
    alert,
    `${alertName(alert)}: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

/** A QUIC transport error that RFC 9001 names for a TLS-level condition (e.g. PROTOCOL_VIOLATION, §4.6.1, §8.4). */
export function quicError(code: number, reason: string): TransportError {
  return new TransportError(code, reason);
}

/** RFC 8446 §6: any other failure while processing a message becomes decode_error (malformed) or internal_error. */
export function toTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  if (err instanceof WireError) return tlsAlert(AlertDescription.decode_error, err.message, err);
  return tlsAlert(
    AlertDescription.internal_error,
    err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    err,
  );
}

export { TransportErrorCode };
