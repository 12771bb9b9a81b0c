// RFC 9001 §5.3, §5.4 and §6.6: what packet protection needs to know about each TLS 1.3 cipher suite.
import {
  type AeadAlgorithm,
  type AeadLimits,
  CipherSuite,
  type HashAlgorithm,
  type HeaderProtectionAlgorithm,
} from '@fos/core';

export interface CipherSuiteParams {
  readonly suite: CipherSuite;
  readonly aead: AeadAlgorithm;
  /** AEAD key length; the header-protection key has the same length (RFC 9001 §5.4.3, §5.4.4). */
  readonly keyLength: number;
  readonly hp: HeaderProtectionAlgorithm;
  readonly hash: HashAlgorithm;
  readonly hashLength: number;
  readonly limits: AeadLimits;
}

/** RFC 9001 §6.6: AEAD_AES_128_GCM and AEAD_AES_256_GCM — 2^23 protected packets, 2^52 forgery attempts. */
const GCM_LIMITS: AeadLimits = Object.freeze({ confidentialityLimit: 2 ** 23, integrityLimit: 2 ** 52 });
/** RFC 9001 §6.6: AEAD_CHACHA20_POLY1305 — confidentiality limit above 2^62 (disregarded), 2^36 forgeries. */
const CHACHA_LIMITS: AeadLimits = Object.freeze({
  confidentialityLimit: Number.POSITIVE_INFINITY,
  integrityLimit: 2 ** 36,
});

const SUITES: readonly CipherSuiteParams[] = [
  {
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    aead: 'aes-128-gcm',
    keyLength: 16,
    hp: 'aes-128-ecb',
    hash: 'sha256',
    hashLength: 32,
    limits: GCM_LIMITS,
  },
  {
    suite: CipherSuite.TLS_AES_256_GCM_SHA384,
    aead: 'aes-256-gcm',
    keyLength: 32,
    hp: 'aes-256-ecb',
    hash: 'sha384',
    hashLength: 48,
    limits: GCM_LIMITS,
  },
  {
    suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    aead: 'chacha20-poly1305',
    keyLength: 32,
    hp: 'chacha20',
    hash: 'sha256',
    hashLength: 32,
    limits: CHACHA_LIMITS,
  },
];

/**
 * Parameters of a cipher suite QUIC can use. RFC 9001 §5.3: TLS_AES_128_CCM_8_SHA256 has no header protection
 * scheme and must not be negotiated; TLS_AES_128_CCM_SHA256 is not implemented here. Throws RangeError otherwise.
 */
export function cipherSuiteParams(suite: CipherSuite): CipherSuiteParams {
  for (const s of SUITES) if (s.suite === suite) return s;
  throw new RangeError(`cipher suite 0x${Number(suite).toString(16)} is not supported for QUIC packet protection`);
}
