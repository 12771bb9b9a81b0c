import { isCryptoErrorCode, TransportError, TransportErrorCode, transportErrorName } from '@fos/core';
import { AlertDescription, alertName } from '@fos/crypto';
import {
  ConnectionClosedError,
  type ConnectionCloseInfo,
  EndpointClosedError,
  HandshakeFailedError,
  HandshakeTimeoutError,
} from '@fos/quic';
import {
  ClientError,
  ClientErrorCode,
  DnsError,
  H3ConnectError,
  NetworkError,
  TlsVerificationError,
} from '../../errors.js';
import { H3ErrorCode } from '../../protocol.js';
import type { CertificateRefusal } from './recording-verifier.js';

/** Where a failed attempt was going, for messages. */
export interface ConnectTargetInfo {
  /** The address tried (`host:port`). */
  readonly where: string;
  /** The server name the certificate was checked against. */
  readonly serverName: string;
}

/**
 * A QUIC connection attempt's failure as the client's typed error:
 * - a certificate the verifier refused → `TlsVerificationError` with its reason (RFC 9001 §4.8: the handshake
 *   fails with the TLS alert, the verdict is kept by the verifier);
 * - no packet back before the handshake timeout → `H3ConnectError('no-response')` (UDP blocked, nothing on the
 *   port: the client falls back to TCP);
 * - a Version Negotiation packet without a common version (RFC 9000 §6.2) → `'version-negotiation'`;
 * - the `no_application_protocol` alert (RFC 9001 §8.1, the server does not speak `h3`) → `'alpn'`;
 * - any other handshake failure (alerts, CONNECTION_REFUSED, protocol violations) → `'handshake-failed'` with the
 *   RFC 9000 §20 code; a connection that closed before it was usable → `'closed'`.
 */
export function mapConnectError(
  error: unknown,
  target: ConnectTargetInfo,
  refusal: CertificateRefusal | undefined,
): unknown {
  if (error instanceof ClientError) return error;
  if (refusal !== undefined) {
    return new TlsVerificationError(refusal.reason, target.serverName, refusal.detail, { cause: refusal.error });
  }
  if (error instanceof HandshakeTimeoutError) {
    return new H3ConnectError(
      error.noReply ? 'no-response' : 'handshake-failed',
      error.noReply
        ? `no QUIC reply from ${target.where} (handshake timed out)`
        : `QUIC handshake with ${target.where} timed out`,
      undefined,
      { cause: error },
    );
  }
  if (error instanceof HandshakeFailedError) return closeInfoError(error.info, target, error);
  if (error instanceof ConnectionClosedError) return closeInfoError(error.info, target, error);
  if (error instanceof EndpointClosedError) {
    return new H3ConnectError('closed', `QUIC endpoint closed while connecting to ${target.where}`, undefined, {
      cause: error,
    });
  }
  if (error instanceof TransportError) {
    return new H3ConnectError(
      'handshake-failed',
      `QUIC handshake with ${target.where} failed: ${error.message}`,
      error.code,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** An attempt or session that ended, by its CONNECTION_CLOSE information. */
export function closeInfoError(info: ConnectionCloseInfo, target: ConnectTargetInfo, cause?: unknown): H3ConnectError {
  const code = info.errorCode;
  const reason = info.reason ? `: ${info.reason}` : '';
  if (!info.isApplication && code === TransportErrorCode.VERSION_NEGOTIATION_ERROR) {
    return new H3ConnectError(
      'version-negotiation',
      `QUIC version negotiation with ${target.where} failed${reason}`,
      code,
      {
        cause,
      },
    );
  }
  if (!info.isApplication && isCryptoErrorCode(code)) {
    const alert = code & 0xff;
    const failure = alert === AlertDescription.no_application_protocol ? 'alpn' : 'handshake-failed';
    const by = info.initiator === 'remote' ? 'the server sent' : 'we sent';
    return new H3ConnectError(
      failure,
      `TLS handshake with ${target.where} failed (${by} ${alertName(alert)})${reason}`,
      code,
      { cause },
    );
  }
  if (info.initiator === 'handshake-timeout' || info.initiator === 'idle-timeout') {
    return new H3ConnectError('no-response', `QUIC handshake with ${target.where} timed out`, undefined, { cause });
  }
  const name = info.isApplication ? `application error 0x${code.toString(16)}` : transportErrorName(code);
  const failure = info.initiator === 'local' && code === 0 ? 'closed' : 'handshake-failed';
  return new H3ConnectError(failure, `QUIC connection to ${target.where} failed (${name})${reason}`, code, { cause });
}

/**
 * How a request in flight learns that its connection ended (RFC 9114 §5.4 without GOAWAY: it may have been
 * processed, so only idempotent requests are retried — the client decides that from the `NetworkError`).
 */
export function connectionLostError(info: ConnectionCloseInfo | undefined, where: string): NetworkError {
  let what = 'closed';
  if (info !== undefined) {
    if (info.initiator === 'idle-timeout') what = 'closed by idle timeout';
    else if (info.initiator === 'stateless-reset') what = 'reset by the server (stateless reset)';
    else {
      const code = info.isApplication ? h3CodeName(info.errorCode) : transportErrorName(info.errorCode);
      what = `closed by ${info.initiator === 'remote' ? 'the server' : 'us'} (${code}${info.reason ? `: ${info.reason}` : ''})`;
    }
  }
  return new NetworkError(ClientErrorCode.CONNECTION_RESET, `HTTP/3 connection to ${where} ${what}`, undefined);
}

function h3CodeName(code: number): string {
  for (const [name, value] of Object.entries(H3ErrorCode)) if (value === code) return name;
  return `0x${code.toString(16)}`;
}

/** Node's DNS failure codes as the client's `DnsError`. */
export function dnsError(error: unknown, hostname: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ENOTFOUND|EAI_|ENODATA|ESERVFAIL|ETIMEOUT|ECONNREFUSED)/.test(code)) {
    return new DnsError(hostname, code, { cause: error });
  }
  return error;
}
