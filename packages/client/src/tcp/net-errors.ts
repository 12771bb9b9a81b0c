import {
  ClientError,
  ClientErrorCode,
  ConnectionRefusedError,
  DnsError,
  NetworkError,
  ProtocolError,
  type TlsFailureReason,
  TlsHandshakeError,
  TlsVerificationError,
} from '../errors.js';

/** Set on our own pin-check failure so the mapping below can tell it apart. */
export const PIN_MISMATCH_CODE = 'ERR_FOS_SPKI_PIN_MISMATCH';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA']);

// OpenSSL X509_V_ERR_* names as Node reports them (err.code), grouped by what the user needs to hear.
const TLS_REASONS: Record<string, TlsFailureReason> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  CERT_UNTRUSTED: 'unknown-ca',
  CERT_CHAIN_TOO_LONG: 'invalid-certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname-mismatch',
  HOSTNAME_MISMATCH: 'hostname-mismatch',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  CERT_REVOKED: 'revoked',
  [PIN_MISMATCH_CODE]: 'pin-mismatch',
};

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a Node socket / TLS / HTTP error into the client's typed error. Errors that already are `ClientError`s pass
 * through; errors that are not Node's (e.g. thrown by the caller's request body stream) pass through unchanged.
 */
export function mapNetworkError(error: unknown, host: string, port: number): unknown {
  if (error instanceof ClientError) return error;
  const code = errorCode(error);
  if (code === undefined) return error;
  if (DNS_CODES.has(code)) return new DnsError(host, code, { cause: error });
  if (code === 'ECONNREFUSED') return new ConnectionRefusedError(`${host}:${port}`, { cause: error });
  const tlsReason = TLS_REASONS[code];
  if (tlsReason !== undefined) return new TlsVerificationError(tlsReason, host, code, { cause: error });
  if (code.startsWith('CERT_') || code.startsWith('ERR_TLS_CERT') || code.includes('_CERT_')) {
    return new TlsVerificationError('invalid-certificate', host, code, { cause: error });
  }
  if (code.includes('NO_APPLICATION_PROTOCOL')) {
    // RFC 7301 §3.2: the server supports none of the offered ALPN protocols.
    return new ProtocolError(
      `${host}:${port} supports none of the offered ALPN protocols`,
      ClientErrorCode.ALPN_MISMATCH,
      {
        cause: error,
      },
    );
  }
  if (code.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT' || code === 'EPROTO') {
    return new TlsHandshakeError(host, code, { cause: error });
  }
  if (code.startsWith('HPE_') || code === 'ERR_HTTP2_ERROR' || code === 'ERR_HTTP2_INVALID_SETTING_VALUE') {
    // llhttp parse errors (RFC 9112 framing broken) and nghttp2 protocol errors.
    return new ProtocolError(`malformed HTTP from ${host}:${port} (${code})`, ClientErrorCode.PROTOCOL_ERROR, {
      cause: error,
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new NetworkError(ClientErrorCode.CONNECTION_RESET, `connection to ${host}:${port} was reset`, code, {
      cause: error,
    });
  }
  if (code.startsWith('E') && /^E[A-Z]+$/.test(code)) {
    return new NetworkError(ClientErrorCode.NETWORK_ERROR, `network error talking to ${host}:${port} (${code})`, code, {
      cause: error,
    });
  }
  return error;
}
