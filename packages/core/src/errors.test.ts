import { describe, expect, it } from 'vitest';
import { FosError, isCryptoErrorCode, TransportError, TransportErrorCode, transportErrorName } from './errors.js';

describe('TransportError', () => {
  it('carries the RFC 9000 §20.1 code table', () => {
    expect(TransportErrorCode).toMatchObject({
      NO_ERROR: 0x0,
      INTERNAL_ERROR: 0x1,
      CONNECTION_REFUSED: 0x2,
      FLOW_CONTROL_ERROR: 0x3,
      STREAM_LIMIT_ERROR: 0x4,
      STREAM_STATE_ERROR: 0x5,
      FINAL_SIZE_ERROR: 0x6,
      FRAME_ENCODING_ERROR: 0x7,
      TRANSPORT_PARAMETER_ERROR: 0x8,
      CONNECTION_ID_LIMIT_ERROR: 0x9,
      PROTOCOL_VIOLATION: 0xa,
      INVALID_TOKEN: 0xb,
      APPLICATION_ERROR: 0xc,
      CRYPTO_BUFFER_EXCEEDED: 0xd,
      KEY_UPDATE_ERROR: 0xe,
      AEAD_LIMIT_EXCEEDED: 0xf,
      NO_VIABLE_PATH: 0x10,
      CRYPTO_ERROR: 0x100,
    });
  });

  it('maps TLS alerts into 0x100-0x1ff (RFC 9001 §4.8)', () => {
    const e = TransportError.fromTlsAlert(120, 'no ALPN in common');
    expect(e.code).toBe(0x178);
    expect(e.tlsAlert).toBe(120);
    expect(e.codeName).toBe('CRYPTO_ERROR(0x178)');
    expect(isCryptoErrorCode(0x1ff)).toBe(true);
    expect(isCryptoErrorCode(0x200)).toBe(false);
    expect(new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'x').tlsAlert).toBeUndefined();
  });

  it('is a typed FosError with a readable message and frame type', () => {
    const e = new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, 'bad ACK range', { frameType: 0x02 });
    expect(e).toBeInstanceOf(FosError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TransportError');
    expect(e.frameType).toBe(2);
    expect(e.message).toBe('FRAME_ENCODING_ERROR: bad ACK range');
    expect(transportErrorName(0x4242)).toBe('0x4242');
  });
});
