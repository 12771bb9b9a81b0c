import { TransportErrorCode } from '@fos/core';
import { CertificateError, CertificateErrorCode } from '@fos/crypto';
import { HandshakeFailedError, HandshakeTimeoutError } from '@fos/quic';
import { describe, expect, it } from 'vitest';
import { H3ConnectError, NetworkError, TimeoutError, TlsVerificationError } from '../../errors.js';
import { closeInfoError, connectionLostError, dnsError, mapConnectError } from './connect-errors.js';

const target = { where: '192.0.2.1:443', serverName: 'example.test' };
const info = (over: Partial<ConstructorParameters<typeof HandshakeFailedError>[0]>) => ({
  initiator: 'remote' as const,
  isApplication: false,
  errorCode: 0,
  frameType: undefined,
  reason: '',
  ...over,
});

describe('mapConnectError', () => {
  it('turns a recorded certificate refusal into TlsVerificationError with its reason', () => {
    const error = new CertificateError(CertificateErrorCode.expired, 'expired');
    const e = mapConnectError(new HandshakeFailedError(info({ errorCode: 0x12d })), target, {
      reason: 'expired',
      detail: 'expired',
      error,
    });
    expect(e).toBeInstanceOf(TlsVerificationError);
    expect(e).toMatchObject({ reason: 'expired', host: 'example.test', detail: 'expired' });
  });

  it('maps handshake timeouts: no reply → no-response, some reply → handshake-failed', () => {
    const silent = mapConnectError(
      new HandshakeTimeoutError(info({ initiator: 'handshake-timeout' }), true),
      target,
      undefined,
    );
    expect(silent).toMatchObject({ failure: 'no-response' });
    const slow = mapConnectError(
      new HandshakeTimeoutError(info({ initiator: 'handshake-timeout' }), false),
      target,
      undefined,
    );
    expect(slow).toMatchObject({ failure: 'handshake-failed' });
  });

  it('maps close codes: VERSION_NEGOTIATION_ERROR, no_application_protocol, other alerts, CONNECTION_REFUSED', () => {
    const vn = closeInfoError(info({ errorCode: TransportErrorCode.VERSION_NEGOTIATION_ERROR }), target);
    expect(vn).toMatchObject({ failure: 'version-negotiation', transportCode: 0x11 });
    const alpn = closeInfoError(info({ errorCode: 0x100 + 120 }), target);
    expect(alpn).toMatchObject({ failure: 'alpn', transportCode: 0x178 });
    const alert = closeInfoError(info({ errorCode: 0x100 + 40 }), target);
    expect(alert).toMatchObject({ failure: 'handshake-failed', transportCode: 0x128 });
    expect(alert.message).toContain('handshake_failure');
    const refused = closeInfoError(info({ errorCode: TransportErrorCode.CONNECTION_REFUSED }), target);
    expect(refused).toMatchObject({ failure: 'handshake-failed', transportCode: 0x2 });
  });

  it('passes client errors through (the connect timeout)', () => {
    const t = new TimeoutError('connect', 100);
    expect(mapConnectError(t, target, undefined)).toBe(t);
  });

  it('connection loss is a NetworkError (CONNECTION_RESET) naming who closed it', () => {
    const e = connectionLostError(info({ isApplication: true, errorCode: 0x102, reason: 'boom' }), target.where);
    expect(e).toBeInstanceOf(NetworkError);
    expect(e.code).toBe('CONNECTION_RESET');
    expect(e.message).toContain('H3_INTERNAL_ERROR');
  });

  it('DNS failures become DnsError; other errors pass', () => {
    expect(dnsError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'a.test')).toMatchObject({
      code: 'DNS_FAILURE',
      hostname: 'a.test',
    });
    const other = new Error('y');
    expect(dnsError(other, 'a.test')).toBe(other);
    expect(new H3ConnectError('closed', 'x').code).toBe('H3_CONNECT_FAILED');
  });
});
