import { describe, expect, it } from 'vitest';
import { AbortError, ClientErrorCode, TlsVerificationError } from '../errors.js';
import { mapNetworkError, PIN_MISMATCH_CODE } from './net-errors.js';

function nodeError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('mapNetworkError', () => {
  it.each([
    ['ENOTFOUND', ClientErrorCode.DNS_FAILURE],
    ['EAI_AGAIN', ClientErrorCode.DNS_FAILURE],
    ['ECONNREFUSED', ClientErrorCode.CONNECTION_REFUSED],
    ['ECONNRESET', ClientErrorCode.CONNECTION_RESET],
    ['EPIPE', ClientErrorCode.CONNECTION_RESET],
    ['EHOSTUNREACH', ClientErrorCode.NETWORK_ERROR],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', ClientErrorCode.TLS_VERIFICATION_FAILED],
    ['ERR_TLS_CERT_ALTNAME_INVALID', ClientErrorCode.TLS_VERIFICATION_FAILED],
    ['CERT_SIGNATURE_FAILURE', ClientErrorCode.TLS_VERIFICATION_FAILED],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', ClientErrorCode.TLS_HANDSHAKE_FAILED],
    ['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', ClientErrorCode.ALPN_MISMATCH],
    ['HPE_INVALID_CONSTANT', ClientErrorCode.PROTOCOL_ERROR],
    ['ERR_HTTP2_INVALID_SETTING_VALUE', ClientErrorCode.PROTOCOL_ERROR],
  ])('%s → %s', (code, expected) => {
    const mapped = mapNetworkError(nodeError(code), 'h.test', 443) as { code: string; cause: unknown };
    expect(mapped.code).toBe(expected);
  });

  it.each([
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-ca'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname-mismatch'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid'],
    ['CERT_REVOKED', 'revoked'],
    [PIN_MISMATCH_CODE, 'pin-mismatch'],
    ['CERT_SIGNATURE_FAILURE', 'invalid-certificate'],
  ])('TLS %s → reason %s', (code, reason) => {
    const mapped = mapNetworkError(nodeError(code), 'h.test', 443);
    expect(mapped).toBeInstanceOf(TlsVerificationError);
    expect(mapped).toMatchObject({ reason, detail: code, host: 'h.test' });
  });

  it('passes typed errors and foreign errors through', () => {
    const typed = new AbortError();
    expect(mapNetworkError(typed, 'h', 1)).toBe(typed);
    const plain = new Error('from the caller');
    expect(mapNetworkError(plain, 'h', 1)).toBe(plain);
  });
});
